import { randomBytes } from 'node:crypto';
import { backtestRepository } from '../../core/data/backtests/backtest-repository';
import type { ChartPoint, LeanResults } from '../../core/data/results/result-model';
import { resultStore } from '../../core/data/results/result-store';
import { newBacktest } from '../../core/domain/backtests/backtest-lifecycle';
import type { Backtest } from '../../core/domain/backtests/types';
import { type Answer, type Creds, call } from '../support/api';
import { SYNTHETIC_T0, syntheticResults } from '../support/synthetic-results';
import { createTenant, type Tenant } from '../support/tenants';

/**
 * Pre-split backtest results (design §7, contract §3.6): written by the result store straight into
 * the emulator storage the test server uses, read back through the store and over HTTP.
 */
jest.setTimeout(300_000);

const BIG = { orders: 100_000, insights: 1_050, points: 50_000 };
const SMALL = { orders: 100, insights: 3, points: 100 };
const MINUTE = 60;

let tenant: Tenant;
let other: Tenant;
let projectId: number;
const bigId = randomBytes(16).toString('hex');
const smallId = randomBytes(16).toString('hex');
let big: LeanResults;

function backtestItem(backtestId: string, changes: Partial<Backtest> = {}): Backtest {
  return newBacktest({
    backtestId,
    projectId,
    orgId: tenant.orgId,
    userId: tenant.admin.userId,
    compileId: `${'c'.repeat(32)}-${'d'.repeat(32)}`,
    name: `Synthetic ${backtestId.slice(0, 6)}`,
    phase: 'completed',
    progress: 1,
    resultsReady: true,
    ...changes,
  });
}

const post = (endpoint: string, body: Record<string, unknown>, creds: Creds = tenant.admin): Promise<Answer> => call(endpoint, { json: body, creds });
const ids = (items: unknown) => (items as { id: number }[]).map((o) => o.id);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const timeOf = (p: ChartPoint) => (Array.isArray(p) ? p[0] : p.x);

beforeAll(async () => {
  [tenant, other] = await Promise.all([createTenant('results'), createTenant('results other')]);
  const created = await post('projects/create', { name: `Results ${randomBytes(3).toString('hex')}`, language: 'Py', organizationId: tenant.orgId });
  projectId = (created.body.projects as { projectId: number }[])[0]!.projectId;

  big = syntheticResults(BIG);
  const [bigWritten, smallWritten] = await Promise.all([
    resultStore.writeResults(projectId, bigId, big),
    resultStore.writeResults(projectId, smallId, syntheticResults(SMALL)),
  ]);
  await backtestRepository.put(backtestItem(bigId, bigWritten));
  await backtestRepository.put(backtestItem(smallId, smallWritten));
});

