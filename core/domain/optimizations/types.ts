/**
 * An optimization (contract §3.7): a parameter search whose every point is a backtest of one
 * compile. The optimization item keeps the plan and running totals; each point is its own small
 * item, so a finished point is one write and reading 500 points never rewrites the optimization.
 */
export type OptimizationStatus = 'new' | 'running' | 'completed' | 'aborted';

/** LEAN's strategy class names (Optimizer/Strategies): the grid QuantConnect runs, and LEAN's Euler search. */
export const GRID_STRATEGY = 'QuantConnect.Optimizer.Strategies.GridSearchOptimizationStrategy';
export const EULER_STRATEGY = 'QuantConnect.Optimizer.Strategies.EulerSearchOptimizationStrategy';
export type StrategyName = typeof GRID_STRATEGY | typeof EULER_STRATEGY;

/** LEAN `OptimizationStepParameter`: min, max, step and (Euler) the finest step. */
export interface StepParameter {
  name: string;
  min: number;
  max: number;
  step: number;
  minStep: number;
}

/** LEAN `ComparisonOperatorTypes` member names (lean-cli sends these). */
export const COMPARISON_OPERATORS = ['Equals', 'NotEqual', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual'] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

/** LEAN `Constraint`: a path into the backtest result compared with a value. */
export interface Constraint {
  target: string;
  operator: ComparisonOperator;
  targetValue: number;
}

export type Extremum = 'min' | 'max';

export type ParameterSet = Record<string, string>;

/**
 * The parameter sets being run now: the whole grid (grid search), or one Euler round (the grid
 * narrowed around the best point so far). `sets` lists an Euler round's points explicitly (points
 * already run in an earlier round are left out); a grid round is enumerated from `parameters`.
 */
export interface Round {
  number: number;
  parameters: StepParameter[];
  sets?: ParameterSet[];
  size: number;
  /** Index of the next point to start; points [0, next) have started. */
  next: number;
}

export interface BestPoint {
  backtestId: string;
  value: number;
  parameterSet: ParameterSet;
}

export interface Optimization {
  optimizationId: string;
  orgId: string;
  projectId: number;
  userId: number;
  name: string;
  compileId: string;
  status: OptimizationStatus;
  strategy: StrategyName;
  target: string;
  extremum: Extremum;
  /** LEAN stops when the target reaches this value. */
  targetValue: number | null;
  parameters: StepParameter[];
  constraints: Constraint[];
  nodeType: string;
  parallelNodes: number;
  estimatedCost: number;
  created: string;
  finished?: string;
  round: Round;
  /** Points planned so far (the grid size; for Euler the sum of its rounds). */
  total: number;
  running: number;
  completed: number;
  failed: number;
  /** Sum of the finished points' wall times, seconds. */
  runtimeSeconds: number;
  best?: BestPoint;
  /** The best point reached `targetValue`: no more points start. */
  targetReached?: boolean;
  /** Ended, and its whole read answer is kept (core/data/optimizations/final-view-store.ts). */
  finalView?: boolean;
  /** Brought over from another server (`lcs migrate --with-optimizations`): its source and id there (the idempotency key). */
  imported?: { source: string; sourceOptimizationId: string };
}

export type PointPhase = 'running' | 'completed' | 'failed';

/** One point of the search: its backtest and, once it ended, what the optimization keeps of it. */
export interface OptimizationPoint {
  optimizationId: string;
  backtestId: string;
  projectId: number;
  round: number;
  index: number;
  name: string;
  parameterSet: ParameterSet;
  phase: PointPhase;
  started: string;
  finished?: string;
  /** 0 for a completed backtest; otherwise 1 (LEAN's process exit code is not kept by the runner). */
  exitCode?: number;
  error?: string;
  /** LEAN's array form (OptimizationBacktestJsonConverter): index 15 Sharpe, 6 CAR, 13 PSR, 7 Drawdown. */
  statistics?: number[];
  /** The optimization target's value, when the result has it. */
  targetValue?: number;
  meetsConstraints?: boolean;
  /** Strategy Equity candles `[time, open, high, low, close]` from the result summary. */
  equity?: number[][];
  backtestStart?: string;
  backtestEnd?: string;
}
