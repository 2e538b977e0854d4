import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, LeanCli } from '../support/api';
import { algorithm, type BacktestBody, pollBacktest, pythonProject } from '../support/backtests';
import { runLcs, testDataDir } from '../support/lcs';
import { leanDataDownload } from '../support/lean-data-download';

/**
 * The README's first run, top to bottom, with lean-cli's request sequences (lean-cli itself is not
 * installed here) against the shared local server (its `npm start`, LEAN being the fake LEAN of
 * LCS_LEAN_COMMAND): the first admin's credentials from the data folder, `lean login`,
 * `lcs workspace`, `lean project-create` / `cloud push` / `cloud backtest` / `cloud pull`,
 * `lcs data push` then `lean data download`, and users, tokens and keys with `lcs admin` (`--json`
 * output parsed as JSON). Deploying is covered by the infra tests and scripts/check-deploy.mjs.
 */
jest.setTimeout(240_000);

const dataDir = process.env.LCS_TEST_DATA_DIR as string;
const admin = () => JSON.parse(readFileSync(join(dataDir, 'admin.json'), 'utf8')) as { userId: number; token: string; organizationId: string };
const lcsJson = async <T>(args: string[]): Promise<T> => {
  const run = await runLcs([...args, ...testDataDir(), '--json']);
  if (run.code !== 0) throw new Error(`lcs ${args.join(' ')} failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
};
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lcs-first-run-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('start, lean login, workspace, push, backtest, pull, data push and lean data download, users and keys', async () => {
  // The first admin's credentials live in the data folder (README: Quick start).
  const first = admin();
  const creds = { userId: first.userId, token: first.token };

  // lean login: GET authenticate with the candidate credentials.
  expect((await call('authenticate', { method: 'GET', creds })).body).toEqual({ success: true });

  // npx lcs workspace <dir>: lean.json with the first organization.
  const workspace = join(dir, 'workspace');
  expect((await runLcs(['workspace', workspace, ...testDataDir()])).code).toBe(0);
  const leanJson = JSON.parse(readFileSync(join(workspace, 'lean.json'), 'utf8')) as Record<string, string>;
  expect(leanJson).toEqual({ 'data-folder': 'data', 'job-organization-id': first.organizationId });
  const cli = new LeanCli(creds, leanJson['job-organization-id'] as string);

  // lean project-create + lean cloud push + lean cloud backtest --push.
  const name = `First Run ${randomBytes(3).toString('hex')}`;
  const { projectId, compileId } = await pythonProject(cli, name, algorithm());
  const created = await cli.createBacktest(projectId, compileId, 'first run');
  const { final } = await pollBacktest(cli, projectId, (created.body.backtest as BacktestBody).backtestId, { timeoutMs: 120_000 });
  expect(final.status).toBe('Completed.');

  // lean cloud pull: the project list, then each project's files.
  const listed = (await cli.listProjects()).body.projects as { projectId: number; name: string }[];
  expect(listed).toContainEqual(expect.objectContaining({ projectId, name }));
  const files = (await cli.readFiles(projectId)).body.files as { name: string; content: string }[];
  expect(files.find((f) => f.name === 'main.py')?.content).toBe(algorithm());

  // npx lcs data push <LEAN data folder>, then lean data download of what was pushed.
  const ticker = `fr${randomBytes(3).toString('hex')}`;
  const leanData = join(dir, 'lean-data');
  mkdirSync(join(leanData, 'equity', 'usa', 'daily'), { recursive: true });
  const bytes = randomBytes(2048);
  writeFileSync(join(leanData, 'equity', 'usa', 'daily', `${ticker}.zip`), bytes);
  const pushed = await runLcs(['data', 'push', leanData, '--quiet', ...testDataDir()]);
  expect({ code: pushed.code, stderr: pushed.stderr }).toEqual({ code: 0, stderr: '' });
  const downloaded = await leanDataDownload(creds, first.organizationId, 'equity (local data)', { files: `usa/daily/${ticker}.zip` });
  expect(downloaded.get(`equity/usa/daily/${ticker}.zip`)?.equals(bytes)).toBe(true);

  // Users and keys: a member, found again with user list; a token for lean login; a key for scripts.
  const email = `first-run-${randomBytes(3).toString('hex')}@example.invalid`;
  const user = await lcsJson<{ id: number }>(['admin', 'user', 'create', '--email', email, '--name', 'First Run', '--org', first.organizationId]);
  const users = await lcsJson<{ id: number; email: string }[]>(['admin', 'user', 'list']);
  expect(users).toContainEqual(expect.objectContaining({ id: user.id, email }));
  const token = await lcsJson<{ token: string }>(['admin', 'token', 'issue', '--user', String(user.id)]);
  expect((await call('authenticate', { method: 'GET', creds: { userId: user.id, token: token.token } })).body).toEqual({ success: true });
  const key = await lcsJson<{ keyId: string; secret: string }>(['admin', 'key', 'issue', '--user', String(user.id), '--name', 'scripts']);
  // The README's curl: POST projects/read with X-API-Key and X-API-Secret.
  const viaKey = await call('projects/read', { json: {}, headers: { 'X-API-Key': key.keyId, 'X-API-Secret': key.secret } });
  expect(viaKey.body.success).toBe(true);
});
