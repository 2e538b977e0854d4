/** Virtual nodes: an organisation's job slots, each of one SKU; a node holds at most one job. */
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

/** What occupies a node. A node holds at most one job at a time. */
export interface NodeClaim {
  kind: 'backtest' | 'build' | 'live' | 'optimization';
  id: string;
  projectId: number;
  since: string;
}
