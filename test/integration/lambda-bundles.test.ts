import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { encodeSyntaxCheckRequest } from '../../core/aws/lambda-syntax-checker';
import { principalToContext } from '../../core/shared/principal';
import { routes } from '../../lambdas/api/routes';
import { assetBuildOptions, BUNDLE_FILE, batchBuildOptions, projectRoot } from '../../lib/constructs/bundling';
import { FIRST_ADMIN_ENTRY } from '../../lib/constructs/first-admin';
import { LAYER_MODULES_DIR, writeSdkLayer } from '../../lib/constructs/sdk-layer';
import { AUTHORIZER_ENTRY } from '../../lib/stacks/api-stack';
import { DISPATCHER_ENTRY, OBJECT_ZIP_ENTRY, RECONCILER_ENTRY, SYNTAX_CHECK_ENTRY } from '../../lib/stacks/jobs-stack';

/**
 * Every Lambda bundle, built exactly as CDK builds it (assetBuildOptions, batched), loaded in a folder laid
 * out like a Lambda execution environment: the bundle alone in var/task, the SDK layer in
 * opt/nodejs/node_modules, and an EMPTY var/runtime/node_modules, because nothing may come from
 * the AWS SDK the runtime happens to ship (lib/constructs/sdk-layer.ts). Imports resolve as on
 * Lambda (NODE_PATH, layer first; test/support/lambda-runtime/node-path.mjs). Each handler is
 * called with a sample event against the suite's DynamoDB Local and S3/SQS emulator, and must
 * answer a well-formed result; then every package the bundle leaves external (the SDK clients it
 * loads lazily) must load there too.
 */
const root = projectRoot();
const execFileAsync = promisify(execFile);
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

interface LambdaFunction {
  name: string;
  entry: string;
  event: unknown;
  /** Why the result is not the answer this function gives; undefined when it is. */
  check(result: unknown): string | undefined;
}

interface Result {
  name: string;
  result?: unknown;
  loadError?: string;
  invokeError?: string;
  missing: string[];
}

const UNAVAILABLE = /Internal error|unavailable/i;

/** An organisation admin of an organisation that does not exist: handlers answer, none finds anything. */
const CALLER = principalToContext({
  userId: 987_654,
  authMethod: 'api-key',
  credentialId: 'bundle-test',
  preferredOrgId: 'bundletestorg00000000000000000000',
  memberships: [{ orgId: 'bundletestorg00000000000000000000', role: 'admin' }],
});

function apiEvent(path: string): unknown {
  return {
    resource: `/api/v2/${path}`,
    path: `/api/v2/${path}`,
    httpMethod: 'POST',
    headers: { 'content-type': 'application/json' },
    multiValueHeaders: { 'content-type': ['application/json'] },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: '{}',
    isBase64Encoded: false,
    requestContext: { requestId: 'bundle-test', identity: { sourceIp: '127.0.0.1' }, authorizer: CALLER },
  };
}

/** The QuantConnect envelope, and not the one an unexpected error (a missing module) becomes. */
function checkEnvelope(result: unknown): string | undefined {
  const answer = result as { statusCode?: number; body?: string };
  if (answer?.statusCode !== 200 || typeof answer.body !== 'string') return `not an HTTP 200 answer: ${JSON.stringify(result)?.slice(0, 300)}`;
  const body = JSON.parse(answer.body) as { success?: unknown; errors?: unknown };
  if (typeof body.success !== 'boolean') return `no envelope: ${answer.body.slice(0, 300)}`;
  if (!body.success && !(Array.isArray(body.errors) && body.errors.length)) return `an error envelope without errors: ${answer.body.slice(0, 300)}`;
  if (!body.success && UNAVAILABLE.test(String(body.errors))) return `internal error: ${answer.body.slice(0, 300)}`;
  return undefined;
}

