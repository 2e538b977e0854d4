import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { templates } from './backtest-model.mjs';

/**
 * LEAN's backtest result files (lean-runtime §4.1), written in place as LEAN does (not
 * atomically), compact JSON. Big collections (orders, events, closed trades) are streamed in
 * chunks so the `huge` scenario never builds one giant string.
 */

const FLUSH_AT = 1 << 20;

/** Appends strings to a file, flushing every ~1 MB. */
class ChunkedWriter {
  constructor(path) {
    this.fd = openSync(path, 'w');
    this.parts = [];
    this.size = 0;
  }
  write(text) {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= FLUSH_AT) this.flush();
  }
  /** `[a,b,…]` or `{"k":a,…}` of `count` items made by `item(i)` for i = 1..count. */
  collection(count, item, open = '[', close = ']') {
    this.write(open);
    for (let i = 1; i <= count; i++) this.write(i === 1 ? item(i) : `,${item(i)}`);
    this.write(close);
  }
  flush() {
    if (this.parts.length) writeSync(this.fd, this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }
  close() {
    this.flush();
    closeSync(this.fd);
  }
}

const isoNow = (date = new Date()) => `${date.toISOString().slice(0, 19)}Z`;

/** LEAN's `state` map; keys are dictionary keys, so PascalCase even in camelCase files. */
export function runState(run, extra) {
  return {
    ...templates.state,
    StartTime: isoNow(run.startedAt),
    EndTime: '',
    RuntimeError: '',
    StackTrace: '',
    LogCount: '0',
    OrderCount: '0',
    InsightCount: '0',
    Name: run.settings.backtestName,
    Hostname: hostname(),
    Status: 'Running',
    ...extra,
  };
}

/**
 * The `<id>.json` LEAN rewrites while running: charts so far, the last 100 orders, `statistics: {}`.
 * `half`: only the first half of the file, as a reader finds it while LEAN is rewriting it in place.
 */
export function writeIntermediate(run, fraction, half = false) {
  const { model, settings } = run;
  const points = model.pointsAt(fraction);
  const orders = model.ordersAt(fraction);
  const equity = model.equityAt(points);
  const recent = [];
  for (let id = Math.max(1, orders - 99); id <= orders; id++) recent.push(model.order(id));
  const result = {
    charts: model.charts(points),
    orders: Object.fromEntries(recent.map((order) => [String(order.id), order])),
    profitLoss: {},
    statistics: {},
    runtimeStatistics: model.runtimeStatistics(orders, equity),
    state: runState(run, { OrderCount: String(orders) }),
    rollingWindow: {},
    serverStatistics: { 'CPU Usage': '3%', 'Used RAM (MB)': '210', 'Total RAM (MB)': '16000', Hostname: hostname() },
    analysis: [],
  };
  const text = JSON.stringify(result);
  writeFileSync(join(settings.resultsDir, `${settings.algorithmId}.json`), half ? text.slice(0, Math.floor(text.length / 2)) : text);
  if (half) return;
  // LEAN's intermediate events file holds the last 100 events, newest first.
  const events = [];
  for (let id = orders; id >= 1 && events.length < 100; id--) events.push(...model.events(id).reverse());
  if (events.length) writeFileSync(join(settings.resultsDir, `${settings.algorithmId}-order-events.json`), JSON.stringify(events.slice(0, 100)));
}

/**
 * The files LEAN writes at exit, in LEAN's order (Lean:`Engine/Results/BacktestingResultHandler.cs`
 * SendFinalResult, StoreResult): `<id>-log.txt`, `<id>/alpha-results.json` (only with insights),
 * `<id>-summary.json`, then, after the result analysis, the final `<id>.json` and
 * `<id>-order-events.json`. `afterSummary` runs between the two; returning false ends the write
 * there (a kill in that window). Returns the final statistics for the log.
 */
