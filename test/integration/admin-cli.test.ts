import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { identityRepository } from '../../core/data/identity/identity-repository';
import { nodeRepository } from '../../core/data/jobs/node-repository';
import { call } from '../support/api';
import { describeStacksAnswer, type LcsRun, runLcs } from '../support/lcs';
import { type Loopback, startLoopback } from '../support/loopback';

/**
 * `lcs admin` end to end: the real CLI as a subprocess against the test server's local storage
 * (its runtime.json is live, so the CLI uses the running storage), then API calls over HTTP that
 * prove the credentials it issues and revokes take effect, and the audit trail it leaves.
 */
jest.setTimeout(120_000);

const _root = resolve(__dirname, '..', '..');

type Run = LcsRun;

/** Where the CLI works: `--data-dir <dir>`, or stack options plus the environment that reaches the stand-ins. */
interface Target {
  args: string[];
  env?: Record<string, string>;
}

const local = (dataDir = process.env.LCS_TEST_DATA_DIR as string): Target => ({ args: ['--data-dir', dataDir] });

function lcs(args: string[], target: Target = local()): Promise<Run> {
  return runLcs(['admin', ...args, ...target.args], target.env);
}

async function lcsJson<T>(args: string[], target?: Target): Promise<T> {
  const run = await lcs([...args, '--json'], target);
  if (run.code !== 0) throw new Error(`lcs admin ${args.join(' ')} failed (${run.code}): ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

const unique = () => randomBytes(4).toString('hex');
const keyHeaders = (keyId: string, secret: string) => ({ 'X-API-Key': keyId, 'X-API-Secret': secret });

let ownerId: number;
let orgId: string;
let userId: number;

beforeAll(async () => {
  const owner = await lcsJson<{ id: number }>(['user', 'create', '--email', `owner-${unique()}@cli.test`, '--name', 'CLI Owner']);
  ownerId = owner.id;
  const org = await lcsJson<{ id: string; ownerUserId: number }>(['org', 'create', '--name', `CLI Org ${unique()}`, '--owner', String(ownerId)]);
  orgId = org.id;
  const user = await lcsJson<{ id: number; organizationId: string; role: string }>([
    'user',
    'create',
    '--email',
    `member-${unique()}@cli.test`,
    '--name',
    'CLI Member',
    '--org',
    orgId,
    '--role',
    'member',
  ]);
  expect(user).toMatchObject({ organizationId: orgId, role: 'member' });
  userId = user.id;
});

test('user list finds every user, one created without --org too, with their organizations and roles', async () => {
  const loner = await lcsJson<{ id: number; email: string }>(['user', 'create', '--email', `loner-${unique()}@cli.test`, '--name', 'No Org']);
  const users = await lcsJson<{ id: number; email: string; memberships: { orgId: string; role: string }[] }[]>(['user', 'list']);
  expect(users).toContainEqual(expect.objectContaining({ id: loner.id, email: loner.email, memberships: [] }));
  expect(users).toContainEqual(expect.objectContaining({ id: userId, memberships: [{ orgId, role: 'member' }] }));
  expect(users).toContainEqual(expect.objectContaining({ id: ownerId, memberships: expect.arrayContaining([{ orgId, role: 'admin' }]) }));
  const ids = users.map((u) => u.id);
  expect(ids).toEqual([...ids].sort((a, b) => a - b));
  const text = await lcs(['user', 'list']);
  expect(text.stdout).toMatch(new RegExp(`^${loner.id}\\s+${loner.email.replace(/[.]/g, '\\.')}\\s+No Org\\s+\\S+\\s+-$`, 'm'));
});

test('org list and member list show what was created', async () => {
  const orgs = await lcsJson<{ id: string; ownerUserId: number }[]>(['org', 'list']);
  expect(orgs).toContainEqual(expect.objectContaining({ id: orgId, ownerUserId: ownerId }));
  const members = await lcsJson<{ userId: number; role: string }[]>(['member', 'list', '--org', orgId]);
  expect(members.map((m) => [m.userId, m.role]).sort()).toEqual(
    [
      [ownerId, 'admin'],
      [userId, 'member'],
    ].sort(),
  );
  const text = await lcs(['org', 'list']);
  expect(text.stdout).toMatch(new RegExp(`^${orgId}\\s+CLI Org`, 'm'));
});

test('org quota: an organization quota is enforced by object/set, and --default restores the server one', async () => {
  const before = await lcsJson<{ used: number; quota: number; override: boolean }>(['org', 'quota', '--org', orgId]);
  expect(before).toMatchObject({ used: 0, override: false });
  expect(await lcsJson(['org', 'quota', '--org', orgId, '--bytes', '10'])).toMatchObject({ quota: 10, override: true });

  const key = await lcsJson<{ keyId: string; secret: string }>(['key', 'issue', '--user', String(userId), '--name', 'quota']);
  const upload = (bytes: number) => {
    const form = new FormData();
    form.append('organizationId', orgId);
    form.append('key', `quota-${bytes}.txt`);
    form.append('objectData', new Blob(['x'.repeat(bytes)]), 'objectData');
    return call('object/set', { multipart: form, headers: keyHeaders(key.keyId, key.secret) });
  };
  expect((await upload(11)).body.errors?.[0]).toMatch(/quota exceeded/i);
  expect((await upload(10)).body).toEqual({ success: true });

  expect(await lcsJson(['org', 'quota', '--org', orgId, '--default'])).toMatchObject({ used: 10, override: false, quota: before.quota });
  const audit = await lcs(['audit', '--org', orgId, '--action', 'admin/org/quota']);
  expect(audit.stdout.match(/admin\/org\/quota/g)).toHaveLength(2);
  expect((await lcs(['org', 'quota', '--org', orgId, '--bytes', '10', '--default'])).stderr).toBe('lcs: give --bytes or --default, not both\n');
});

test('org optimization-nodes: an organization without optimization nodes gets them, and only idle ones are removed', async () => {
  const optimizationNodes = async () => (await nodeRepository.listByOrg(orgId)).filter((n) => n.kind === 'optimization');
  // As an organization created before optimizations existed: no optimization nodes at all.
  for (const node of await optimizationNodes()) await nodeRepository.deleteIdle(orgId, node.id);
  expect(await optimizationNodes()).toEqual([]);

  expect(await lcsJson(['org', 'optimization-nodes', '--org', orgId, '--count', '3'])).toEqual({
    organizationId: orgId,
    added: 3,
    removed: 0,
    total: 3,
    busy: 0,
  });
  const three = await optimizationNodes();
  expect(three.map((n) => n.name).sort()).toEqual(['Optimization node 1', 'Optimization node 2', 'Optimization node 3']);

  // One node runs a point: going down to zero removes the two idle ones and says why it stopped.
  const busy = three[0] as (typeof three)[number];
  expect(await nodeRepository.claim(orgId, busy.id, { kind: 'optimization', id: 'point-1', projectId: 1, since: new Date().toISOString() })).toBe(true);
  const partial = await lcs(['org', 'optimization-nodes', '--org', orgId, '--count', '0']);
  expect(partial.code).not.toBe(0);
  expect(partial.stderr).toMatch(/removed 2 idle optimization nodes; 1 more are busy/);
  expect((await optimizationNodes()).map((n) => n.id)).toEqual([busy.id]);
  await nodeRepository.release(orgId, busy.id, 'point-1');
  expect(await lcsJson(['org', 'optimization-nodes', '--org', orgId, '--count', '0'])).toMatchObject({ removed: 1, total: 0 });
  expect(await optimizationNodes()).toEqual([]);

  const audit = await lcsJson<{ action: string }[]>(['audit', '--org', orgId, '--action', 'admin/org/optimization-nodes']);
  expect(audit).toHaveLength(3);
});

test('key issue → the key works → key revoke → refused; both changes are in the audit trail', async () => {
  const issued = await lcsJson<{ keyId: string; secret: string }>(['key', 'issue', '--user', String(userId), '--name', 'ci']);
  const read = () => call('organizations/read', { json: { organizationId: orgId }, headers: keyHeaders(issued.keyId, issued.secret) });
  const ok = await read();
  expect(ok.body).toMatchObject({ success: true });

  const listed = await lcsJson<{ keyId: string; name: string; lastUsedAt?: string; revokedAt?: string }[]>(['key', 'list', '--user', String(userId)]);
  expect(listed).toContainEqual(expect.objectContaining({ keyId: issued.keyId, name: 'ci', lastUsedAt: expect.any(String) }));
  expect(JSON.stringify(listed)).not.toContain(issued.secret);

  const revoked = await lcs(['key', 'revoke', '--key-id', issued.keyId]);
  expect(revoked).toMatchObject({ code: 0, stdout: expect.stringContaining('revoked') });
  const refused = await read();
  expect(refused.body.success).toBe(false);
  expect(refused.body.errors?.[0]).toMatch(/^Hash doesn't match\./);

  const events = await lcsJson<{ action: string; target: string; userId: number; sourceIp: string; orgId: string }[]>(['audit', '--org', orgId]);
  for (const action of ['admin/key/issue', 'admin/key/revoke']) {
    expect(events).toContainEqual(expect.objectContaining({ action, target: `key/${issued.keyId}`, userId: 0, sourceIp: 'cli', orgId }));
  }
  const table = await lcs(['audit', '--org', orgId, '--action', 'admin/key/revoke']);
  expect(table.stdout).toContain(`key/${issued.keyId}`);
  expect(table.stdout).not.toContain('admin/key/issue');
  expect(table.stdout).not.toContain(issued.secret);
});

test('token issue → QuantConnect hash works → token revoke → refused; list never shows the token', async () => {
  const issued = await lcsJson<{ userId: number; tokenId: string; token: string }>(['token', 'issue', '--user', String(userId), '--expires', '2099-01-01']);
  const creds = { userId, token: issued.token };
  expect((await call('authenticate', { method: 'GET', creds })).body).toMatchObject({ success: true });

  const text = await lcs(['token', 'list', '--user', String(userId)]);
  expect(text.stdout).toContain(issued.tokenId);
  expect(text.stdout).toContain('2099-01-01T00:00:00.000Z');
  expect(text.stdout).not.toContain(issued.token);

  expect((await lcs(['token', 'revoke', '--user', String(userId), '--token-id', issued.tokenId])).code).toBe(0);
  const refused = await call('authenticate', { method: 'GET', creds });
  expect(refused.body.success).toBe(false);
  expect(refused.body.errors?.[0]).toMatch(/^Hash doesn't match\./);

  const listed = await lcsJson<{ tokenId: string; revokedAt?: string }[]>(['token', 'list', '--user', String(userId)]);
  expect(listed).toContainEqual(expect.objectContaining({ tokenId: issued.tokenId, revokedAt: expect.any(String) }));
  const byCli = await lcsJson<{ action: string; target: string }[]>(['audit', '--user', '0', '--action', 'admin/token/revoke']);
  expect(byCli).toContainEqual(expect.objectContaining({ target: `user/${userId}/token/${issued.tokenId}` }));
});

test('roles: set-role and remove change what the member may do; the last admin stays', async () => {
  const { token } = await lcsJson<{ token: string }>(['token', 'issue', '--user', String(userId)]);
  const creds = { userId, token };
  const create = () => call('projects/create', { json: { name: `cli-${unique()}`, language: 'Py', organizationId: orgId }, creds });
  expect((await create()).body.success).toBe(true);

  expect((await lcs(['member', 'set-role', '--org', orgId, '--user', String(userId), '--role', 'viewer', '--as', String(ownerId)])).code).toBe(0);
  expect((await create()).body.success).toBe(false);

  const lastAdmin = await lcs(['member', 'remove', '--org', orgId, '--user', String(ownerId)]);
  expect(lastAdmin.code).toBe(1);
  expect(lastAdmin.stderr).toMatch(/last admin/);

  expect((await lcs(['member', 'remove', '--org', orgId, '--user', String(userId)])).code).toBe(0);
  expect((await call('organizations/read', { json: { organizationId: orgId }, creds })).body.success).toBe(false);

  const events = await lcsJson<{ action: string; userId: number; detail?: Record<string, unknown> }[]>(['audit', '--org', orgId]);
  expect(events).toContainEqual(expect.objectContaining({ action: 'admin/member/set-role', userId: ownerId, detail: { from: 'member', to: 'viewer' } }));
  expect(events).toContainEqual(expect.objectContaining({ action: 'admin/member/remove', userId: 0 }));
});

test.each([
  [['token', 'issue', '--user', 'abc'], /--user.*must be a numeric user id/],
  [['token', 'issue', '--user', '100001', '--expires', '2001-01-01'], /must be in the future/],
  [['member', 'add', '--org', 'nope', '--user', '1'], /32-character hex organization id/],
  [['member', 'set-role', '--org', '0'.repeat(32), '--user', '1'], /required option '--role/],
  [['member', 'add', '--org', '0'.repeat(32), '--user', '1', '--role', 'owner'], /Allowed choices are admin, member, viewer/],
  [['org', 'create', '--name', 'x', '--owner', '999999999'], /User 999999999 not found/],
  [['key', 'revoke', '--key-id', 'lcs_missing'], /API key lcs_missing not found/],
  [['user', 'create', '--email', 'not-an-email', '--name', 'x'], /must be an email address/],
  [['audit'], /pass --org <id> or --user <userId>/],
  [['frobnicate'], /unknown command 'frobnicate'/],
])('bad input %j: one line on stderr, exit code 1', async (args, message) => {
  const run = await lcs(args);
  expect(run.code).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(/^lcs: /);
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(message);
});

test('a data folder with no server running: the CLI starts the embedded storage for each command and stops it', async () => {
  const dir = join(process.env.LCS_TEST_DIR as string, `cli-offline-${unique()}`);
  mkdirSync(join(dir, 'dynamodb'), { recursive: true });
  try {
    const user = await lcsJson<{ id: number }>(['user', 'create', '--email', `offline-${unique()}@cli.test`, '--name', 'Offline'], local(dir));
    // The second command finds the user the first one wrote, so the storage kept it across stops.
    const issued = await lcsJson<{ userId: number; token: string }>(['token', 'issue', '--user', String(user.id)], local(dir));
    expect(issued).toMatchObject({ userId: user.id, token: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(existsSync(join(dir, 'runtime.json'))).toBe(false);
    if (process.platform === 'linux') {
      const { execFileSync } = await import('node:child_process');
      expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toContain(join(dir, 'dynamodb'));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const missing = await lcs(['org', 'list'], local(join(dir, 'absent')));
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(/no local server data in .*absent: start the server once/);
});

/**
 * `--stack`: the same commands against "AWS", i.e. stand-ins for CloudFormation (the stack
 * outputs), API Gateway (usage-plan keys) and KMS (token encryption) on loopback, and the test
 * server's table reached through the SDK's standard AWS_ENDPOINT_URL_* variables.
 */
describe('against a deployed stack', () => {
  let standIn: Loopback;
  let aws: Target;
  const apiKeys: { id: string; name: string; value: string }[] = [];
  const planKeys: { plan: string; keyId: string }[] = [];
  const encrypted: { keyId: string; context: unknown }[] = [];

  const outputsOf: Record<string, Record<string, string>> = {
    'lcs-test-stateful': { TableName: process.env.TABLE_NAME as string, KmsKeyId: 'alias/lcs-test', ArtifactsBucketName: 'lcs-test-artifacts' },
    // An output declared inside a construct: CDK prefixes its path and appends a hash.
    'lcs-test-api': { ApiUsagePlanIdC0FFEE12: 'plan-test', ApiUrl: 'https://example.invalid/api/v2/' },
  };

  function apiGateway(method: string, url: URL, body: Record<string, string>, res: ServerResponse): void {
    res.setHeader('content-type', 'application/json');
    if (method === 'GET' && url.pathname === '/apikeys') {
      const name = url.searchParams.get('name') ?? '';
      res.end(JSON.stringify({ item: apiKeys.filter((k) => k.name.startsWith(name)) }));
      return;
    }
    if (method === 'POST' && url.pathname === '/apikeys') {
      const key = { id: `k${apiKeys.length + 1}`, name: body.name as string, value: body.value as string };
      apiKeys.push(key);
      res.statusCode = 201;
      res.end(JSON.stringify(key));
      return;
    }
    const plan = /^\/usageplans\/([^/]+)\/keys$/.exec(url.pathname);
    planKeys.push({ plan: plan?.[1] as string, keyId: body.keyId as string });
    res.statusCode = 201;
    res.end(JSON.stringify({ id: body.keyId, type: 'API_KEY' }));
  }

  beforeAll(async () => {
    standIn = await startLoopback((req, res) => {
      const url = req.url;
      const text = req.body;
      if (req.headers['x-amz-target'] === 'TrentService.Encrypt') {
        const body = JSON.parse(text) as { KeyId: string; Plaintext: string; EncryptionContext: unknown };
        encrypted.push({ keyId: body.KeyId, context: body.EncryptionContext });
        res.setHeader('content-type', 'application/x-amz-json-1.1');
        res.end(JSON.stringify({ KeyId: body.KeyId, CiphertextBlob: Buffer.from(`sealed:${body.Plaintext}`).toString('base64') }));
      } else if (req.method === 'POST' && url.pathname === '/' && text.includes('Action=')) {
        describeStacksAnswer(new URLSearchParams(text), res, outputsOf);
      } else {
        apiGateway(req.method ?? 'GET', url, text ? (JSON.parse(text) as Record<string, string>) : {}, res);
      }
    });
    const { endpoint } = standIn;
    aws = {
      // The test server's DynamoDB Local stands in for the stack's table: its database is its data
      // folder's key id's in us-east-1 (local/embedded-storage.ts), so those are the credentials and region.
      args: ['--stack', 'lcs-test-stateful', '--stack', 'lcs-test-api', '--region', 'us-east-1'],
      env: {
        AWS_ENDPOINT_URL_CLOUDFORMATION: endpoint,
        AWS_ENDPOINT_URL_API_GATEWAY: endpoint,
        AWS_ENDPOINT_URL_KMS: endpoint,
        AWS_ENDPOINT_URL_DYNAMODB: process.env.DYNAMODB_ENDPOINT as string,
        AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID as string,
        AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY as string,
      },
    };
  });

  afterAll(() => standIn.close());

  test('org create also creates the organization key (value = its id) on the usage plan; tokens are sealed with the KMS key', async () => {
    const owner = await lcsJson<{ id: number }>(['user', 'create', '--email', `stack-${unique()}@cli.test`, '--name', 'Stack Owner'], aws);
    const org = await lcsJson<{ id: string }>(['org', 'create', '--name', `Stack Org ${unique()}`, '--owner', String(owner.id)], aws);
    expect(apiKeys).toEqual([{ id: 'k1', name: `lcs-org-${org.id}`, value: org.id }]);
    expect(planKeys).toEqual([{ plan: 'plan-test', keyId: 'k1' }]);

    const issued = await lcsJson<{ tokenId: string; token: string }>(['token', 'issue', '--user', String(owner.id)], aws);
    expect(encrypted).toEqual([{ keyId: 'alias/lcs-test', context: { purpose: 'lcs-api-token' } }]);
    const [stored] = await identityRepository.listTokens(owner.id);
    expect(stored).toMatchObject({ tokenId: issued.tokenId, ciphertext: expect.stringMatching(/^kms1:/) });

    // API keys need no KMS: one issued through the stack works against the (shared) table at once.
    const key = await lcsJson<{ keyId: string; secret: string }>(['key', 'issue', '--user', String(owner.id), '--name', 'stack'], aws);
    const read = await call('organizations/read', { json: { organizationId: org.id }, headers: keyHeaders(key.keyId, key.secret) });
    expect(read.body.success).toBe(true);
  });

  test('a stack that does not exist, or no usage plan for org create: one clear line', async () => {
    const missing = await lcs(['org', 'list'], { ...aws, args: ['--stack', 'nope', '--region', 'eu-west-1'] });
    expect(missing).toMatchObject({ code: 1, stderr: 'lcs: stack nope not found in eu-west-1\n' });
    const noPlan = await lcs(['org', 'create', '--name', 'x', '--owner', '100001'], {
      ...aws,
      args: ['--stack', 'lcs-test-stateful', '--region', 'us-east-1'],
    });
    expect(noPlan.code).toBe(1);
    expect(noPlan.stderr).toMatch(/^lcs: no usage plan: pass --usage-plan-id/);
  });
});