function functions(): LambdaFunction[] {
  const methodArn = 'arn:aws:execute-api:us-east-1:000000000000:bundletest/test/POST/api/v2/projects/read';
  return [
    ...routes.map((route) => ({ name: route.path, entry: `lambdas/api/${route.entry}.handler.ts`, event: apiEvent(route.path), check: checkEnvelope })),
    {
      // lean-cli's form encoding through the bundled qs (its side-channel is swapped for a small
      // file at bundling): the id must arrive parsed for the answer to be "not found".
      name: 'projects/read (lean-cli form body)',
      entry: `lambdas/api/${routes.find((r) => r.path === 'projects/read')?.entry}.handler.ts`,
      event: {
        ...(apiEvent('projects/read') as Record<string, unknown>),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        multiValueHeaders: { 'content-type': ['application/x-www-form-urlencoded'] },
        body: 'projectId=987654321&files%5B0%5D%5Bname%5D=a.py&files%5B1%5D%5Bname%5D=b.py&files%5B1%5D%5Bcontent%5D=x',
      },
      check: (result) =>
        checkEnvelope(result) ??
        (/not found/i.test(String((result as { body?: string }).body)) ? undefined : `form not parsed: ${(result as { body?: string }).body}`),
    },
    {
      name: '(authorizer)',
      entry: AUTHORIZER_ENTRY,
      // A QuantConnect hash of a user that does not exist: read from the table, then refused.
      event: {
        type: 'REQUEST',
        methodArn,
        headers: { Authorization: `Basic ${Buffer.from(`987654:${'0'.repeat(64)}`).toString('base64')}`, Timestamp: String(Math.floor(Date.now() / 1000)) },
        requestContext: { identity: { sourceIp: '127.0.0.1' } },
      },
      check: (result) => {
        const answer = result as { policyDocument?: { Statement?: { Effect?: string }[] }; context?: { message?: string } };
        if (answer?.policyDocument?.Statement?.[0]?.Effect !== 'Deny') return `not a Deny policy: ${JSON.stringify(result)}`;
        return UNAVAILABLE.test(answer.context?.message ?? '') ? `authentication failed to run: ${answer.context?.message}` : undefined;
      },
    },
    {
      name: '(first-admin)',
      entry: FIRST_ADMIN_ENTRY,
      event: { RequestType: 'Delete', PhysicalResourceId: 'lcs-first-admin', ResourceProperties: {} },
      check: (result) =>
        (result as { PhysicalResourceId?: string })?.PhysicalResourceId === 'lcs-first-admin' ? undefined : `unexpected: ${JSON.stringify(result)}`,
    },
    {
      name: '(dispatcher)',
      entry: DISPATCHER_ENTRY,
      // Never a valid job message: reported back as this record's failure, nothing launched.
      event: { Records: [{ messageId: 'bundle-test', body: 'not a job', attributes: { ApproximateReceiveCount: '1' } }] },
      check: (result) =>
        JSON.stringify(result) === JSON.stringify({ batchItemFailures: [{ itemIdentifier: 'bundle-test' }] })
          ? undefined
          : `unexpected: ${JSON.stringify(result)}`,
    },
    {
      name: '(object/get zip worker)',
      entry: OBJECT_ZIP_ENTRY,
      // A malformed message is reported back; a zip job nobody recorded is skipped (a table read).
      event: {
        Records: [
          { messageId: 'bundle-test', body: 'not a zip job', attributes: { ApproximateReceiveCount: '1' } },
          {
            messageId: 'bundle-test-unknown',
            body: JSON.stringify({ kind: 'object-zip', orgId: 'f'.repeat(32), jobId: 'f'.repeat(32) }),
            attributes: { ApproximateReceiveCount: '1' },
          },
        ],
      },
      check: (result) =>
        JSON.stringify(result) === JSON.stringify({ batchItemFailures: [{ itemIdentifier: 'bundle-test' }] })
          ? undefined
          : `unexpected: ${JSON.stringify(result)}`,
    },
    {
      name: '(syntax check)',
      entry: SYNTAX_CHECK_ENTRY,
      // The grammar is bundled: one good and one broken file, the broken one reported.
      event: encodeSyntaxCheckRequest([
        { name: 'main.py', content: 'x = 1\n' },
        { name: 'broken.py', content: 'def f(:\n' },
      ]),
      check: (result) => {
        const errors = (result as { errors?: { file?: string; name?: string }[] })?.errors;
        return Array.isArray(errors) && errors.length === 1 && JSON.stringify(errors).includes('broken.py')
          ? undefined
          : `unexpected: ${JSON.stringify(result)}`;
      },
    },
    {
      name: '(reconciler)',
      entry: RECONCILER_ENTRY,
      event: {
        'detail-type': 'ECS Task State Change',
        source: 'aws.ecs',
        detail: { taskArn: 'arn:aws:ecs:us-east-1:000000000000:task/c/t', lastStatus: 'RUNNING' },
      },
      check: (result) => (result === 'ignored' ? undefined : `unexpected: ${JSON.stringify(result)}`),
    },
  ];
}