export function writeFinal(run, fraction, { status, runtimeError = '', stackTrace = '' }, algorithmLog, afterSummary) {
  const { model, settings } = run;
  const dir = settings.resultsDir;
  const id = settings.algorithmId;
  const points = model.pointsAt(fraction);
  const orders = model.ordersAt(fraction);
  const insights = model.insightsAt(fraction);
  const trades = Math.floor(orders / 2);
  const equity = model.equityAt(points);
  const statistics = model.statistics(orders, equity);
  const runtimeStatistics = model.runtimeStatistics(orders, equity);
  const algorithmConfiguration = model.algorithmConfiguration();
  const state = runState(run, {
    EndTime: isoNow(),
    RuntimeError: runtimeError,
    StackTrace: stackTrace,
    LogCount: String(algorithmLog.split('\n').length - 1),
    OrderCount: String(orders),
    InsightCount: String(insights),
    Status: status,
  });
  const performance = { tradeStatistics: { ...templates.tradeStatistics, totalNumberOfTrades: trades }, portfolioStatistics: model.portfolioStatistics() };
  const endDay = algorithmConfiguration.endDate.slice(0, 10).replaceAll('-', '');
  const rollingWindow = Object.fromEntries(['M1', 'M3', 'M6', 'M12'].map((window) => [`${window}_${endDay}`, { ...performance, closedTrades: [] }]));

  writeFileSync(join(dir, `${id}-log.txt`), algorithmLog);

  const charts = model.charts(points);

  if (insights > 0) {
    mkdirSync(join(dir, id), { recursive: true });
    const alpha = new ChunkedWriter(join(dir, id, 'alpha-results.json'));
    alpha.collection(insights, (k) => JSON.stringify(model.insight(k)));
    alpha.close();
  }

  // The summary's Strategy Equity is down-sampled (the real one kept 6 points of 692).
  const equity6 = charts['Strategy Equity'].series.Equity.values.filter((_, i, all) => i % Math.max(1, Math.ceil(all.length / 6)) === 0);
  const summary = {
    rollingWindow: {},
    totalPerformance: { ...performance, closedTrades: [] },
    charts: { 'Strategy Equity': { name: 'Strategy Equity', chartType: 0, series: { Equity: { ...templates.equitySeries, values: equity6 } } } },
    statistics,
    runtimeStatistics,
    state,
    algorithmConfiguration,
  };
  writeFileSync(join(dir, `${id}-summary.json`), JSON.stringify(summary, null, 2));
  // LEAN then runs its result analysis and only then writes the final `<id>.json` and the full
  // order events: a kill in between leaves the summary next to the last intermediate files.
  if (afterSummary?.() === false) return { statistics, orders, points };

  const result = new ChunkedWriter(join(dir, `${id}.json`));
  result.write(`{"rollingWindow":${JSON.stringify(rollingWindow)},"totalPerformance":{`);
  result.write(
    `"tradeStatistics":${JSON.stringify(performance.tradeStatistics)},"portfolioStatistics":${JSON.stringify(performance.portfolioStatistics)},"closedTrades":`,
  );
  result.collection(trades, (k) => JSON.stringify(model.closedTrade(k)));
  result.write(`},"charts":${JSON.stringify(charts)},"orders":`);
  result.collection(orders, (n) => `"${n}":${JSON.stringify(model.order(n))}`, '{', '}');
  result.write(',"profitLoss":');
  result.collection(
    trades,
    (k) => {
      const trade = model.closedTrade(k);
      return `${JSON.stringify(trade.exitTime)}:${trade.profitLoss}`;
    },
    '{',
    '}',
  );
  result.write(`,"statistics":${JSON.stringify(statistics)},"runtimeStatistics":${JSON.stringify(runtimeStatistics)}`);
  result.write(`,"state":${JSON.stringify(state)},"algorithmConfiguration":${JSON.stringify(algorithmConfiguration)}}`);
  result.close();

  if (orders > 0) {
    const events = new ChunkedWriter(join(dir, `${id}-order-events.json`));
    events.collection(orders, (n) => {
      const [submitted, filled] = model.events(n);
      return `${JSON.stringify(submitted)},${JSON.stringify(filled)}`;
    });
    events.close();
  }

  return { statistics, orders, points };
}
