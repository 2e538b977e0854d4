import { OPTIMIZATION_STATISTICS } from '../../shared/optimization-statistics';
import type { ComparisonOperator, Constraint, Extremum } from './types';

/**
 * Targets and constraints as LEAN's optimizer reads them (Lean:`Common/Optimizer/Objectives/`):
 * a dotted path into the backtest result, matched case-insensitively key by key, whose value is
 * read as a decimal; a path without a dot means `Statistics.<name>`.
 */
export type ResultDocument = Record<string, unknown>;

/** Statistic texts carry units ("12.5%", "$1,390.49"); LEAN's ToNormalizedDecimal reads the number. */
export function statisticNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const cleaned = value.replace(/[%$,\s]/g, '');
  if (cleaned === '' || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(cleaned)) return undefined;
  return Number(cleaned);
}

export function readTarget(result: ResultDocument, target: string): number | undefined {
  const path = (target.includes('.') ? target : `Statistics.${target}`).replace(/[[\]']/g, '').split('.');
  let node: unknown = result;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    const entry = Object.entries(node as Record<string, unknown>).find(([k]) => k.toLowerCase() === key.toLowerCase());
    if (!entry) return undefined;
    node = entry[1];
  }
  return statisticNumber(node);
}

/** LEAN ComparisonOperator.Compare. */
export function compare(operator: ComparisonOperator, value: number, targetValue: number): boolean {
  switch (operator) {
    case 'Equals':
      return value === targetValue;
    case 'NotEqual':
      return value !== targetValue;
    case 'Greater':
      return value > targetValue;
    case 'GreaterOrEqual':
      return value >= targetValue;
    case 'Less':
      return value < targetValue;
    case 'LessOrEqual':
      return value <= targetValue;
  }
}

/** Constraint.IsMet: a result without the constraint's value does not meet it. */
export function meetsConstraints(result: ResultDocument, constraints: readonly Constraint[]): boolean {
  return constraints.every((c) => {
    const value = readTarget(result, c.target);
    return value !== undefined && compare(c.operator, value, c.targetValue);
  });
}

/** Extremum.Better: is `candidate` better than `current`? */
export function better(extremum: Extremum, current: number | undefined, candidate: number): boolean {
  if (current === undefined) return true;
  return extremum === 'max' ? candidate > current : candidate < current;
}

/** Target.IsComplied: the best value reached (or passed) the target value. */
export function targetReached(extremum: Extremum, targetValue: number | null, best: number | undefined): boolean {
  return targetValue !== null && best !== undefined && (best === targetValue || better(extremum, targetValue, best));
}

/** The array lean-cli indexes: the statistics in OPTIMIZATION_STATISTICS' order, "%" and currency signs dropped, 0 for a missing one. */
export function statisticsArray(statistics: Record<string, string> | undefined): number[] {
  return OPTIMIZATION_STATISTICS.map((name) => statisticNumber(statistics?.[name]) ?? 0);
}

/** `TotalPerformance.PortfolioStatistics.<Field>` targets: LEAN's PortfolioStatistics properties. */
export const PORTFOLIO_STATISTICS = [
  'AverageWinRate',
  'AverageLossRate',
  'ProfitLossRatio',
  'WinRate',
  'LossRate',
  'Expectancy',
  'StartEquity',
  'EndEquity',
  'CompoundingAnnualReturn',
  'Drawdown',
  'TotalNetProfit',
  'SharpeRatio',
  'ProbabilisticSharpeRatio',
  'SortinoRatio',
  'Alpha',
  'Beta',
  'AnnualStandardDeviation',
  'AnnualVariance',
  'InformationRatio',
  'TrackingError',
  'TreynorRatio',
  'PortfolioTurnover',
  'ValueAtRisk99',
  'ValueAtRisk95',
  'DrawdownRecovery',
];

const TARGET_PREFIX = 'TotalPerformance.PortfolioStatistics.';

/** The target in its canonical spelling, or undefined for one this server cannot evaluate. */
export function canonicalTarget(target: string): string | undefined {
  const trimmed = target.trim();
  if (!trimmed.toLowerCase().startsWith(TARGET_PREFIX.toLowerCase())) return undefined;
  const field = trimmed.slice(TARGET_PREFIX.length).toLowerCase();
  const known = PORTFOLIO_STATISTICS.find((f) => f.toLowerCase() === field);
  return known ? `${TARGET_PREFIX}${known}` : undefined;
}