describe('result store', () => {
  test('writeResults answers the counts and chart names', async () => {
    const again = await resultStore.writeResults(projectId, randomBytes(16).toString('hex'), syntheticResults({ orders: 250, insights: 7, points: 10 }));
    expect(again).toEqual({ orderCount: 250, insightCount: 7, chartNames: ['Strategy Equity', 'Benchmark'] });
  });

  test('order windows read the right items, across page boundaries and at the end', async () => {
    expect(ids(await resultStore.readOrders(projectId, bigId, 0, 100, BIG.orders))).toEqual(range(1, 100));
    expect(ids(await resultStore.readOrders(projectId, bigId, 150, 250, BIG.orders))).toEqual(range(151, 250));
    expect(ids(await resultStore.readOrders(projectId, bigId, 50_050, 50_051, BIG.orders))).toEqual([50_051]);
    expect(ids(await resultStore.readOrders(projectId, bigId, 99_950, 100_050, BIG.orders))).toEqual(range(99_951, 100_000));
    expect(await resultStore.readOrders(projectId, bigId, 100_000, 100_100, BIG.orders)).toEqual([]);
    expect(await resultStore.readOrders(projectId, bigId, 10, 10, BIG.orders)).toEqual([]);
    // Orders come back exactly as written, events included.
    expect((await resultStore.readOrders(projectId, bigId, 41_999, 42_000, BIG.orders))[0]).toEqual(big.orders[41_999]);
  });

  test('insight windows', async () => {
    const insights = await resultStore.readInsights(projectId, bigId, 990, 1_090, BIG.insights);
    expect(insights).toEqual(big.insights.slice(990, 1_050));
  });

  test('charts: count, first and last time, windows, unknown names', async () => {
    const chart = await resultStore.readChart(projectId, bigId, 'Strategy Equity', { count: 100 });
    expect(chart).toMatchObject({ name: 'Strategy Equity', chartType: 0 });
    for (const key of ['Equity', 'Return']) {
      const values = chart!.series[key]!.values;
      expect(values.length).toBeLessThanOrEqual(100);
      expect(values.length).toBeGreaterThan(50);
      expect(timeOf(values[0]!)).toBe(SYNTHETIC_T0);
      expect(timeOf(values.at(-1)!)).toBe(SYNTHETIC_T0 + (BIG.points - 1) * MINUTE);
    }
    const start = SYNTHETIC_T0 + 20_000 * MINUTE;
    const end = SYNTHETIC_T0 + 20_049 * MINUTE;
    const window = await resultStore.readChart(projectId, bigId, 'Strategy Equity', { count: 100, start, end });
    expect(window!.series.Equity!.values).toEqual(big.charts[0]!.series.Equity!.values.slice(20_000, 20_050));
    const benchmark = await resultStore.readChart(projectId, bigId, 'Benchmark', { count: 100_000 });
    expect(benchmark!.series.Benchmark!.values).toEqual(big.charts[1]!.series.Benchmark!.values);
    expect(await resultStore.readChart(projectId, bigId, 'No Such Chart', { count: 100 })).toBeUndefined();
  });

  test('summary, log and report', async () => {
    expect(await resultStore.readSummary(projectId, bigId)).toEqual(big.summary);
    expect(await resultStore.readLog(projectId, bigId)).toBe(big.algorithmLog);
    expect(await resultStore.readReport(projectId, bigId)).toBeUndefined();
    await resultStore.writeReport(projectId, smallId, '<html>small</html>');
    expect(await resultStore.readReport(projectId, smallId)).toBe('<html>small</html>');
  });

  test('deleteResults removes everything under the backtest', async () => {
    const id = randomBytes(16).toString('hex');
    await resultStore.writeResults(projectId, id, syntheticResults({ orders: 150, insights: 2, points: 5 }));
    await resultStore.writeReport(projectId, id, '<html/>');
    // summary, log, report, 2 order pages, 1 insight page, 2 charts × (index + 1 block).
    expect(await resultStore.deleteResults(projectId, id)).toBe(10);
    expect(await resultStore.readSummary(projectId, id)).toBeUndefined();
    expect(await resultStore.readOrders(projectId, id, 0, 100, 150)).toEqual([]);
    expect(await resultStore.readChart(projectId, id, 'Strategy Equity', { count: 100 })).toBeUndefined();
  });
});

