import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { algorithm, type BacktestBody, pollBacktest, pythonProject } from '../support/backtests';
import { cloudFormationStandIn, type LcsRun, runLcs } from '../support/lcs';
import type { Loopback } from '../support/loopback';
import { createTenant, type Tenant } from '../support/tenants';

/**
 * `lcs status` end to end: the real CLI as a subprocess against the test server's storage and job
 * queues (its runtime.json is live), while a backtest of the fake LEAN holds one of the nodes.
 */
jest.setTimeout(120_000);

const _root = resolve(__dirname, '..', '..');

type Run = LcsRun;

interface Status {
  target: string;
  queue: { url: string; visible: number; inFlight: number; delayed: number };
  deadLetterQueue: { url: string; visible: number; inFlight: number; delayed: number };
  organizations: {
    id: string;
    name: string;
    nodes: { id: string; name: string; sku: string; state: string; busyWith: { kind: string; id: string; projectId: number; since: string } | null }[];
    waiting: { kind: string; id: string; projectId: number; since: string }[];
  }[];
}

/** Runs `lcs status` against the test server's data folder, or the given target options and environment. */
function lcs(
  args: string[],
  target: { args: string[]; env?: Record<string, string> } = { args: ['--data-dir', process.env.LCS_TEST_DATA_DIR as string] },
): Promise<Run> {
  return runLcs(['status', ...args, ...target.args], target.env);
}

async function status(orgId: string): Promise<Status> {
  const run = await lcs(['--org', orgId, '--json']);
  if (run.code !== 0) throw new Error(`lcs status failed (${run.code}): ${run.stderr}`);
  return JSON.parse(run.stdout) as Status;
}

async function waitFor<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 300));
    last = await read();
  }
  return last;
}

let tenant: Tenant;

beforeAll(async () => {
  tenant = await createTenant('status cli');
});

test('a running backtest shows on its node (JSON and text); deleting it shows the node idle', async () => {
  const { projectId, compileId } = await pythonProject(tenant.cli, 'Status/Hang', algorithm({ scenario: 'hang' }));
  const created = await tenant.cli.createBacktest(projectId, compileId, 'holds a node');
  const backtestId = (created.body.backtest as BacktestBody).backtestId;
  await pollBacktest(tenant.cli, projectId, backtestId, { until: (b) => b.status.startsWith('Running') });

  const running = await status(tenant.orgId);
  expect(running.organizations.map((o) => o.id)).toEqual([tenant.orgId]);
  const [org] = running.organizations;
  const busy = org?.nodes.filter((n) => n.state === 'busy') ?? [];
  expect(busy).toEqual([
    expect.objectContaining({ busyWith: { kind: 'backtest', id: backtestId, projectId, since: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) } }),
  ]);
  expect(org?.waiting).toEqual([]);
  for (const q of [running.queue, running.deadLetterQueue]) {
    for (const n of [q.visible, q.inFlight, q.delayed]) expect(Number.isInteger(n) && n >= 0).toBe(true);
  }
  expect(running.queue.url).toMatch(/lcs-jobs$/);
  expect(running.deadLetterQueue.url).toMatch(/lcs-jobs-dlq$/);

  const text = await lcs(['--org', tenant.orgId]);
  expect(text.code).toBe(0);
  const nodeName = busy[0]?.name as string;
  const line = text.stdout.split('\n').find((l) => l.startsWith(nodeName));
  expect(line).toMatch(/\bbusy\b/);
  expect(line).toContain(backtestId);
  expect(text.stdout).toMatch(/job queue:\s+\d+ visible, \d+ in flight, \d+ delayed/);

  // The organization has one backtest node: a second backtest waits for it.
  const second = await tenant.cli.createBacktest(projectId, compileId, 'waits for the node');
  const waitingId = (second.body.backtest as BacktestBody).backtestId;
  const queued = await waitFor(
    'the second backtest to wait for a node',
    () => status(tenant.orgId),
    (s) => (s.organizations[0]?.waiting.length ?? 0) > 0,
  );
  expect(queued.organizations[0]?.waiting).toEqual([{ kind: 'backtest', id: waitingId, projectId, since: expect.any(String) }]);
  expect((await lcs(['--org', tenant.orgId])).stdout).toMatch(new RegExp(`waiting for a node:\\n.*\\nbacktest\\s+${waitingId}\\s+${projectId}`));
  expect((await tenant.cli.deleteBacktest(projectId, waitingId)).body).toEqual({ success: true });

  expect((await tenant.cli.deleteBacktest(projectId, backtestId)).body).toEqual({ success: true });
  const freed = await waitFor(
    'the node to show idle',
    () => status(tenant.orgId),
    (s) => s.organizations[0]?.nodes.find((n) => n.id === busy[0]?.id)?.state === 'idle',
  );
  expect(freed.organizations[0]?.nodes.every((n) => n.state === 'idle' && n.busyWith === null)).toBe(true);
});

