import { randomBytes } from 'node:crypto';
import { backtestRepository } from '../../core/data/backtests/backtest-repository';
import { sqs } from '../../core/data/jobs/job-queue';
import { nodeRepository } from '../../core/data/jobs/node-repository';
import { backtestLifecycle, newBacktest } from '../../core/domain/backtests/backtest-lifecycle';
import type { Backtest } from '../../core/domain/backtests/types';
import { dispatchJob } from '../../core/domain/jobs/job-dispatcher';
import { reconcileTaskEnd } from '../../core/domain/jobs/job-reconciler';
import type { JobMessage, LaunchRequest, TaskLauncher } from '../../core/ports/task-runner';
import { LaunchRefused } from '../../core/ports/task-runner';
import { resetConfig } from '../../core/shared/config';
import { handleJobMessages } from '../../local/job-worker';
import { createTenant, type Tenant } from '../support/tenants';

/**
 * The dispatcher and reconciler against the SQS emulator and DynamoDB Local (no mocks of AWS):
 * a queue of its own per test, a launcher that records what it was asked to start.
 */
jest.setTimeout(60_000);

let tenant: Tenant;
let nodeId: string;

beforeAll(async () => {
  tenant = await createTenant('job queue');
  const nodes = await nodeRepository.listByOrg(tenant.orgId);
  nodeId = nodes.find((n) => n.kind === 'backtest')?.id as string;
});

afterEach(async () => {
  // Each test leaves the node free and no job waiting for the next one.
  const nodes = await nodeRepository.listByOrg(tenant.orgId);
  for (const n of nodes) if (n.busyWith) await nodeRepository.release(tenant.orgId, n.id, n.busyWith.id);
  while (await nodeRepository.takeOldestWaiter(tenant.orgId));
});

/**
 * Records the tasks it starts. Like ECS with a client token (and the local launcher), a repeated
 * start with the same token returns the first task rather than a new one.
 */
function recordingLauncher(fail?: () => Error): TaskLauncher & { launches: LaunchRequest[]; stops: string[]; calls: () => number } {
  const launches: LaunchRequest[] = [];
  const stops: string[] = [];
  let calls = 0;
  return {
    launches,
    stops,
    calls: () => calls,
    async launch(request) {
      calls++;
      if (fail) throw fail();
      if (!launches.some((l) => l.token === request.token)) launches.push(request);
      return { taskRef: `task/${request.token}` };
    },
    async stop(taskRef) {
      stops.push(taskRef);
    },
  };
}

async function queuedBacktest(projectId = 1): Promise<{ backtest: Backtest; message: JobMessage }> {
  const backtest = newBacktest({
    projectId,
    orgId: tenant.orgId,
    userId: tenant.admin.userId,
    compileId: `${randomBytes(16).toString('hex')}-${randomBytes(16).toString('hex')}`,
    name: 'queued',
  });
  await backtestRepository.put(backtest);
  return { backtest, message: { kind: 'backtest', orgId: tenant.orgId, projectId, backtestId: backtest.backtestId, attempt: 1 } };
}

async function testQueue(attributes: Record<string, string> = {}): Promise<{ url: string; dlq: string }> {
  const { client, sdk } = await sqs();
  const name = `test-${randomBytes(4).toString('hex')}`;
  const dlq = (await client.send(new sdk.CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl as string;
  const arn = (await client.send(new sdk.GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
  const url = (
    await client.send(
      new sdk.CreateQueueCommand({
        QueueName: name,
        Attributes: { VisibilityTimeout: '1', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: '2' }), ...attributes },
      }),
    )
  ).QueueUrl as string;
  return { url, dlq };
}

async function send(url: string, message: JobMessage): Promise<void> {
  const { client, sdk } = await sqs();
  await client.send(new sdk.SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(message) }));
}

async function receive(url: string, wait = 1) {
  const { client, sdk } = await sqs();
  const out = await client.send(
    new sdk.ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: wait, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
  );
  return out.Messages ?? [];
}

const noRequeue = async () => {
  throw new Error('no requeue expected');
};

