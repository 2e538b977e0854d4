import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServerProcess, startServerProcess, storageEnv } from '../../local/server-process';
import { type Answer, call, qcHeaders } from '../support/api';

/**
 * Local mode enforces the per-organisation limits of lcs.config.json, the settings the deployed
 * usage plan is built from: a burst, then HTTP 429 in the envelope with Retry-After, per organisation.
 */
let dir: string;
let server: ServerProcess;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lcs-rate-'));
  const config = join(dir, 'lcs.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      rateLimit: { ratePerSecond: 0.5, burst: 3, dailyQuota: 0, dataRead: { ratePerSecond: 0.5, burst: 25 } },
      auth: { failureBurst: 5, failuresPerMinute: 6 },
    }),
  );
  server = await startServerProcess({ dataDir: join(dir, 'data'), args: ['--quiet', '--config', config, '--auth-cache-seconds', '0'] });
}, 60_000);

const savedEnv = { ...process.env };

afterAll(async () => {
  // The second test points this process at the rate-limited server's storage; undo that.
  process.env = savedEnv;
  (await import('../../core/shared/config')).resetConfig();
  (await import('../../core/data/table/clients')).resetClients();
  (await import('../../core/data/identity/token-cipher')).resetTokenCipher();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a burst of 3 passes, the 4th request gets 429 with the envelope; health is not limited', async () => {
  const admin = JSON.parse(readFileSync(join(dir, 'data', 'admin.json'), 'utf8')) as { userId: number; token: string };
  const creds = { userId: admin.userId, token: admin.token };
  const at = (endpoint: string) => `${server.apiUrl}${endpoint}`;
  for (let i = 0; i < 3; i++) expect((await call('authenticate', { method: 'GET', creds, path: at('authenticate') })).body).toEqual({ success: true });
  const limited = await fetch(at('authenticate'), { headers: { Authorization: 'x' } });
  expect(limited.status).toBe(200); // bad credentials are answered before the limiter
  const refused = await call('organizations/list', { json: {}, creds, path: at('organizations/list') });
  expect(refused.status).toBe(429);
  expect(refused.body.success).toBe(false);
  expect(refused.body.errors?.[0]).toMatch(/Too many requests for this organization; retry in \d+ s\./);
  const health = await call('health', { method: 'GET', path: at('health') });
  expect(health.body.success).toBe(true);
});

/** Points this process at the rate-limited server's storage (fixtures made there). */
async function useServerStorage(): Promise<void> {
  Object.assign(process.env, storageEnv(server.runtime));
  const { resetConfig } = await import('../../core/shared/config');
  const { resetClients } = await import('../../core/data/table/clients');
  const { resetTokenCipher } = await import('../../core/data/identity/token-cipher');
  resetConfig();
  resetClients();
  resetTokenCipher();
}

test('another organisation has its own allowance', async () => {
  await useServerStorage();
  const { identityService } = await import('../../core/domain/identity/identity-service');
  const user = await identityService.createUser({ name: 'Other', email: 'other@rate.test' });
  await identityService.createOrganization({ name: 'Other org', ownerUserId: user.id });
  const token = await identityService.issueToken(user.id);
  const answer = await call('authenticate', { method: 'GET', creds: { userId: user.id, token: token.token }, path: `${server.apiUrl}authenticate` });
  expect(answer.status).toBe(200);
  expect(answer.body).toEqual({ success: true });
});