describe('backtests/orders/read', () => {
  test('0..100: the first 100 orders with their events, length the total', async () => {
    const answer = await post('backtests/orders/read', { projectId, backtestId: bigId, start: 0, end: 100 });
    expect(answer.body.success).toBe(true);
    expect(answer.body.length).toBe(100_000);
    const orders = answer.body.orders as { id: number; events: { orderId: number; status: string }[] }[];
    expect(ids(orders)).toEqual(range(1, 100));
    expect(orders[0]!.events.map((e) => [e.orderId, e.status])).toEqual([
      [1, 'submitted'],
      [1, 'filled'],
    ]);
    expect(orders[0]).toEqual(big.orders[0]);
  });

  test('the middle and the last page of a 100,000-order backtest', async () => {
    const middle = await post('backtests/orders/read', { projectId, backtestId: bigId, start: 50_050, end: 50_150 });
    expect(ids(middle.body.orders)).toEqual(range(50_051, 50_150));
    const last = await post('backtests/orders/read', { projectId, backtestId: bigId, start: 99_900, end: 100_000 });
    expect(ids(last.body.orders)).toEqual(range(99_901, 100_000));
    const past = await post('backtests/orders/read', { projectId, backtestId: bigId, start: 100_000, end: 100_100 });
    expect(past.body).toEqual({ success: true, orders: [], length: 100_000 });
  });

  test('a small backtest, read with a GET query string', async () => {
    const answer = await call('backtests/orders/read', { method: 'GET', query: { projectId, backtestId: smallId, start: 90, end: 190 }, creds: tenant.admin });
    expect(answer.body.length).toBe(SMALL.orders);
    expect(ids(answer.body.orders)).toEqual(range(91, 100));
  });

  test('more than 100 per call is refused', async () => {
    const answer = await post('backtests/orders/read', { projectId, backtestId: bigId, start: 0, end: 200 });
    expect(answer.body.success).toBe(false);
    expect(answer.body.errors?.join(' ')).toMatch(/100/);
  });
});

describe('backtest insights', () => {
  test.each(['backtests/insights/read', 'backtests/read/insights'])('%s', async (endpoint) => {
    const answer = await post(endpoint, { projectId, backtestId: bigId, start: 1_000, end: 1_100 });
    expect(answer.body).toEqual({ success: true, insights: big.insights.slice(1_000, 1_050), length: BIG.insights });
    const refused = await post(endpoint, { projectId, backtestId: bigId, start: 0, end: 101 });
    expect(refused.body.success).toBe(false);
  });
});

describe('backtests/chart/read', () => {
  test('count 100 of 50,000 points keeps the first and last times', async () => {
    const answer = await post('backtests/chart/read', { projectId, backtestId: bigId, name: 'Strategy Equity', count: 100 });
    expect(answer.body.success).toBe(true);
    const chart = answer.body.chart as { name: string; series: Record<string, { name: string; unit: string; seriesType: number; values: ChartPoint[] }> };
    expect(chart.name).toBe('Strategy Equity');
    expect(Object.keys(chart.series).sort()).toEqual(['Equity', 'Return']);
    expect(chart.series.Equity).toMatchObject({ name: 'Equity', unit: '$', index: 0, seriesType: 2, color: '', scatterMarkerSymbol: 'none' });
    for (const s of Object.values(chart.series)) {
      expect(s.values.length).toBeLessThanOrEqual(100);
      expect(timeOf(s.values[0]!)).toBe(SYNTHETIC_T0);
      expect(timeOf(s.values.at(-1)!)).toBe(SYNTHETIC_T0 + (BIG.points - 1) * MINUTE);
    }
  });

  test('LEAN asks with only name and count; a start/end window narrows it', async () => {
    const whole = await post('backtests/chart/read', { projectId, backtestId: smallId, name: 'Benchmark', count: 100 });
    expect((whole.body.chart as { series: { Benchmark: { values: unknown[] } } }).series.Benchmark.values).toHaveLength(SMALL.points);
    const start = SYNTHETIC_T0 + 10 * MINUTE;
    const end = SYNTHETIC_T0 + 19 * MINUTE;
    const window = await post('backtests/chart/read', { projectId, backtestId: bigId, name: 'Strategy Equity', count: 100, start, end });
    const values = (window.body.chart as { series: { Return: { values: ChartPoint[] } } }).series.Return.values;
    expect(values).toEqual(big.charts[0]!.series.Return!.values.slice(10, 20));
  });

  test('an unknown chart name, and end before start, fail', async () => {
    const unknown = await post('backtests/chart/read', { projectId, backtestId: bigId, name: 'Nope', count: 100 });
    expect(unknown.body).toEqual({ success: false, errors: ["Chart 'Nope' not found"] });
    const reversed = await post('backtests/chart/read', { projectId, backtestId: bigId, name: 'Benchmark', count: 100, start: 20, end: 10 });
    expect(reversed.body.success).toBe(false);
  });
});

