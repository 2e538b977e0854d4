import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listPages } from '../../core/data/blobs/s3-objects';
import { s3 } from '../../core/data/table/clients';
import { call } from '../support/api';
import { algorithm, type BacktestBody, compileProject, leanCliDone, pollBacktest, pythonProject } from '../support/backtests';
import { createTenant, type Tenant } from '../support/tenants';

/**
 * Backtests end to end in local mode, speaking exactly like lean-cli: push, compile/create, poll
 * compile/read, backtests/create, poll backtests/read until lean-cli's completion rule holds, then
 * read charts, every order page, insights and the report. LEAN is the fake LEAN (the runner, queue,
 * dispatcher, reconciler and result store are the real ones).
 */
jest.setTimeout(120_000);

let tenant: Tenant;

beforeAll(async () => {
  tenant = await createTenant('backtests e2e');
});

const nodesBusy = async () => {
  const nodes = await tenant.cli.nodes();
  return (nodes.body.backtest as { busy: boolean }[]).some((n) => n.busy);
};

async function objectsUnder(prefix: string): Promise<number> {
  const { client } = await s3();
  let count = 0;
  for await (const page of listPages(client, { Bucket: process.env.ARTIFACTS_BUCKET_NAME as string, Prefix: prefix })) count += page.Contents?.length ?? 0;
  return count;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('lean cloud backtest, successful run', () => {
  let projectId: number;
  let backtestId: string;
  let final: BacktestBody;
  let seen: BacktestBody[];

  beforeAll(async () => {
    ({ projectId } = await pythonProject(tenant.cli, 'E2E/Slow', algorithm({ scenario: 'slow', seconds: 3, orders: 250, insights: 130 })));
    const compiled = await compileProject(tenant.cli, projectId);
    expect(compiled.state).toBe('BuildSuccess');
    const created = await tenant.cli.createBacktest(projectId, compiled.compileId, 'Emotional Blue Llama', { fast: '12' });
    expect(created.body.success).toBe(true);
    const backtest = created.body.backtest as BacktestBody;
    expect(backtest).toMatchObject({ projectId, name: 'Emotional Blue Llama', status: 'In Queue...', completed: false, progress: 0, error: null });
    expect(backtest.backtestId).toMatch(/^[0-9a-f]{32}$/);
    backtestId = backtest.backtestId;
    ({ final, seen } = await pollBacktest(tenant.cli, projectId, backtestId));
  });

  test('progress is reported while it runs, then lean-cli completion rule holds', () => {
    const running = seen.filter((b) => b.status.startsWith('Running: '));
    expect(running.length).toBeGreaterThan(0);
    expect(running.some((b) => b.progress > 0 && b.progress < 1)).toBe(true);
    for (const b of running) expect(b.status).toBe(`Running: ${Math.floor(b.progress * 100)}%`);
    expect(leanCliDone(final)).toBe(true);
    expect(final).toMatchObject({ status: 'Completed.', completed: true, progress: 1, error: null, stacktrace: null, hasInitializeError: false });
    expect(final.parameterSet).toEqual({ fast: '12' });
    expect(final.created).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(final.backtestStart).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  test('statistics, runtime statistics and total performance come from LEAN files', () => {
    const statistics = final.statistics as Record<string, string>;
    expect(Object.keys(statistics).length).toBeGreaterThan(10);
    for (const value of Object.values(statistics)) expect(typeof value).toBe('string');
    expect(final.runtimeStatistics).toMatchObject({ Equity: expect.stringMatching(/^-?\$/) });
    expect(final.totalPerformance).toMatchObject({ tradeStatistics: expect.any(Object), portfolioStatistics: expect.any(Object) });
    expect(final.charts['Strategy Equity']).toEqual({ Name: 'Strategy Equity' });
  });

  test('chart/read down-samples Strategy Equity to count points, as LEAN asks for it', async () => {
    const answer = await call('backtests/chart/read', { json: { projectId, backtestId, name: 'Strategy Equity', count: 10 }, creds: tenant.admin });
    expect(answer.body.success).toBe(true);
    const chart = answer.body.chart as { name: string; series: Record<string, { values: unknown[] }> };
    expect(chart.name).toBe('Strategy Equity');
    const equity = chart.series.Equity;
    expect(equity?.values.length).toBeGreaterThan(1);
    expect(equity?.values.length).toBeLessThanOrEqual(10);
    const missing = await call('backtests/chart/read', { json: { projectId, backtestId, name: 'No Such Chart', count: 10 }, creds: tenant.admin });
    expect(missing.body.success).toBe(false);
  });

  test('every order page, with events, adds up to length', async () => {
    const orders: { id: number; events: unknown[] }[] = [];
    let length = Number.POSITIVE_INFINITY;
    for (let start = 0; start < length; start += 100) {
      const page = await call('backtests/orders/read', { json: { projectId, backtestId, start, end: start + 100 }, creds: tenant.admin });
      expect(page.body.success).toBe(true);
      length = page.body.length as number;
      orders.push(...(page.body.orders as { id: number; events: unknown[] }[]));
    }
    expect(length).toBe(250);
    expect(orders.map((o) => o.id)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    expect(orders.every((o) => Array.isArray(o.events) && o.events.length > 0)).toBe(true);
    const tooMany = await call('backtests/orders/read', { json: { projectId, backtestId, start: 0, end: 200 }, creds: tenant.admin });
    expect(tooMany.body.success).toBe(false);
  });

  test('insights on both paths, report as HTML, list with statistics', async () => {
    for (const path of ['backtests/insights/read', 'backtests/read/insights']) {
      const page = await call(path, { json: { projectId, backtestId, start: 100, end: 200 }, creds: tenant.admin });
      expect(page.body).toMatchObject({ success: true, length: 130 });
      expect((page.body.insights as unknown[]).length).toBe(30);
    }
    const report = await call('backtests/read/report', { json: { backtestId, projectId }, creds: tenant.admin });
    expect(report.body.success).toBe(true);
    expect(report.body.report).toMatch(/<html[\s\S]*Emotional Blue Llama[\s\S]*<\/html>/i);
    const list = await call('backtests/list', { json: { projectId, includeStatistics: true }, creds: tenant.admin });
    expect(list.body).toMatchObject({ success: true, count: 1 });
    expect((list.body.backtests as Record<string, unknown>[])[0]).toMatchObject({ backtestId, status: 'Completed.', sharpeRatio: expect.any(Number) });
  });

  test('the node is free again', async () => {
    await waitFor('the node to be freed', async () => !(await nodesBusy()));
  });
});

test('huge output (100,000 orders, a 50,000-point chart) goes through the runner and reads by the page', async () => {
  const { projectId, compileId } = await pythonProject(tenant.cli, 'E2E/Huge', algorithm({ scenario: 'huge' }));
  const created = await tenant.cli.createBacktest(projectId, compileId, 'Huge');
  const backtestId = (created.body.backtest as BacktestBody).backtestId;
  const { final } = await pollBacktest(tenant.cli, projectId, backtestId, { timeoutMs: 100_000, intervalMs: 500 });
  expect(final.status).toBe('Completed.');
  const last = await call('backtests/orders/read', { json: { projectId, backtestId, start: 99_950, end: 100_050 }, creds: tenant.admin });
  expect(last.body.length).toBe(100_000);
  const orders = last.body.orders as { id: number; events: unknown[] }[];
  expect(orders.map((o) => o.id)).toEqual(Array.from({ length: 50 }, (_, i) => 99_951 + i));
  const chart = await call('backtests/chart/read', { json: { projectId, backtestId, name: 'Strategy Equity', count: 100 }, creds: tenant.admin });
  const equity = (chart.body.chart as { series: Record<string, { values: unknown[] }> }).series.Equity?.values ?? [];
  expect(equity.length).toBeGreaterThan(50);
  expect(equity.length).toBeLessThanOrEqual(100);
});

describe('failures', () => {
  test('a Python syntax error is a BuildError naming the file and line, before any container', async () => {
    const created = await tenant.cli.createProject('E2E/Syntax');
    const projectId = (created.body.projects as { projectId: number }[])[0]?.projectId as number;
    const broken = algorithm().replace('    def on_data(self, data):', '    def on_data(self, data)');
    await tenant.cli.push(projectId, { name: 'E2E/Syntax', files: [{ name: 'main.py', content: broken }] });
    const compiled = await compileProject(tenant.cli, projectId);
    expect(compiled.state).toBe('BuildError');
    const line = broken.split('\n').findIndex((l) => l.includes('def on_data')) + 1;
    expect(compiled.logs.join('\n')).toMatch(new RegExp(`main\\.py[^\\n]*${line}`));
  });

  test('a runtime error ends as Runtime Error with the stack trace', async () => {
    const { projectId, compileId } = await pythonProject(tenant.cli, 'E2E/RuntimeError', algorithm({ scenario: 'runtime-error' }));
    const created = await tenant.cli.createBacktest(projectId, compileId, 'Runtime error');
    const { final } = await pollBacktest(tenant.cli, projectId, (created.body.backtest as BacktestBody).backtestId);
    expect(final.status).toBe('Runtime Error');
    expect(final.error).toEqual(expect.any(String));
    expect(final.stacktrace).toEqual(expect.any(String));
    expect(final.hasInitializeError).toBe(false);
  });

  test('an initialization error is flagged as one', async () => {
    const { projectId, compileId } = await pythonProject(tenant.cli, 'E2E/InitError', algorithm({ scenario: 'init-error' }));
    const created = await tenant.cli.createBacktest(projectId, compileId, 'Init error');
    const { final } = await pollBacktest(tenant.cli, projectId, (created.body.backtest as BacktestBody).backtestId);
    expect(final).toMatchObject({ status: 'Runtime Error', hasInitializeError: true });
    expect(final.error).toMatch(/^During the algorithm initialization, the following exception has occurred:/);
  });

  test('a crash (no result files) and an out-of-memory kill end with clear errors and free the node', async () => {
    for (const [scenario, pattern] of [
      ['crash', /.+/],
      ['oom', /memory/i],
    ] as const) {
      const { projectId, compileId } = await pythonProject(tenant.cli, `E2E/${scenario}`, algorithm({ scenario }));
      const created = await tenant.cli.createBacktest(projectId, compileId, scenario);
      const { final } = await pollBacktest(tenant.cli, projectId, (created.body.backtest as BacktestBody).backtestId);
      expect(final.status).toBe('Runtime Error');
      expect(final.error).toMatch(pattern);
    }
    await waitFor('the node to be freed', async () => !(await nodesBusy()));
  });
});

describe('node slots', () => {
  test('deleting a running backtest stops it and frees the node', async () => {
    const { projectId, compileId } = await pythonProject(tenant.cli, 'E2E/Hang', algorithm({ scenario: 'hang' }));
    const created = await tenant.cli.createBacktest(projectId, compileId, 'Hangs');
    const backtestId = (created.body.backtest as BacktestBody).backtestId;
    await pollBacktest(tenant.cli, projectId, backtestId, { until: (b) => b.status.startsWith('Running') });
    expect(await nodesBusy()).toBe(true);
    const deleted = await tenant.cli.deleteBacktest(projectId, backtestId);
    expect(deleted.body).toEqual({ success: true });
    await waitFor('the node to be freed', async () => !(await nodesBusy()));
    expect((await tenant.cli.readBacktest(projectId, backtestId)).body.success).toBe(false);
  });

  test('deleting a project stops its running backtest at once and leaves nothing of it behind', async () => {
    const { projectId, compileId } = await pythonProject(tenant.cli, 'E2E/DeletedWhileRunning', algorithm({ scenario: 'hang' }));
    const created = await tenant.cli.createBacktest(projectId, compileId, 'Hangs until its project goes');
    const backtestId = (created.body.backtest as BacktestBody).backtestId;
    await pollBacktest(tenant.cli, projectId, backtestId, { until: (b) => b.status.startsWith('Running') });
    expect(await nodesBusy()).toBe(true);
    expect((await tenant.cli.deleteProject(projectId)).body).toEqual({ success: true });
    // Freed by the delete itself, not when the runner next notices.
    expect(await nodesBusy()).toBe(false);
    // The runner stops LEAN, stores what LEAN wrote, finds the backtest gone and removes it again.
    const jobLog = join(process.env.LCS_TEST_DATA_DIR as string, 'jobs.log');
    await waitFor('the runner to end', async () => readFileSync(jobLog, 'utf8').includes(`task local:${backtestId}-1 ended`));
    expect(await objectsUnder(`projects/${projectId}/`)).toBe(0);
  });

  test('two backtests on a one-node organization run one after the other', async () => {
    const nodes = await tenant.cli.nodes();
    expect((nodes.body.backtest as unknown[]).length).toBe(1);
    const { projectId, compileId } = await pythonProject(tenant.cli, 'E2E/Queue', algorithm({ scenario: 'slow', seconds: 2 }));
    const ids = [];
    for (const name of ['first', 'second']) {
      const created = await tenant.cli.createBacktest(projectId, compileId, name);
      ids.push((created.body.backtest as BacktestBody).backtestId);
    }
    const statuses: string[][] = [];
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const now = await Promise.all(ids.map(async (id) => ((await tenant.cli.readBacktest(projectId, id)).body.backtest as BacktestBody).status));
      statuses.push(now);
      if (now.every((s) => s === 'Completed.')) break;
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(statuses.at(-1)).toEqual(['Completed.', 'Completed.']);
    // Never both running; one of them waited "In Queue..." while the other ran.
    expect(statuses.some((s) => s.every((x) => x.startsWith('Running')))).toBe(false);
    expect(statuses.some((s) => s.some((x) => x.startsWith('Running')) && s.includes('In Queue...'))).toBe(true);
  });
});

describe('C#', () => {
  const main = (extra = '') =>
    [
      'using QuantConnect.Algorithm;',
      '',
      'namespace QuantConnect.Algorithm.CSharp',
      '{',
      '    public class MyCsAlgorithm : QCAlgorithm',
      '    {',
      `        ${extra}`,
      '    }',
      '}',
      '',
    ].join('\n');

  async function csProject(name: string, content: string): Promise<number> {
    const created = await tenant.cli.createProject(name, 'C#');
    const projectId = (created.body.projects as { projectId: number }[])[0]?.projectId as number;
    await tenant.cli.push(projectId, { name, files: [{ name: 'Main.cs', content }] });
    return projectId;
  }

  test('a C# project is built by a build job, then backtested from its assembly', async () => {
    const projectId = await csProject('E2E/CSharp', main());
    const compiled = await compileProject(tenant.cli, projectId);
    expect(compiled.state).toBe('BuildSuccess');
    expect(compiled.logs.join('\n')).toMatch(/Build Successful/);
    const created = await tenant.cli.createBacktest(projectId, compiled.compileId, 'C# run');
    const { final } = await pollBacktest(tenant.cli, projectId, (created.body.backtest as BacktestBody).backtestId);
    expect(final).toMatchObject({ status: 'Completed.', error: null });
  });

  test('a C# compiler error is a BuildError with the compiler line', async () => {
    const projectId = await csProject('E2E/CSharpError', main('FAKE_BUILD_ERROR'));
    const compiled = await compileProject(tenant.cli, projectId);
    expect(compiled.state).toBe('BuildError');
    expect(compiled.logs.join('\n')).toMatch(/Main\.cs.*CS\d{4}/);
  });
});

describe('a new project as created', () => {
  test.each(['Py', 'C#'] as const)('its starter algorithm (%s) compiles and backtests with no file pushed', async (language) => {
    const created = await tenant.cli.createProject(`E2E/Starter ${language}`, language);
    const projectId = (created.body.projects as { projectId: number }[])[0]?.projectId as number;
    const compiled = await compileProject(tenant.cli, projectId);
    expect(compiled.state).toBe('BuildSuccess');
    const started = await tenant.cli.createBacktest(projectId, compiled.compileId, `Starter ${language}`);
    const { final } = await pollBacktest(tenant.cli, projectId, (started.body.backtest as BacktestBody).backtestId);
    expect(final).toMatchObject({ status: 'Completed.', completed: true, error: null });
  });
});
