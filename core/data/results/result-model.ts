/**
 * A finished backtest's results as the runner reads them from LEAN's files (lean-runtime §4.1)
 * and as the result store keeps them, pre-split so that every read endpoint fetches only what it
 * returns (design §7). Shapes follow the wire (contract §4); values are passed through as LEAN
 * wrote them, only key case is normalised to camelCase where the contract names a field.
 */

/** `[unixSeconds, value]`, `[time, open, high, low, close]` (candles) or `{x, y}`. */
export type ChartPoint = (number | null)[] | { x: number; y: number | null };

export interface ChartSeries {
  name: string;
  unit: string;
  index: number;
  seriesType: number;
  color: string;
  scatterMarkerSymbol: string;
  values: ChartPoint[];
  [extra: string]: unknown;
}

export interface Chart {
  name: string;
  chartType?: number;
  series: Record<string, ChartSeries>;
  [extra: string]: unknown;
}

/** Everything `backtests/read` needs besides the item: read as one small object. */
export interface ResultSummary {
  statistics: Record<string, string>;
  runtimeStatistics: Record<string, string>;
  totalPerformance: Record<string, unknown> | null;
  rollingWindow: Record<string, unknown>;
  algorithmConfiguration?: Record<string, unknown>;
  /** LEAN's final `state` map (Status, RuntimeError, StackTrace, StartTime, EndTime, …). */
  state: Record<string, string>;
  backtestStart?: string;
  backtestEnd?: string;
}

export type OrderItem = Record<string, unknown>;
export type InsightItem = Record<string, unknown>;

/** What the runner hands to the result store after LEAN exits. */
export interface LeanResults {
  summary: ResultSummary;
  charts: Chart[];
  /** Orders in id order, each with its `events` joined from `<id>-order-events.json`. */
  orders: OrderItem[];
  /** Insights in generation order. */
  insights: InsightItem[];
  /** The algorithm's own log (`<id>-log.txt`). */
  algorithmLog: string;
}

/** Orders and insights are stored and served in pages of this many (the contract's per-call maximum). */
export const RESULT_PAGE_SIZE = 100;

/** S3 layout of a backtest's results, under the project's prefix so deleting a project removes them. */
export const resultKeys = {
  root: (projectId: number, backtestId: string) => `projects/${projectId}/backtests/${backtestId}/`,
  summary: (projectId: number, backtestId: string) => `${resultKeys.root(projectId, backtestId)}summary.json`,
  chartPrefix: (projectId: number, backtestId: string, chartName: string) =>
    `${resultKeys.root(projectId, backtestId)}charts/${encodeURIComponent(chartName)}/`,
  ordersPage: (projectId: number, backtestId: string, page: number) => `${resultKeys.root(projectId, backtestId)}orders/${page}.json`,
  insightsPage: (projectId: number, backtestId: string, page: number) => `${resultKeys.root(projectId, backtestId)}insights/${page}.json`,
  log: (projectId: number, backtestId: string) => `${resultKeys.root(projectId, backtestId)}log.txt`,
  report: (projectId: number, backtestId: string) => `${resultKeys.root(projectId, backtestId)}report.html`,
};

/** Compile snapshots: a manifest per compile, file contents content-addressed within the project. */
export const snapshotKeys = {
  manifest: (projectId: number, compileId: string) => `projects/${projectId}/compiles/${compileId}.json`,
  blob: (projectId: number, sha256: string) => `projects/${projectId}/snapshots/${sha256}`,
};

export interface SnapshotManifest {
  projectId: number;
  compileId: string;
  language: 'Py' | 'C#';
  /** Project files at the root; library files under `Library/<library name>/`. */
  files: { name: string; sha256: string; size: number }[];
  libraries: { projectId: number; name: string }[];
}
