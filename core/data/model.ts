import type { Role } from '../shared/principal';

/** Entities as the services see them; repositories map them to and from items. */
export interface Organization {
  id: string;
  name: string;
  ownerUserId: number;
  created: string;
}

export interface User {
  id: number;
  name: string;
  email: string;
  created: string;
  preferredOrgId?: string;
}

export interface Member {
  orgId: string;
  userId: number;
  role: Role;
  joined: string;
}

export interface ApiToken {
  userId: number;
  tokenId: string;
  /** Encrypted token: the QuantConnect hash needs the clear value at verification time. */
  ciphertext: string;
  created: string;
  expiresAt?: string;
  revokedAt?: string;
}

export interface ApiKey {
  keyId: string;
  userId: number;
  name: string;
  /** SHA-256 of the secret, hex. The secret itself is never stored. */
  secretHash: string;
  created: string;
  expiresAt?: string;
  revokedAt?: string;
  lastUsedAt?: string;
}

export interface Collaborator {
  userId: number;
  write: boolean;
  liveControl: boolean;
  owner: boolean;
  added: string;
}

export interface ProjectParameter {
  key: string;
  value: string;
}

export type Language = 'Py' | 'C#';

export interface Project {
  id: number;
  orgId: string;
  name: string;
  description: string;
  language: Language;
  ownerId: number;
  created: string;
  modified: string;
  leanVersionId: number;
  leanPinnedToMaster: boolean;
  leanEnvironment: number;
  parameters: ProjectParameter[];
  /** Ids of library projects linked into this one. */
  libraries: number[];
  collaborators: Collaborator[];
  /** Node ids selected for this project; empty with autoSelectNode means "any free node". */
  activeNodes: string[];
  autoSelectNode: boolean;
  lock?: { userId: number; codeSourceId: string; acquired: string };
}

export interface ProjectFile {
  projectId: number;
  name: string;
  content: string;
  created: string;
  modified: string;
}

export type NodeKind = 'backtest' | 'research' | 'live';

export interface VirtualNode {
  id: string;
  orgId: string;
  kind: NodeKind;
  sku: string;
  name: string;
  created: string;
  /** Set while a job holds the node (conditional write: one job per node). */
  busyWith?: NodeClaim;
}

export interface AuditEvent {
  orgId: string;
  at: string;
  requestId: string;
  userId: number;
  authMethod: string;
  credentialId: string;
  action: string;
  target?: string;
  sourceIp: string;
  detail?: Record<string, unknown>;
}

export type CompileState = 'InQueue' | 'BuildSuccess' | 'BuildError';

/** A compile: an immutable snapshot of the project's files (and its libraries') plus the build outcome. */
export interface Compile {
  compileId: string;
  projectId: number;
  orgId: string;
  userId: number;
  language: Language;
  state: CompileState;
  logs: string[];
  /** S3 key of the snapshot manifest (file names → content hashes). */
  manifestKey: string;
  /** Parameters the algorithm reads with GetParameter, by file and line. */
  parameters: { file: string; parameters: { line: number; type: string }[] }[];
  signature: string;
  signatureOrder: string[];
  created: string;
  /** C# only: the build task, once launched. */
  taskRef?: string;
}

/**
 * Where a backtest is in its life. `status` is the QuantConnect text derived from it
 * (`In Queue...`, `Running: n%`, `Completed.`, `Runtime Error`).
 */
export type BacktestPhase = 'queued' | 'starting' | 'running' | 'completed' | 'failed' | 'stopped';

export interface Backtest {
  backtestId: string;
  projectId: number;
  orgId: string;
  userId: number;
  compileId: string;
  name: string;
  note: string;
  tags: string[];
  parameterSet: Record<string, string>;
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
  /** A delete asked the runner to stop; the runner reports `stopped` instead of a failure. */
  stopRequested?: boolean;
}

/** What occupies a node. A node holds at most one job at a time. */
export interface NodeClaim {
  kind: 'backtest' | 'build' | 'live' | 'optimization';
  id: string;
  projectId: number;
  since: string;
}