test('a duplicate delivery starts one task, and both copies leave the queue', async () => {
  const { url } = await testQueue();
  const { backtest, message } = await queuedBacktest();
  await send(url, message);
  await send(url, message);
  const launcher = recordingLauncher();
  let handled = 0;
  for (let i = 0; i < 10 && handled < 2; i++) {
    const batch = await receive(url);
    handled += batch.length;
    await handleJobMessages(batch, { queueUrl: url, launcher, requeue: noRequeue, log: () => undefined });
  }
  expect(handled).toBe(2);
  // The second copy finds the task recorded and does not even ask for a start.
  expect(launcher.calls()).toBe(1);
  expect(launcher.launches).toHaveLength(1);
  expect(launcher.launches[0]).toMatchObject({ job: message, sku: 'B2-8', token: `${backtest.backtestId}-1` });
  expect(await receive(url, 0)).toEqual([]);
  const stored = await backtestRepository.get(backtest.projectId, backtest.backtestId);
  expect(stored).toMatchObject({ phase: 'starting', nodeId, taskRef: `task/${backtest.backtestId}-1` });
  const node = (await nodeRepository.listByOrg(tenant.orgId)).find((n) => n.id === nodeId);
  expect(node?.busyWith).toMatchObject({ kind: 'backtest', id: backtest.backtestId });
});

test('two dispatchers racing on one message start one task', async () => {
  const { message } = await queuedBacktest();
  const launcher = recordingLauncher();
  const outcomes = await Promise.all([dispatchJob(message, { launcher, requeue: noRequeue }), dispatchJob(message, { launcher, requeue: noRequeue })]);
  expect(launcher.launches).toHaveLength(1);
  expect(outcomes).toContain('started');
});

test('a message that keeps failing lands in the dead-letter queue after the configured receives; its last delivery fails the job', async () => {
  // The worker's setting matches this queue's maxReceiveCount (2), as the stacks set it for the dispatcher.
  process.env.LCS_JOB_MAX_RECEIVES = '2';
  resetConfig();
  const { url, dlq } = await testQueue();
  const { backtest, message } = await queuedBacktest();
  await send(url, message);
  const launcher = recordingLauncher(() => new Error('ECS is unavailable'));
  let receives = 0;
  let dead: Awaited<ReturnType<typeof receive>> = [];
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && dead.length === 0) {
    const batch = await receive(url);
    receives += batch.length;
    await handleJobMessages(batch, { queueUrl: url, launcher, requeue: noRequeue, log: () => undefined });
    dead = await receive(dlq, 0);
  }
  expect(dead.map((m) => JSON.parse(m.Body ?? '{}'))).toEqual([message]);
  expect(receives).toBe(2);
  // Each failed attempt gave the node back; the last one failed the backtest with the reason, so
  // it does not sit "In Queue..." forever.
  const after = await backtestRepository.get(backtest.projectId, backtest.backtestId);
  expect(after).toMatchObject({ phase: 'failed', error: 'The job could not be started after 2 attempts: ECS is unavailable' });
  expect((await nodeRepository.listByOrg(tenant.orgId)).find((n) => n.id === nodeId)?.busyWith).toBeUndefined();
  delete process.env.LCS_JOB_MAX_RECEIVES;
  resetConfig();
});

test('no free node: the job waits with a growing delay instead of starting', async () => {
  const { message: first } = await queuedBacktest();
  const launcher = recordingLauncher();
  expect(await dispatchJob(first, { launcher, requeue: noRequeue })).toBe('started');
  const { message: second } = await queuedBacktest();
  const requeued: [JobMessage, number][] = [];
  const requeue = async (m: JobMessage, delay: number) => {
    requeued.push([m, delay]);
  };
  expect(await dispatchJob(second, { launcher, requeue })).toBe('waiting');
  expect(await dispatchJob({ ...second, waits: 3 }, { launcher, requeue })).toBe('waiting');
  expect(launcher.launches).toHaveLength(1);
  expect(requeued.map(([m]) => m.waits)).toEqual([1, 4]);
  expect(requeued[1]?.[1]).toBeGreaterThan(requeued[0]?.[1] ?? 0);
});

