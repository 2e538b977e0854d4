import { OPTIMIZATION_STATISTICS } from '../../../core/shared/optimization-statistics';

/**
 * An optimization point's `statistics` is an array in LEAN's order (contract §3.7); the target names its entry by the
 * statistic's name without spaces, e.g. `TotalPerformance.PortfolioStatistics.SharpeRatio` → 15. The list is the
 * server's own (core/shared/optimization-statistics.ts, the one file of the server the console may import).
 */
export const STATISTIC_NAMES = OPTIMIZATION_STATISTICS;

const squash = (name: string) => name.replace(/[^A-Za-z]/g, '').toLowerCase();

/** The index of the target's statistic, or -1 for a target this list does not know. */
export function statisticIndex(target: string): number {
  const last = squash(target.split('.').at(-1) ?? '');
  return STATISTIC_NAMES.findIndex((n) => squash(n) === last);
}

/** The statistics shown in the results table beside the target. */
export const KEY_STATISTICS = ['Sharpe Ratio', 'Compounding Annual Return', 'Drawdown', 'Net Profit', 'Probabilistic Sharpe Ratio', 'Total Orders'];

export interface OptimizationPoint {
  id: string;
  name: string;
  exitCode: number;
  progress: number;
  statistics: number[];
  parameterSet: Record<string, string>;
  error?: string;
}

export interface Optimization {
  optimizationId: string;
  projectId: number;
  name: string;
  status: string;
  created: string;
  nodeType: string;
  criterion: { target: string; extremum: 'min' | 'max'; targetValue: number | null };
  parameters: { name: string; min: number; max: number; step: number }[];
  runtimeStatistics: Record<string, string> | unknown[];
  constraints?: { target: string; operator: string; targetValue: number }[];
  backtests: Record<string, OptimizationPoint> | unknown[];
  bestBacktestId: string | null;
  parallelNodes: number;
}

/** lean-cli stops polling once the status is none of these. */
export const isRunning = (status: string) => ['new', 'running', 'active'].includes(status);

export function pointsOf(o: Optimization): OptimizationPoint[] {
  return Array.isArray(o.backtests) ? [] : Object.values(o.backtests);
}

/** lean-cli's progress: (Completed + Failed) / Total. */
export function progressOf(o: Optimization): { done: number; total: number } {
  const s = Array.isArray(o.runtimeStatistics) ? {} : o.runtimeStatistics;
  return { done: Number(s.Completed ?? 0) + Number(s.Failed ?? 0), total: Number(s.Total ?? 0) };
}

/** `TotalPerformance.PortfolioStatistics.SharpeRatio` → `Sharpe Ratio`. */
export function targetLabel(target: string): string {
  const i = statisticIndex(target);
  return i >= 0 ? (STATISTIC_NAMES[i] as string) : (target.split('.').at(-1) ?? target);
}
