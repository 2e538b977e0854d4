import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from './clients';
import { fromItem, toItem } from './item';
import { keys } from './keys';
import type { VirtualNode } from './model';
import { queryAll } from './query';

/** An organisation's virtual nodes (SKU + one concurrency slot each). */
export const nodeRepository = {
  async listByOrg(orgId: string): Promise<VirtualNode[]> {
    const items = await queryAll(keys.orgPartition(orgId), keys.prefixes.node);
    return items.map((i) => fromItem<VirtualNode>(i)).sort((a, b) => a.created.localeCompare(b.created) || a.id.localeCompare(b.id));
  },

  async putMany(nodes: VirtualNode[]): Promise<void> {
    for (let i = 0; i < nodes.length; i += 25) {
      const puts = nodes.slice(i, i + 25).map((n) => ({ PutRequest: { Item: toItem('Node', keys.node(n.orgId, n.id), n) } }));
      await documentClient().send(new BatchWriteCommand({ RequestItems: { [tableName()]: puts } }));
    }
  },
};
