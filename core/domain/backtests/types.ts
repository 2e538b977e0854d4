import type { NodeKind } from '../../shared/catalog';

/**
 * Where a backtest is in its life. `status` is the QuantConnect text derived from it
 * (`In Queue...`, `Running: n%`, `Completed.`, `Runtime Error`).
 */
/** A backtest parameter's value, with the JSON type it was given. */
export type ParameterValue = string | number | boolean;

export type BacktestPhase = 'queued' | 'starting' | 'running' | 'completed' | 'failed' | 'stopped';

export interface NodeRequest {
  kind: NodeKind;
  sku: string;
}

export interface Backtest {
  backtestId: string;
  projectId: number;
  orgId: string;
  userId: number;
  compileId: string;
  name: string;
  note: string;
  tags: string[];
  /** As the client sent them (contract §8 item 12: numbers stay numbers); LEAN gets them as text. */
  parameterSet: Record<string, ParameterValue>;
  phase: BacktestPhase;
  /** 0–1; 1 only when completed. */
  progress: number;
  error?: string;
  stacktrace?: string;
  hasInitializeError: boolean;
  created: string;
  started?: string;
  finished?: string;
  /** The node (slot) the backtest holds while it starts or runs. */
  nodeId?: string;
  nodeName?: string;
  sku?: string;
  /** 1 on the first launch; a Spot interruption relaunches once with 2. */
  attempt: number;
  /** What stopped or runs it: the ECS task ARN, or the local process id. */
  taskRef?: string;
  heartbeat?: string;
  backtestStart?: string;
  backtestEnd?: string;
  /** Kept on the item while running (progress) and at the end (backtests/list with statistics). */
  runtimeStatistics?: Record<string, string>;
  statistics?: Record<string, string>;
  /** Pre-split results are in S3 (summary, charts, orders, insights, log). */
  resultsReady: boolean;
  reportReady: boolean;
  orderCount: number;
  insightCount: number;
  chartNames: string[];
  requestSource?: string;
  optimizationId?: string;
  /**
   * The node family and task size this backtest must run on, when not the organisation's backtest
   * nodes (an optimization's points run on its optimization nodes, sized by its node type).
   */
  nodeRequest?: NodeRequest;
  /** A delete asked the runner to stop; the runner reports `stopped` instead of a failure. */
  stopRequested?: boolean;
  /** Brought over by `lcs migrate` (backtest-import.ts): completed and read-only. */
  imported?: { source: string; sourceBacktestId: string };
}

/** Phases a backtest never leaves. */
export const FINAL_PHASES: readonly BacktestPhase[] = ['completed', 'failed', 'stopped'];

export const isFinal = (backtest: Pick<Backtest, 'phase'>): boolean => FINAL_PHASES.includes(backtest.phase);
