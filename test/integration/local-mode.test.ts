import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServerProcess } from '../../local/server-process';
import { call } from '../support/api';
import { runLcs } from '../support/lcs';

/**
 * `npm start` as a user meets it: the first-start banner with working credentials (printed that
 * once), state kept across Ctrl-C and restart, a revoked token never printed, and one-line errors
 * for a bad or busy port that leave nothing behind.
 */
const root = resolve(__dirname, '..', '..');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lcs-local-mode-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function banner(output: string) {
  const login = /lean login --user-id (\d+) --api-token ([0-9a-f]{64})/.exec(output);
  const org = /"job-organization-id": "([0-9a-f]{32})"/.exec(output);
  return { userId: Number(login?.[1]), token: login?.[2] ?? '', orgId: org?.[1] ?? '' };
}

test('first start prints working lean-cli and LEAN settings; Ctrl-C then restart keeps projects and files', async () => {
  const dataDir = join(dir, 'state');
  const first = await startServerProcess({ dataDir });
  const printed = first.output();
  expect(printed).toContain('export QC_API=local');
  expect(printed).toMatch(/"api-url": "http:\/\/localhost:\d+\/api\/v2\/"/);
  expect(printed).toMatch(/"job-user-id": \d+/);
  expect(printed).toMatch(/"api-access-token": "[0-9a-f]{64}"/);
  const admin = banner(printed);
  expect(admin.orgId).toMatch(/^[0-9a-f]{32}$/);
  const creds = { userId: admin.userId, token: admin.token };
  const base = first.apiUrl;
  const at = (endpoint: string) => `${base}${endpoint}`;

  expect((await call('authenticate', { method: 'GET', creds, path: at('authenticate') })).body).toEqual({ success: true });
  const created = await call('projects/create', { json: { name: 'Persisted', language: 'Py' }, creds, path: at('projects/create') });
  const projectId = (created.body.projects as { projectId: number }[])[0]?.projectId as number;
  const big = `# large file kept in S3\n${'x = 1\n'.repeat(20_000)}`;
  await call('files/update', { json: { projectId, name: 'main.py', content: 'print("kept")\n' }, creds, path: at('files/update') });
  await call('files/create', { json: { projectId, name: 'big.py', content: big }, creds, path: at('files/create') });

  expect(await first.stop('SIGINT')).toBe(0);
  expect(first.output()).toContain('Stopped.');

  const second = await startServerProcess({ dataDir });
  try {
    const clash = startExpectingFailure(['--port', '0'], dataDir);
    expect(clash.status).toBe(1);
    expect(clash.stderr.trim()).toBe(
      `lcs: another Lean Cloud Server (pid ${second.runtime.pid}) is using ${dataDir}; stop it first or pass another --data-dir`,
    );
    // The token is printed once, on the start that created it; later starts point at the 0600 file.
    const later = second.output();
    expect(later).not.toContain(admin.token);
    const saved = JSON.parse(readFileSync(join(dataDir, 'admin.json'), 'utf8')) as { userId: number; token: string; organizationId: string; tokenId: string };
    expect(saved).toMatchObject({ userId: admin.userId, token: admin.token, organizationId: admin.orgId });
    expect(later).toContain(`lean login --user-id ${admin.userId} --api-token $(node -p 'require("${join(dataDir, 'admin.json')}").token')`);
    expect(later).toContain(`"job-organization-id": "${admin.orgId}"`);
    // The command the banner prints gives the token back.
    const printedCommand = /\$\(node -p '(.+)'\)/.exec(later)?.[1] as string;
    expect(spawnSync(process.execPath, ['-p', printedCommand], { encoding: 'utf8' }).stdout.trim()).toBe(admin.token);
    const files = await call('files/read', { method: 'GET', query: { projectId }, creds, path: `${second.apiUrl}files/read` });
    const byName = Object.fromEntries((files.body.files as { name: string; content: string }[]).map((f) => [f.name, f.content]));
    // research.ipynb is the new project's starter notebook, kept like the rest.
    expect(byName).toEqual({ 'main.py': 'print("kept")\n', 'big.py': big, 'research.ipynb': expect.stringContaining('"nbformat": 4') });
    const orgs = await call('organizations/list', { json: {}, creds, path: `${second.apiUrl}organizations/list` });
    expect(orgs.body.organizations).toHaveLength(1);
    // Revoked: the next start says so and how to issue a new token, and prints no login line that would fail.
    const revoked = await runLcs(['admin', 'token', 'revoke', '--user', String(admin.userId), '--token-id', saved.tokenId, '--data-dir', dataDir]);
    expect(revoked).toMatchObject({ code: 0 });
  } finally {
    await second.stop();
  }
  const third = await startServerProcess({ dataDir });
  try {
    const after = third.output();
    expect(after).toContain(`The first admin's token in ${join(dataDir, 'admin.json')} was revoked`);
    expect(after).toContain(`npx lcs admin token issue --user ${admin.userId}`);
    expect(after).not.toContain(admin.token);
    expect(after).not.toContain('require(');
  } finally {
    await third.stop();
  }
  // The credentials file holds a secret: only its owner may read it.
  expect(statSync(join(dataDir, 'admin.json')).mode & 0o077).toBe(0);
}, 240_000);

function startExpectingFailure(args: string[], dataDir = join(dir, 'failing')) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(root, 'local', 'main.ts'), '--data-dir', dataDir, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

test.each([['abc'], ['70000'], ['-1']])('a bad --port %s is a one-line error, not a stack trace', (port) => {
  const run = startExpectingFailure(['--port', port]);
  expect(run.status).not.toBe(0);
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/port/i);
  expect(run.stderr).not.toMatch(/\n\s+at /);
});

test('a busy port is a one-line error naming the port', async () => {
  const blocker: Server = createServer();
  const port = await new Promise<number>((done) =>
    blocker.listen(0, '127.0.0.1', () => {
      const address = blocker.address();
      done(typeof address === 'object' && address ? address.port : 0);
    }),
  );
  try {
    const dataDir = join(dir, 'busy-port');
    const run = startExpectingFailure(['--port', String(port)], dataDir);
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(`lcs: port ${port} is already in use on 127.0.0.1; stop the other server or pass --port`);
    // Refused before anything was written: no data folder, no admin credentials.
    expect(existsSync(dataDir)).toBe(false);
  } finally {
    blocker.close();
  }
}, 60_000);

test('after a crash (SIGKILL), the next start stops the orphaned DynamoDB Local and the data is intact', async () => {
  const dataDir = join(dir, 'crashed');
  const first = await startServerProcess({ dataDir, args: ['--quiet'] });
  const admin = JSON.parse(readFileSync(join(dataDir, 'admin.json'), 'utf8')) as { userId: number; token: string };
  const orphan = Number(readFileSync(join(dataDir, 'dynamodb', 'dynamodb-local.pid'), 'utf8'));
  expect(await first.stop('SIGKILL')).toBeNull();
  expect(() => process.kill(orphan, 0)).not.toThrow(); // still running, holding the database

  const second = await startServerProcess({ dataDir, args: ['--quiet'] });
  try {
    expect(() => process.kill(orphan, 0)).toThrow();
    const answer = await call('authenticate', { method: 'GET', creds: { userId: admin.userId, token: admin.token }, path: `${second.apiUrl}authenticate` });
    expect(answer.body).toEqual({ success: true });
  } finally {
    await second.stop();
  }
}, 90_000);
