import type { ResultSummary } from '../../data/results/result-model';
import { qcDate } from '../../shared/dates';
import { STOPPED_ERROR, statusText } from './backtest-lifecycle';
import { type Backtest, isFinal } from './types';

/**
 * The wire shapes of a backtest (contract §4). lean-cli's completion rule needs, once done,
 * `completed`, an object `runtimeStatistics`, an object `statistics` and a truthy
 * `totalPerformance`; LEAN iterates `charts`, so it is always an object. Charts here are
 * summaries (name only): series come from `backtests/chart/read`.
 */
export function backtestView(b: Backtest, summary?: ResultSummary) {
  const final = isFinal(b);
  const chartNames = b.chartNames ?? [];
  return {
    backtestId: b.backtestId,
    projectId: b.projectId,
    organizationId: b.orgId,
    name: b.name,
    note: b.note || null,
    status: statusText(b),
    created: qcDate(b.created),
    completed: final,
    progress: b.phase === 'completed' ? 1 : b.progress,
    error: b.error ?? (b.phase === 'stopped' ? STOPPED_ERROR : null),
    stacktrace: b.stacktrace ?? null,
    hasInitializeError: b.hasInitializeError,
    backtestStart: summary?.backtestStart ?? b.backtestStart ?? null,
    backtestEnd: summary?.backtestEnd ?? b.backtestEnd ?? null,
    tradeableDates: tradeableDates(summary),
    snapshotId: 0,
    optimizationId: b.optimizationId ?? null,
    researchGuide: { minutes: runMinutes(b), backtestCount: 1, parameters: Object.keys(b.parameterSet).length },
    // `[]` when empty, as QuantConnect answers (contract §3.6); otherwise the values with the JSON types they were given.
    parameterSet: Object.keys(b.parameterSet).length ? b.parameterSet : [],
    // Objects in every phase (contract §8 item 12: QuantConnect's clients reject [] or null
    // here): the latest runtime statistics while running, the statistics once LEAN wrote them.
    // lean-cli's completion rule still waits, since totalPerformance stays null until the end.
    runtimeStatistics: summary?.runtimeStatistics ?? b.runtimeStatistics ?? {},
    statistics: summary?.statistics ?? b.statistics ?? {},
    totalPerformance: summary?.totalPerformance ?? null,
    rollingWindow: summary?.rollingWindow ?? {},
    charts: Object.fromEntries(chartNames.map((name) => [name, { Name: name }])),
    nodeName: b.nodeName ?? null,
    tags: b.tags,
    outOfSampleMaxEndDate: null,
    outOfSampleDays: 0,
  };
}

/** `backtests/list` items (spec BacktestSummaryResult); statistics only when asked for. */
export function backtestSummaryView(b: Backtest, includeStatistics: boolean) {
  const base = {
    backtestId: b.backtestId,
    status: statusText(b),
    name: b.name,
    note: b.note || null,
    created: qcDate(b.created),
    progress: b.phase === 'completed' ? 1 : b.progress,
    optimizationId: b.optimizationId ?? null,
    tradeableDates: 0,
    parameterSet: Object.keys(b.parameterSet).length ? b.parameterSet : [],
    snapshotId: 0,
    tags: b.tags,
  };
  if (!includeStatistics) return base;
  const stat = (name: string) => numeric(b.statistics?.[name]);
  return {
    ...base,
    sharpeRatio: stat('Sharpe Ratio'),
    alpha: stat('Alpha'),
    beta: stat('Beta'),
    compoundingAnnualReturn: stat('Compounding Annual Return'),
    drawdown: stat('Drawdown'),
    lossRate: stat('Loss Rate'),
    netProfit: stat('Net Profit'),
    parameters: Object.keys(b.parameterSet).length,
    psr: stat('Probabilistic Sharpe Ratio'),
    securityTypes: 0,
    sortinoRatio: stat('Sortino Ratio'),
    trades: stat('Total Orders') ?? stat('Total Trades'),
    treynorRatio: stat('Treynor Ratio'),
    winRate: stat('Win Rate'),
  };
}

/** "12.5%", "$1,000.00", "-0.3" → a number; null when absent or not numeric. */
export function numeric(text: string | undefined): number | null {
  if (text === undefined) return null;
  const n = Number(text.replace(/[$,%\s]/g, ''));
  return Number.isFinite(n) ? n : null;
}

function runMinutes(b: Backtest): number {
  if (!b.started || !b.finished) return 0;
  return Math.max(0, Math.round((Date.parse(b.finished) - Date.parse(b.started)) / 60_000));
}

/** LEAN writes no tradeable-day count (lean-runtime §9); weekdays of the period stand in for it. */
function tradeableDates(summary?: ResultSummary): number {
  if (!summary?.backtestStart || !summary.backtestEnd) return 0;
  const start = Date.parse(`${summary.backtestStart.replace(' ', 'T')}Z`);
  const end = Date.parse(`${summary.backtestEnd.replace(' ', 'T')}Z`);
  if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) return 0;
  let days = 0;
  for (let t = start; t <= end; t += 86_400_000) {
    const weekday = new Date(t).getUTCDay();
    if (weekday !== 0 && weekday !== 6) days++;
  }
  return days;
}
