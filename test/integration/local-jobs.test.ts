import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServerProcess, startServerProcess } from '../../local/server-process';
import { type Answer, type CallOptions, type Creds, call, LeanCli } from '../support/api';
import { algorithm, type BacktestBody, compileProject, pollBacktest, pythonProject } from '../support/backtests';
import { FAKE_ENGINE_ENV } from '../support/fake-engines';
import { LEAN_DATA_FIXTURE } from '../support/lean-data';
import { until } from '../support/live';

/**
 * Local mode's job worker as `npm start` runs it, on servers of its own: with no LEAN engine a
 * backtest fails at once saying what to install; stopping the server keeps finished results and
 * does not leave a running backtest "running" forever.
 */
jest.setTimeout(180_000);

const fakeLean = FAKE_ENGINE_ENV.LCS_LEAN_COMMAND;
/** The fake LEAN's "installation" Data folder (LCS_LEAN_DATA_DIR). */
const leanData = LEAN_DATA_FIXTURE;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lcs-local-jobs-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A lean-cli client of one server, as its first admin (the credentials its first start saved). */
function clientOf(server: ServerProcess, dataDir: string): { cli: LeanCli; creds: Creds } {
  const admin = JSON.parse(readFileSync(join(dataDir, 'admin.json'), 'utf8')) as { userId: number; token: string; organizationId: string };
  const creds = { userId: admin.userId, token: admin.token };
  return { cli: new LeanCli(creds, admin.organizationId, server.apiUrl), creds };
}

const on = (server: ServerProcess, endpoint: string, options: CallOptions): Promise<Answer> => call(endpoint, { ...options, base: server.apiUrl });

