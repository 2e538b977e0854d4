/**
 * Static catalogues this server reports: the LEAN version it runs, LEAN environments, and the
 * node SKUs it can start (cores and memory map to Fargate task sizes).
 */
export interface LeanVersion {
  id: number;
  created: string;
  description: string;
  leanHash: string;
  leanCloudHash: string;
  name: string;
  ref: string;
  public: boolean;
}

export const LEAN_VERSIONS: LeanVersion[] = [
  {
    id: 17290,
    created: '2026-08-21 00:00:00',
    description: 'The LEAN engine image pinned by this server (master at the time of the release).',
    leanHash: '24863901deffa9ec7985e21ef8fbdb0258efb9e4',
    leanCloudHash: '',
    name: 'v2.5.0.0.17290',
    ref: 'master',
    public: true,
  },
];

export const DEFAULT_LEAN_VERSION_ID = LEAN_VERSIONS[0]?.id ?? 0;

export const LEAN_ENVIRONMENTS = [{ id: 1, name: 'Default', path: '', description: 'The stock LEAN image with Python 3.11 and .NET.', public: true }];

export const DEFAULT_LEAN_ENVIRONMENT = 1;

/** What a node is for: QuantConnect's three node families. */
export type NodeKind = 'backtest' | 'research' | 'live' | 'optimization';

export interface Sku {
  sku: string;
  kind: NodeKind;
  cpu: number;
  /** Fargate vCPU for the task (never below 1 vCPU / 4 GB for LEAN: docs/jobs.md). */
  vcpu: number;
  ramGb: number;
  speedGhz: number;
  description: string;
}

export const SKUS: Sku[] = [
  { sku: 'B-MICRO', kind: 'backtest', cpu: 1, vcpu: 1, ramGb: 4, speedGhz: 2.5, description: '1 core, 4 GB: small backtests' },
  { sku: 'B2-8', kind: 'backtest', cpu: 2, vcpu: 2, ramGb: 8, speedGhz: 2.5, description: '2 cores, 8 GB' },
  { sku: 'B4-12', kind: 'backtest', cpu: 4, vcpu: 4, ramGb: 12, speedGhz: 2.5, description: '4 cores, 12 GB' },
  { sku: 'B8-16', kind: 'backtest', cpu: 8, vcpu: 8, ramGb: 16, speedGhz: 2.5, description: '8 cores, 16 GB' },
  { sku: 'R2-8', kind: 'research', cpu: 2, vcpu: 2, ramGb: 8, speedGhz: 2.5, description: '2 cores, 8 GB' },
  { sku: 'L-MICRO', kind: 'live', cpu: 1, vcpu: 0.5, ramGb: 1, speedGhz: 2.5, description: 'Half a core, 1 GB' },
  { sku: 'L2-4', kind: 'live', cpu: 2, vcpu: 2, ramGb: 4, speedGhz: 2.5, description: '2 cores, 4 GB' },
  ...optimizationSkus(),
];

/**
 * Optimization node types (lean-cli `optimizer_config_manager.py`: O2-8, O4-12, O8-16) with the
 * parallel-node limits lean-cli checks client side (contract §6); the server checks them too.
 */
export const OPTIMIZATION_NODE_LIMITS: Readonly<Record<string, number>> = { 'O2-8': 24, 'O4-12': 12, 'O8-16': 6 };

function optimizationSkus(): Sku[] {
  return [
    { sku: 'O2-8', kind: 'optimization', cpu: 2, vcpu: 2, ramGb: 8, speedGhz: 2.5, description: 'Optimization: 2 cores, 8 GB' },
    { sku: 'O4-12', kind: 'optimization', cpu: 4, vcpu: 4, ramGb: 12, speedGhz: 2.5, description: 'Optimization: 4 cores, 12 GB' },
    { sku: 'O8-16', kind: 'optimization', cpu: 8, vcpu: 8, ramGb: 16, speedGhz: 2.5, description: 'Optimization: 8 cores, 16 GB' },
  ];
}

export function skuInfo(sku: string): Sku | undefined {
  return SKUS.find((s) => s.sku === sku);
}

/** The nodes a new organisation gets: one of each kind. Admins can add more. */
export const DEFAULT_NODE_SKUS = ['B2-8', 'R2-8', 'L-MICRO'];