/** Every variable a deployed function may be given (each gets a subset); values reach the emulators. */
function lambdaEnvironment(dir: string): NodeJS.ProcessEnv {
  const fromSuite = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => /^(AWS_|LCS_|POWERTOOLS_)|_(NAME|ENDPOINT|URL)$/.test(name) && !name.startsWith('LCS_TEST_')),
  );
  return {
    PATH: process.env.PATH,
    ...fromSuite,
    NODE_PATH: [join(dir, 'opt', LAYER_MODULES_DIR), join(dir, 'var', 'runtime', 'node_modules'), join(dir, 'var', 'runtime'), join(dir, 'var', 'task')].join(
      ':',
    ),
    CLUSTER_ARN: 'arn:aws:ecs:us-east-1:000000000000:cluster/lcs-bundle-test',
    TASK_DEFINITIONS: '{}',
    LIVE_TASK_DEFINITIONS: '{}',
    SUBNET_IDS: 'subnet-0',
    SECURITY_GROUP_ID: 'sg-0',
    LCS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
}

describe('Lambda bundles in a Lambda-like folder', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lcs-bundles-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('every function loads with only the SDK layer, and its handler answers a sample event', async () => {
    const fns = functions();
    const task = join(dir, 'var', 'task');
    const folders = fns.map((fn) => fn.name.replace(/[^a-z0-9]+/gi, '-'));
    const built = await build({ ...batchBuildOptions(Object.fromEntries(fns.map((fn, i) => [folders[i], fn.entry])), task, root), metafile: true });
    // The batch build is CDK's build (assetBuildOptions), byte for byte: checked on one function.
    const single = await build({ ...assetBuildOptions(fns[0]!.entry, join(dir, 'single'), root), write: false });
    expect(readFileSync(join(task, folders[0]!, BUNDLE_FILE), 'utf8')).toBe(single.outputFiles.find((f) => f.path.endsWith(BUNDLE_FILE))?.text);
    const plan = fns.map((fn, i) => {
      const file = join(task, folders[i]!, BUNDLE_FILE);
      const output = built.metafile.outputs[relative(root, file)];
      if (!output) throw new Error(`${fn.name}: no bundle at ${file}`);
      const externals = [...new Set(output.imports.filter((imp) => imp.external && !builtins.has(imp.path)).map((imp) => imp.path))];
      return { name: fn.name, file, externals, event: fn.event };
    });
    // Design target (issue 11): every API function ≤ 200 KB minified, so cold starts stay short.
    const oversized = fns
      .map((fn, i) => ({ fn, bytes: statSync(join(task, folders[i]!, BUNDLE_FILE)).size }))
      .filter(({ fn, bytes }) => fn.entry.startsWith('lambdas/api/') && bytes > 200 * 1024)
      .map(({ fn, bytes }) => `${fn.name}: ${(bytes / 1024).toFixed(1)} KB`);
    expect(oversized).toEqual([]);
    writeSdkLayer(join(dir, 'opt'), root);
    mkdirSync(join(dir, 'var', 'runtime', 'node_modules'), { recursive: true });
    cpSync(join(root, 'test', 'support', 'lambda-runtime'), join(dir, 'runtime-emulation'), { recursive: true });
    writeFileSync(join(dir, 'plan.json'), JSON.stringify(plan));
    const emulation = join(dir, 'runtime-emulation');
    await execFileAsync(
      process.execPath,
      ['--import', join(emulation, 'node-path.mjs'), join(emulation, 'invoke.mjs'), join(dir, 'plan.json'), join(dir, 'results.json')],
      {
        cwd: dir,
        env: lambdaEnvironment(dir),
        maxBuffer: 64 * 1024 * 1024,
        timeout: 60_000,
      },
    );
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Result[];
    expect(results.map((r) => r.name)).toEqual(fns.map((f) => f.name));
    const failures = results.flatMap((r, i) => {
      if (r.loadError) return [`${r.name}: does not load: ${r.loadError}`];
      const wrong = r.invokeError ? `throws ${r.invokeError}` : fns[i]?.check(r.result);
      return [...(wrong ? [`${r.name}: ${wrong}`] : []), ...r.missing.map((m) => `${r.name}: lazy import fails: ${m}`)];
    });
    expect(failures).toEqual([]);
  }, 90_000);
});
