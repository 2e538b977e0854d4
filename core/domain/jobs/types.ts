import type { NodeKind } from '../../shared/catalog';

/** A virtual node: one of an organisation's job slots, of one SKU; it holds at most one job. */
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