test('without --org every organization is listed', async () => {
  const all = JSON.parse((await lcs(['--json'])).stdout) as Status;
  expect(all.organizations.length).toBeGreaterThan(1);
  expect(all.organizations.map((o) => o.id)).toContain(tenant.orgId);
});

test.each([
  [['--org', '0'.repeat(32)], /^lcs: Organization 0{32} not found\n$/],
  [['--org', 'nope'], /^lcs: .*32-character hex organization id\n$/],
])('bad input %j: one line on stderr, exit code 1', async (args, message) => {
  const run = await lcs(args);
  expect(run).toMatchObject({ code: 1, stdout: '' });
  expect(run.stderr).toMatch(message);
});

/**
 * `--stack`: a CloudFormation stand-in answers the API stack's TableName and the jobs stack's queue
 * URLs (those of the test server's queues), and the SDK reaches the test server's table and queues
 * through the standard AWS_ENDPOINT_URL_* variables.
 */
describe('against deployed stacks', () => {
  let standIn: Loopback;
  let env: Record<string, string>;
  const runtime = () => JSON.parse(readFileSync(join(process.env.LCS_TEST_DATA_DIR as string, 'runtime.json'), 'utf8')) as Record<string, string>;

  beforeAll(async () => {
    const { jobsQueueUrl, deadLetterQueueUrl, s3Endpoint } = runtime();
    // fauxqs names its queues http://sqs.<region>.<host>/…, which the SDK cannot parse once it
    // takes the endpoint from the queue URL (as it does without an explicit endpoint): the same path on fauxqs.
    const onFauxqs = (url: string) => url.replace(/^https?:\/\/[^/]+/, s3Endpoint as string);
    const outputsOf: Record<string, Record<string, string>> = {
      'lcs-test-api': { TableName: process.env.TABLE_NAME as string },
      // Declared inside a construct: CDK prefixes its path and appends a hash.
      'lcs-test-jobs': { JobsQueueUrl: onFauxqs(jobsQueueUrl as string), JobsJobsDeadLetterQueueUrl0BADF00D: onFauxqs(deadLetterQueueUrl as string) },
    };
    standIn = await cloudFormationStandIn(outputsOf);
    env = {
      AWS_ENDPOINT_URL_CLOUDFORMATION: standIn.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: process.env.DYNAMODB_ENDPOINT as string,
      AWS_ENDPOINT_URL_SQS: s3Endpoint as string,
      // The test server's DynamoDB Local shows its table to its data folder's key id only.
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID as string,
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY as string,
    };
  });

  afterAll(() => standIn.close());

  test('the queues come from the jobs stack outputs, the nodes from the table', async () => {
    const run = await lcs(['--org', tenant.orgId, '--json'], { args: ['--stack', 'lcs-test-api', '--stack', 'lcs-test-jobs', '--region', 'us-east-1'], env });
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout) as Status;
    expect(report.target).toMatch(/^table .* in us-east-1$/);
    expect(report.queue.url).toMatch(new RegExp(`^${env.AWS_ENDPOINT_URL_SQS}/.*/lcs-jobs$`));
    expect(report.deadLetterQueue.url).toMatch(/\/lcs-jobs-dlq$/);
    for (const n of [report.queue.visible, report.queue.inFlight, report.queue.delayed, report.deadLetterQueue.visible]) expect(Number.isInteger(n)).toBe(true);
    expect(report.organizations[0]?.nodes.length).toBeGreaterThan(0);
  });

  test('without the jobs stack: one line naming the missing outputs', async () => {
    const run = await lcs(['--org', tenant.orgId], { args: ['--stack', 'lcs-test-api', '--region', 'us-east-1'], env });
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toMatch(
      /^lcs: no job queue: the stack lcs-test-api has no JobsQueueUrl and JobsDeadLetterQueueUrl outputs; add --stack lcs-<stage>-jobs\n$/,
    );
  });
});