test('with no LEAN engine, a backtest fails at once saying what to install; a C# build likewise', async () => {
  const dataDir = join(dir, 'no-engine');
  const server = await startServerProcess({ dataDir, args: ['--quiet'], env: { LCS_DOCKER: join(dir, 'no-docker-here') } });
  try {
    const { cli } = clientOf(server, dataDir);
    const { projectId, compileId } = await pythonProject(cli, 'NoEngine', algorithm());
    const created = await cli.createBacktest(projectId, compileId, 'no engine');
    const started = Date.now();
    const { final } = await pollBacktest(cli, projectId, (created.body.backtest as BacktestBody).backtestId, { timeoutMs: 20_000 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(final.status).toBe('Runtime Error');
    expect(final.error).toMatch(/install Docker.*LCS_LEAN_COMMAND/);

    const cs = await cli.createProject('NoEngineCs', 'C#');
    const csId = (cs.body.projects as { projectId: number }[])[0]?.projectId as number;
    await cli.push(csId, { name: 'NoEngineCs', files: [{ name: 'Main.cs', content: 'public class A : QCAlgorithm {}\n' }] });
    const build = await compileProject(cli, csId);
    expect(build.state).toBe('BuildError');
    expect(build.logs.join('\n')).toMatch(/Docker.*LCS_DOTNET_COMMAND/);
    // jobs.log says why each failed, not just "failed". The worker appends its line after recording the outcome,
    // so the line may follow the answer by a moment: read until it is there (CI once read the file in between).
    const backtestId = (created.body.backtest as BacktestBody).backtestId;
    const log = await until(
      'the build failure in jobs.log',
      async () => readFileSync(join(dataDir, 'jobs.log'), 'utf8'),
      (text) => /job build \S+: failed: /.test(text),
      10_000,
    );
    expect(log).toMatch(new RegExp(`${backtestId}\\S*: failed: .*install Docker.*LCS_LEAN_COMMAND`));
    expect(log).toMatch(/job build \S+: failed: .*Docker.*LCS_DOTNET_COMMAND/);
  } finally {
    await server.stop();
  }
});

test('stopping the server keeps a finished backtest; one that was running ends failed, not running forever', async () => {
  const dataDir = join(dir, 'restart');
  const env = { LCS_LEAN_COMMAND: fakeLean, LCS_LEAN_DATA_DIR: leanData, LCS_PROGRESS_MS: '250' };
  const first = await startServerProcess({ dataDir, args: ['--quiet'], env });
  let finished: BacktestBody;
  let runningId: string;
  let projectId: number;
  let compileId: string;
  const { creds } = clientOf(first, dataDir);
  try {
    const { cli } = clientOf(first, dataDir);
    ({ projectId, compileId } = await pythonProject(cli, 'Restart', algorithm({ orders: 150 })));
    const done = await cli.createBacktest(projectId, compileId, 'finished before the stop');
    ({ final: finished } = await pollBacktest(cli, projectId, (done.body.backtest as BacktestBody).backtestId));
    expect(finished.status).toBe('Completed.');

    const hanging = await pythonProject(cli, 'Restart/Hang', algorithm({ scenario: 'hang' }));
    const created = await cli.createBacktest(hanging.projectId, hanging.compileId, 'running at the stop');
    runningId = (created.body.backtest as BacktestBody).backtestId;
    await pollBacktest(cli, hanging.projectId, runningId, { until: (b) => b.status.startsWith('Running') });
    projectId = hanging.projectId;
  } finally {
    expect(await first.stop('SIGINT')).toBe(0);
  }

  const second = await startServerProcess({ dataDir, args: ['--quiet'], env });
  try {
    const { cli } = clientOf(second, dataDir);
    const kept = ((await cli.readBacktest(finished.projectId as number, finished.backtestId)).body.backtest ?? {}) as BacktestBody;
    expect(kept).toMatchObject({ status: 'Completed.', completed: true, statistics: finished.statistics });
    const page = await on(second, 'backtests/orders/read', {
      json: { projectId: finished.projectId, backtestId: finished.backtestId, start: 100, end: 200 },
      creds,
    });
    expect(page.body).toMatchObject({ success: true, length: 150 });
    expect((page.body.orders as unknown[]).length).toBe(50);

    const stopped = ((await cli.readBacktest(projectId, runningId)).body.backtest ?? {}) as BacktestBody;
    expect(stopped.status).toBe('Runtime Error');
    expect(stopped.error).toMatch(/server was stopped/);
    // Its node is free: a new backtest runs on the restarted server.
    const again = await cli.createBacktest(finished.projectId as number, compileId, 'after the restart');
    const { final } = await pollBacktest(cli, finished.projectId as number, (again.body.backtest as BacktestBody).backtestId);
    expect(final.status).toBe('Completed.');
  } finally {
    await second.stop();
  }
});

test('a backtest waiting for the only node starts as soon as it is freed, not at its next delayed delivery', async () => {
  const dataDir = join(dir, 'wake');
  // Waiting jobs back off 2, 4, 8, 16 s: without the wake-up the second backtest would start
  // about 14 s after it was queued, well after the first one (~8 s) ends.
  const server = await startServerProcess({
    dataDir,
    args: ['--quiet'],
    env: { LCS_LEAN_COMMAND: fakeLean, LCS_LEAN_DATA_DIR: leanData, LCS_PROGRESS_MS: '250', LCS_NODE_WAIT_MAX_SECONDS: '30' },
  });
  try {
    const { cli } = clientOf(server, dataDir);
    const first = await pythonProject(cli, 'Wake/First', algorithm({ scenario: 'slow', seconds: 7 }));
    const second = await pythonProject(cli, 'Wake/Second', algorithm());
    const a = ((await cli.createBacktest(first.projectId, first.compileId, 'first')).body.backtest as BacktestBody).backtestId;
    await pollBacktest(cli, first.projectId, a, { until: (b) => b.status.startsWith('Running') });
    const b = ((await cli.createBacktest(second.projectId, second.compileId, 'second')).body.backtest as BacktestBody).backtestId;
    let firstDone = 0;
    let secondStarted = 0;
    const deadline = Date.now() + 40_000;
    while (Date.now() < deadline && !secondStarted) {
      const [sa, sb] = await Promise.all([cli.readBacktest(first.projectId, a), cli.readBacktest(second.projectId, b)]);
      const statusA = (sa.body.backtest as BacktestBody).status;
      const statusB = (sb.body.backtest as BacktestBody).status;
      if (!firstDone && statusA === 'Completed.') firstDone = Date.now();
      if (statusB !== 'In Queue...') secondStarted = Date.now();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(firstDone).toBeGreaterThan(0);
    expect(secondStarted).toBeGreaterThan(0);
    expect(secondStarted - firstDone).toBeLessThan(3000);
  } finally {
    await server.stop();
  }
});

test("with LCS_LEAN_COMMAND, LEAN's own data folder (LCS_LEAN_DATA_DIR) is checked at start and seeds the local one", async () => {
  // Missing or wrong: a clear start-up message, not a failed backtest later.
  for (const [env, message] of [
    [{ LCS_LEAN_COMMAND: fakeLean }, /LCS_LEAN_COMMAND is set but LCS_LEAN_DATA_DIR is not/],
    [
      { LCS_LEAN_COMMAND: fakeLean, LCS_LEAN_DATA_DIR: dir },
      /LCS_LEAN_DATA_DIR \(.+\) is not LEAN's data folder: market-hours\/market-hours-database\.json and symbol-properties\/symbol-properties-database\.csv missing/,
    ],
  ] as const) {
    await expect(startServerProcess({ dataDir: join(dir, 'unseeded'), args: ['--quiet'], env })).rejects.toThrow(message);
  }
  const dataDir = join(dir, 'seeded');
  const server = await startServerProcess({
    dataDir,
    args: ['--quiet'],
    env: { LCS_LEAN_COMMAND: fakeLean, LCS_LEAN_DATA_DIR: leanData, LCS_PROGRESS_MS: '250' },
  });
  try {
    for (const file of ['market-hours/market-hours-database.json', 'symbol-properties/symbol-properties-database.csv', 'equity/usa/map_files/spy.csv']) {
      expect(readFileSync(join(dataDir, 'lean-data', file), 'utf8')).toBe(readFileSync(join(leanData, file), 'utf8'));
    }
    // A backtest runs on it: LEAN finds the market hours, and map files zipped from the CSV files.
    const { cli } = clientOf(server, dataDir);
    const { projectId, compileId } = await pythonProject(cli, 'Seeded', algorithm());
    const created = await cli.createBacktest(projectId, compileId, 'seeded');
    const { final } = await pollBacktest(cli, projectId, (created.body.backtest as BacktestBody).backtestId);
    expect(final.status).toBe('Completed.');
  } finally {
    await server.stop();
  }
});
