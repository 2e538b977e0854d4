import { join } from 'node:path';
import type { Chart, ChartPoint, ChartSeries, InsightItem, LeanResults, OrderItem, ResultSummary } from '../../core/data/results/result-model';
import { asObject, camelKey, camelRecord, field, isObject, type Json, readJson, readText, stringMap } from './result-json';

/**
 * A finished backtest's results from the files LEAN writes at exit (lean-runtime §4.1): the final
 * `<id>.json`, `<id>-summary.json`, `<id>-order-events.json`, `<id>/alpha-results.json` and
 * `<id>-log.txt`, normalised to the contract's shapes. Chart values are kept exactly as written.
 */

/** `totalPerformance.closedTrades` is capped: a 100,000-order run has 50,000 trades nobody reads from the summary. */
const MAX_CLOSED_TRADES = 1_000;

function normaliseSeries(key: string, raw: unknown): ChartSeries {
  const series = asObject(raw);
  const extra: Json = {};
  for (const [name, value] of Object.entries(series)) extra[camelKey(name)] = value;
  const { name, unit, index, seriesType, color, scatterMarkerSymbol, values, ...rest } = extra;
  return {
    ...rest,
    name: typeof name === 'string' ? name : key,
    unit: typeof unit === 'string' ? unit : '',
    index: typeof index === 'number' ? index : 0,
    seriesType: typeof seriesType === 'number' ? seriesType : 0,
    color: typeof color === 'string' ? color : '',
    scatterMarkerSymbol: typeof scatterMarkerSymbol === 'string' ? scatterMarkerSymbol : 'none',
    values: Array.isArray(values) ? (values as ChartPoint[]) : [],
  };
}

function normaliseChart(key: string, raw: unknown): Chart {
  const chart = asObject(raw);
  const extra: Json = {};
  for (const [name, value] of Object.entries(chart)) extra[camelKey(name)] = value;
  const { name, series, ...rest } = extra;
  const normalised: Chart = { ...rest, name: typeof name === 'string' ? name : key, series: {} };
  for (const [seriesName, value] of Object.entries(asObject(series))) normalised.series[seriesName] = normaliseSeries(seriesName, value);
  return normalised;
}

export function normaliseCharts(raw: unknown): Chart[] {
  return Object.entries(asObject(raw)).map(([name, chart]) => normaliseChart(name, chart));
}

function eventTime(event: OrderItem): number {
  const t = event.time;
  if (typeof t === 'number') return t;
  return typeof t === 'string' ? Date.parse(t) / 1000 : 0;
}

/**
 * Orders in id order, each with its events (time order) from `<id>-order-events.json`. One pass
 * over the events into a map, so 100,000 orders with 200,000 events join in linear time.
 */
export function joinOrders(rawOrders: unknown, rawEvents: unknown): OrderItem[] {
  const byOrder = new Map<number, OrderItem[]>();
  for (const raw of Array.isArray(rawEvents) ? rawEvents : []) {
    const event = camelRecord(raw) as OrderItem;
    const orderId = Number(event.orderId);
    const list = byOrder.get(orderId);
    if (list) list.push(event);
    else byOrder.set(orderId, [event]);
  }
  const list = Array.isArray(rawOrders) ? rawOrders : Object.values(asObject(rawOrders));
  const orders = list.map((raw) => camelRecord(raw) as OrderItem);
  orders.sort((a, b) => Number(a.id) - Number(b.id));
  for (const order of orders) {
    const events = byOrder.get(Number(order.id)) ?? (Array.isArray(order.events) ? (order.events as OrderItem[]) : []);
    // Stable: events with equal times keep LEAN's order (submitted before filled).
    order.events = events.length > 1 ? events.sort((a, b) => eventTime(a) - eventTime(b)) : events;
  }
  return orders;
}

/** The performance records, closed trades capped (see MAX_CLOSED_TRADES). */
function performance(raw: unknown): Json {
  const record = asObject(camelRecord(raw));
  if (Array.isArray(record.closedTrades)) record.closedTrades = record.closedTrades.slice(0, MAX_CLOSED_TRADES);
  return record;
}

/** `2023-01-01T00:00:00Z` → `2023-01-01 00:00:00`: the algorithm's own wall clock, no zone conversion. */
function qcDateTime(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})/.exec(value);
  return match ? `${match[1]} ${match[2]}` : undefined;
}