test("a job's data/read has its own budget (issue 20 item 14): the general limit used up does not starve LEAN's data loading", async () => {
  await useServerStorage();
  const { identityService } = await import('../../core/domain/identity/identity-service');
  const { jobCredentials } = await import('../../runner/job-credentials');
  const user = await identityService.createUser({ name: 'Loader', email: 'loader@rate.test' });
  const org = await identityService.createOrganization({ name: 'Loader org', ownerUserId: user.id });
  const job = await jobCredentials({ orgId: org.id, projectId: 1, userId: user.id, job: { kind: 'backtest', id: 'c'.repeat(32) }, maxSeconds: 60 });
  const creds = { userId: job.userId, token: job.token };
  const send = (endpoint: string, json: Record<string, unknown>) => call(endpoint, { json, creds, path: `${server.apiUrl}${endpoint}` });
  // The general allowance (burst 3) is gone...
  for (let i = 0; i < 3; i++) expect((await send('data/prices', { organizationId: org.id })).status).toBe(200);
  expect((await send('data/prices', { organizationId: org.id })).status).toBe(429);
  // ...and LEAN still fetches a backtest's files: data/read has its own bucket (25 here).
  const reads = [];
  for (let i = 0; i < 25; i++) {
    reads.push(await send('data/read', { format: 'link', filePath: `equity/usa/minute/spy/2023010${(i % 9) + 1}_trade.zip`, organizationId: org.id }));
  }
  expect(reads.map((r) => r.status)).toEqual(Array(25).fill(200));
  expect(reads.flatMap((r) => r.body.errors ?? []).join(' ')).not.toMatch(/Too many requests/);
  // Bounded all the same: past its own burst, data/read is throttled too.
  expect((await send('data/read', { format: 'link', filePath: 'equity/usa/daily/spy.zip', organizationId: org.id })).status).toBe(429);
});

/** A request from another loopback address (127.0.0.x), as from another machine. */
function from(localAddress: string, url: string, headers: Record<string, string>): Promise<{ status: number; retryAfter?: string; body: Answer['body'] }> {
  return new Promise((done, fail) => {
    const req = request(url, { localAddress, headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      res.on('end', () => done({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body: JSON.parse(text) }));
    });
    req.on('error', fail);
    req.end();
  });
}

// Last: it spends this process's address budget (its failures then refuse the address for a while).
test('failed authentication has a budget per source address and per user id: beyond it, 429 with the envelope', async () => {
  await useServerStorage();
  const { identityService } = await import('../../core/domain/identity/identity-service');
  const victim = await identityService.createUser({ name: 'Victim', email: 'victim@rate.test' });
  await identityService.createOrganization({ name: 'Victim org', ownerUserId: victim.id });
  const other = await identityService.createUser({ name: 'Bystander', email: 'bystander@rate.test' });
  await identityService.createOrganization({ name: 'Bystander org', ownerUserId: other.id });
  const otherCreds = { userId: other.id, token: (await identityService.issueToken(other.id)).token };
  const url = `${server.apiUrl}authenticate`;
  const wrong = () => qcHeaders({ userId: victim.id, token: 'not-the-token' });

  // 8 wrong hashes at once from one address (budget 5): the first 5 are told the hash is wrong, the rest 429.
  const answers = await Promise.all(Array.from({ length: 8 }, () => from('127.0.0.2', url, wrong())));
  expect(answers.map((a) => a.body.success)).toEqual(Array(8).fill(false));
  for (const a of answers) expect(a.body.errors?.[0]).toMatch(/^Hash doesn't match\./);
  const throttled = answers.filter((a) => a.status === 429);
  expect(throttled).toHaveLength(3);
  for (const a of throttled) {
    expect(a.body.errors?.[0]).toMatch(/Too many failed authentication attempts .*; retry in \d+ s\./);
    expect(Number(a.retryAfter)).toBeGreaterThan(0);
  }
  // That address is refused even with good credentials until its budget refills...
  expect((await from('127.0.0.2', url, qcHeaders(otherCreds))).status).toBe(429);
  // ...and so is the user id, from any address; another user from another address is not.
  expect((await from('127.0.0.3', url, wrong())).status).toBe(429);
  const bystander = await from('127.0.0.3', url, qcHeaders(otherCreds));
  expect(bystander).toMatchObject({ status: 200, body: { success: true } });
});
