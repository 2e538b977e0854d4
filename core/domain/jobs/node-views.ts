import { skuInfo } from '../../shared/catalog';
import type { VirtualNode } from './types';

/** A virtual node as `nodes/read` and `projects/nodes/read` report it (contract §3.11). */
export function nodeView(node: VirtualNode, extra: { active?: boolean } = {}) {
  const info = skuInfo(node.sku);
  return {
    id: node.id,
    name: node.name,
    sku: node.sku,
    description: info?.description ?? node.sku,
    cpu: info?.cpu ?? 1,
    ram: info?.ramGb ?? 1,
    speed: info?.speedGhz ?? 2.5,
    // Nodes are virtual: nothing is billed until a task runs, so there is no subscription price.
    price: { monthly: 0, yearly: 0 },
    assets: 0,
    host: '',
    hasGpu: 0,
    busy: node.busyWith !== undefined,
    // lean-cli needs strings here even when idle; the project name is not stored on the claim.
    usedBy: node.busyWith ? `${node.busyWith.kind} ${node.busyWith.id}` : '',
    userProfile: '',
    projectName: '',
    projectId: node.busyWith?.projectId ?? null,
    ...(extra.active !== undefined ? { active: extra.active } : {}),
  };
}
