/**
 * A live deployment (design §8): its own entity, deploy id `L-<32 hex>`, with the state machine
 * `Initializing → Running → Stopped | Liquidated | RuntimeError | DeployError`. Statuses are
 * spelled as lean-cli's `QCLiveAlgorithmStatus` enum (contract §8.9): any other value breaks
 * `lean cloud status`.
 */
export type LiveStatus = 'Initializing' | 'Running' | 'Stopped' | 'Liquidated' | 'RuntimeError' | 'DeployError';

export const FINAL_LIVE_STATUSES: readonly LiveStatus[] = ['Stopped', 'Liquidated', 'RuntimeError', 'DeployError'];
export const ACTIVE_LIVE_STATUSES: readonly LiveStatus[] = ['Initializing', 'Running'];

export const isFinalLive = (d: Pick<LiveDeployment, 'status'>): boolean => FINAL_LIVE_STATUSES.includes(d.status);

/** LEAN's `live-cash-balance` entry (lean-runtime §2.4). */
export interface CashAmount {
  currency: string;
  amount: number;
}

/** lean-cli's initial holding (`brokerage.holdings`): LEAN's `live-holdings` is built from it. */
export interface InitialHolding {
  symbol: string;
  symbolId: string;
  quantity: number;
  averagePrice: number;
}

/** One automatic restart, recorded on the deployment (and in its log). */
export interface LiveRestart {
  at: string;
  attempt: number;
  reason: string;
}

export interface LiveDeployment {
  deployId: string;
  projectId: number;
  orgId: string;
  userId: number;
  projectName: string;
  compileId: string;
  versionId: number;
  nodeId: string;
  nodeName: string;
  sku: string;
  /** The brokerage id as the client sent it (`QuantConnectBrokerage`, `PaperBrokerage`, …). */
  brokerage: string;
  /** LEAN's `live-mode-brokerage` and `data-queue-handler` chosen for it (no credentials). */
  leanBrokerage: string;
  dataQueueHandlers: string[];
  /** Names of the data providers the client asked for (their settings are in the secret). */
  dataProviders: string[];
  automaticRedeploy: boolean;
  initialCash?: CashAmount[];
  initialHoldings?: InitialHolding[];
  status: LiveStatus;
  launched: string;
  stopped?: string;
  error?: string;
  stacktrace?: string;
  /** Set by stop/liquidate: the runner reports this status when LEAN has ended (LEAN says Completed). */
  stopRequested?: 'Stopped' | 'Liquidated';
  /** Why it stopped, when the server (not the user) stopped it. */
  stopReason?: string;
  restarts: LiveRestart[];
  /** Log lines of the project's earlier deployments (`deploymentOffset`). */
  logOffset: number;
  /** Log lines this deployment published so far. */
  logLines: number;
  orderCount: number;
  insightCount: number;
  chartNames: string[];
  runtimeStatistics: Record<string, string>;
  /** The last published portfolio (lean-runtime §4.3 shapes): what a restart starts from. */
  holdings: Record<string, Record<string, unknown>>;
  cash: Record<string, Record<string, unknown>>;
  heartbeat?: string;
  /** What keeps the runner running (an ECS service ARN, a local supervisor name). */
  serviceRef?: string;
  /** The deployment's secret (never its values). */
  secretRef?: string;
  /** The runner (task) now running it. */
  taskRef?: string;
}

/** A command for a deployment, queued by the API and delivered by the runner as a command file. */
export interface LiveCommand {
  deployId: string;
  commandId: string;
  command: Record<string, unknown>;
  created: string;
  state: 'pending' | 'delivered' | 'acknowledged';
  success?: boolean;
  result?: Record<string, unknown>;
}