describe('before results exist', () => {
  let runningId: string;
  beforeAll(async () => {
    runningId = randomBytes(16).toString('hex');
    await backtestRepository.put(backtestItem(runningId, { phase: 'running', progress: 0.42, resultsReady: false }));
  });

  test('chart answers the loading form, orders and insights an empty page', async () => {
    const chart = await post('backtests/chart/read', { projectId, backtestId: runningId, name: 'Strategy Equity', count: 100 });
    expect(chart.body).toEqual({ success: true, progress: 0.42, status: 'loading' });
    const orders = await post('backtests/orders/read', { projectId, backtestId: runningId, start: 0, end: 100 });
    expect(orders.body).toEqual({ success: true, orders: [], length: 0 });
    const insights = await post('backtests/insights/read', { projectId, backtestId: runningId, start: 0, end: 100 });
    expect(insights.body).toEqual({ success: true, insights: [], length: 0 });
  });

  test('a backtest that failed without results has no charts', async () => {
    const failedId = randomBytes(16).toString('hex');
    await backtestRepository.put(backtestItem(failedId, { phase: 'failed', progress: 0.1, resultsReady: false, error: 'boom' }));
    const chart = await post('backtests/chart/read', { projectId, backtestId: failedId, name: 'Strategy Equity', count: 100 });
    expect(chart.body).toEqual({ success: false, errors: ["Chart 'Strategy Equity' not found"] });
  });
});

describe('backtests/read/report', () => {
  test('running, or completed without a report yet: the generating form with success false', async () => {
    const runningId = randomBytes(16).toString('hex');
    await backtestRepository.put(backtestItem(runningId, { phase: 'running', progress: 0.5, resultsReady: false }));
    for (const backtestId of [runningId, bigId]) {
      const answer = await post('backtests/read/report', { projectId, backtestId });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ success: false, generating: true, errors: ['The report is being generated'] });
    }
  });

  test('ready: the stored HTML', async () => {
    const id = randomBytes(16).toString('hex');
    const html = `<html><body>Report ${id}<img src="data:image/png;base64,AAAA"/></body></html>`;
    await resultStore.writeReport(projectId, id, html);
    await backtestRepository.put(backtestItem(id, { reportReady: true }));
    const answer = await post('backtests/read/report', { projectId, backtestId: id });
    expect(answer.body).toEqual({ success: true, report: html });
  });

  test('a backtest that ended without a report: a plain not-found', async () => {
    const id = randomBytes(16).toString('hex');
    await backtestRepository.put(backtestItem(id, { phase: 'failed', resultsReady: false, error: 'boom' }));
    const answer = await post('backtests/read/report', { projectId, backtestId: id });
    expect(answer.body).toEqual({ success: false, errors: ['Report not found'] });
  });
});

describe('access', () => {
  const requests: [string, Record<string, unknown>][] = [
    ['backtests/chart/read', { name: 'Strategy Equity', count: 100 }],
    ['backtests/orders/read', { start: 0, end: 100 }],
    ['backtests/insights/read', { start: 0, end: 100 }],
    ['backtests/read/insights', { start: 0, end: 100 }],
    ['backtests/read/report', {}],
  ];

  test.each(requests)("%s: another organisation's backtest is not found", async (endpoint, extra) => {
    const answer = await post(endpoint, { projectId, backtestId: bigId, ...extra }, other.admin);
    expect(answer.body).toEqual({ success: false, errors: ['Project not found'] });
    expect(answer.text).not.toContain('SPY');
  });

  test.each(requests)('%s: an unknown backtest is not found', async (endpoint, extra) => {
    const answer = await post(endpoint, { projectId, backtestId: randomBytes(16).toString('hex'), ...extra });
    expect(answer.body).toEqual({ success: false, errors: ['Backtest not found'] });
  });
});