export function buildSummary(final: Json, summaryFile: Json): ResultSummary {
  const pick = (name: string) => field(final, name) ?? field(summaryFile, name);
  const totalPerformance = pick('totalPerformance');
  const configuration = pick('algorithmConfiguration');
  const algorithmConfiguration = isObject(configuration) ? (camelRecord(configuration, ['parameters']) as Json) : undefined;
  const rollingWindow: Json = {};
  for (const [window, value] of Object.entries(asObject(pick('rollingWindow')))) rollingWindow[window] = performance(value);
  const summary: ResultSummary = {
    statistics: stringMap(pick('statistics')),
    runtimeStatistics: stringMap(pick('runtimeStatistics')),
    totalPerformance: isObject(totalPerformance) ? performance(totalPerformance) : null,
    rollingWindow,
    state: stringMap(field(summaryFile, 'state') ?? field(final, 'state')),
  };
  if (algorithmConfiguration) {
    summary.algorithmConfiguration = algorithmConfiguration;
    summary.backtestStart = qcDateTime(algorithmConfiguration.startDate);
    summary.backtestEnd = qcDateTime(algorithmConfiguration.endDate);
  }
  return summary;
}

/**
 * The final `<id>.json`, not one of the intermediate ones LEAN rewrites while running. Only the
 * final packet carries the algorithm configuration and a state with an EndTime; an intermediate
 * one has a state without it and `statistics` `{}` (Lean:`Engine/Results/BacktestingResultHandler.cs`
 * SendFinalResult and `BacktestResultPacket.CreateEmpty` vs Update's periodic packet with
 * `GetAlgorithmState()`). Older builds wrote no state: there, empty statistics next to a summary
 * with statistics give the intermediate file away.
 */
function isFinalResultFile(file: Json, summaryFile: Json): boolean {
  if (field(file, 'algorithmConfiguration') !== undefined) return true;
  const state = field(file, 'state');
  if (state !== undefined && !stringMap(state).EndTime) return false;
  const empty = (value: unknown) => Object.keys(stringMap(value)).length === 0;
  return !(empty(field(file, 'statistics')) && !empty(field(summaryFile, 'statistics')));
}

/**
 * A finished backtest's results, or undefined when LEAN did not get as far as its final files.
 *
 * LEAN's last writes are, in order, `<id>/alpha-results.json`, `<id>-summary.json`, the result
 * analysis, then the final `<id>.json` and the full `<id>-order-events.json`
 * (Lean:`Engine/Results/BacktestingResultHandler.cs` SendFinalResult, StoreResult). The summary
 * marks the run as having reached its end; when LEAN was killed before the final `<id>.json`, the
 * one on disk is the last intermediate file (its `statistics` are `{}`, its orders the last 100),
 * so the summary's statistics, performance, state and charts are used instead, and the algorithm
 * log says the order list is incomplete.
 */
export async function readLeanResults(resultsDir: string, algorithmId: string): Promise<LeanResults | undefined> {
  const summaryFile = await readJson(join(resultsDir, `${algorithmId}-summary.json`));
  if (!isObject(summaryFile)) return undefined;
  const [resultFile, events, alpha, algorithmLog] = await Promise.all([
    readJson(join(resultsDir, `${algorithmId}.json`)),
    readJson(join(resultsDir, `${algorithmId}-order-events.json`)),
    readJson(join(resultsDir, algorithmId, 'alpha-results.json')),
    readText(join(resultsDir, `${algorithmId}-log.txt`)),
  ]);
  const file = asObject(resultFile);
  const complete = isFinalResultFile(file, summaryFile);
  const final = complete ? file : {};
  const rawInsights = Array.isArray(alpha) ? alpha : field(asObject(alpha), 'insights');
  const note = complete
    ? ''
    : `${new Date().toISOString()} LEAN stopped after writing its summary and before its final results: the order list holds only the last orders it had saved.\n`;
  return {
    summary: buildSummary(final, summaryFile),
    charts: normaliseCharts(field(final, 'charts') ?? field(summaryFile, 'charts')),
    orders: joinOrders(field(file, 'orders'), events),
    insights: Array.isArray(rawInsights) ? rawInsights.map((insight) => camelRecord(insight) as InsightItem) : [],
    algorithmLog: (algorithmLog ?? '') + note,
  };
}