test('freeing a node wakes the job that has waited longest, at once', async () => {
  const { url } = await testQueue();
  const saved = process.env.JOBS_QUEUE_URL;
  process.env.JOBS_QUEUE_URL = url; // the wake-up goes to this test's queue, not the server's
  resetConfig();
  try {
    const launcher = recordingLauncher();
    const requeue = async () => undefined;
    const { backtest: running, message: first } = await queuedBacktest();
    expect(await dispatchJob(first, { launcher, requeue })).toBe('started');
    const { message: older } = await queuedBacktest();
    expect(await dispatchJob(older, { launcher, requeue })).toBe('waiting');
    const { message: newer } = await queuedBacktest();
    expect(await dispatchJob(newer, { launcher, requeue })).toBe('waiting');
    // Waiting again keeps the job's place.
    expect(await dispatchJob({ ...older, waits: 1 }, { launcher, requeue })).toBe('waiting');

    const current = await backtestRepository.get(running.projectId, running.backtestId);
    await backtestLifecycle.completed(current as Backtest, {});
    const woken = await receive(url);
    expect(woken.map((m) => JSON.parse(m.Body ?? '{}'))).toEqual([older]);
    expect(await dispatchJob(older, { launcher, requeue })).toBe('started');
    // The newer one is still registered for the next free node.
    expect(await nodeRepository.takeOldestWaiter(tenant.orgId)).toEqual(newer);
  } finally {
    process.env.JOBS_QUEUE_URL = saved;
    resetConfig();
  }
});

test('a launcher refusal fails the backtest at once with its message', async () => {
  const { backtest, message } = await queuedBacktest();
  const launcher = recordingLauncher(() => new LaunchRefused('No LEAN engine: install Docker'));
  expect(await dispatchJob(message, { launcher, requeue: noRequeue })).toBe('failed');
  expect(await backtestRepository.get(backtest.projectId, backtest.backtestId)).toMatchObject({ phase: 'failed', error: 'No LEAN engine: install Docker' });
});

describe('reconciler', () => {
  async function running(): Promise<{ backtest: Backtest; message: JobMessage; taskRef: string }> {
    const { backtest, message } = await queuedBacktest();
    const launcher = recordingLauncher();
    await dispatchJob(message, { launcher, requeue: noRequeue });
    return { backtest, message, taskRef: `task/${backtest.backtestId}-1` };
  }

  test('a task killed for memory fails the backtest with a clear error and frees its node', async () => {
    const { backtest, message, taskRef } = await running();
    const outcome = await reconcileTaskEnd(
      { taskRef, job: message, exitCode: 137, stopCode: 'EssentialContainerExited', reason: 'OutOfMemoryError: Container killed' },
      { requeue: noRequeue },
      8192,
    );
    expect(outcome).toBe('failed');
    const stored = await backtestRepository.get(backtest.projectId, backtest.backtestId);
    expect(stored).toMatchObject({ phase: 'failed' });
    expect(stored?.error).toMatch(/out of memory \(limit 8192 MB\)/);
    expect((await nodeRepository.listByOrg(tenant.orgId)).find((n) => n.id === nodeId)?.busyWith).toBeUndefined();
  });

  test('a Spot interruption is retried once, then fails', async () => {
    const { backtest, message, taskRef } = await running();
    const requeued: JobMessage[] = [];
    const requeue = async (m: JobMessage) => {
      requeued.push(m);
    };
    const spot = { job: message, stopCode: 'SpotInterruption', reason: 'Your Spot Task was interrupted.' };
    expect(await reconcileTaskEnd({ ...spot, taskRef }, { requeue })).toBe('retried');
    expect(requeued).toEqual([{ ...message, attempt: 2, waits: 0 }]);
    expect(await backtestRepository.get(backtest.projectId, backtest.backtestId)).toMatchObject({ phase: 'queued', attempt: 2 });
    // The retry starts on a new task; its interruption is final.
    const launcher = recordingLauncher();
    expect(await dispatchJob(requeued[0] as JobMessage, { launcher, requeue: noRequeue })).toBe('started');
    const retryRef = `task/${backtest.backtestId}-2`;
    expect(await reconcileTaskEnd({ ...spot, job: requeued[0] as JobMessage, taskRef: retryRef }, { requeue })).toBe('failed');
    expect(requeued).toHaveLength(1);
    const stored = await backtestRepository.get(backtest.projectId, backtest.backtestId);
    expect(stored?.error).toMatch(/Spot/);
  });

  test('an event about an older task changes nothing; a finished backtest only has its node checked', async () => {
    const { backtest, message } = await running();
    expect(
      await reconcileTaskEnd({ taskRef: 'task/other', job: message, exitCode: 1, stopCode: 'EssentialContainerExited', reason: 'x' }, { requeue: noRequeue }),
    ).toBe('stale');
    expect(await backtestRepository.get(backtest.projectId, backtest.backtestId)).toMatchObject({ phase: 'starting' });
  });
});
