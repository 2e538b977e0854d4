import { BatchWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from './clients';
import { unlessConditionFails } from './dynamo-errors';
import { fromItem, toItem } from './item';
import { keys } from './keys';
import type { NodeClaim, VirtualNode } from './model';
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

  /**
   * Takes the node's slot for a job: succeeds when the node is free or already held by the same
   * job (a duplicate delivery re-claims, it does not take a second node). Conditional, so two
   * dispatchers never put two jobs on one node.
   */
  async claim(orgId: string, nodeId: string, claim: NodeClaim): Promise<boolean> {
    const done = await unlessConditionFails(() =>
      documentClient().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.node(orgId, nodeId),
          UpdateExpression: 'SET busyWith = :claim',
          ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(busyWith) OR busyWith.id = :id)',
          ExpressionAttributeValues: { ':claim': claim, ':id': claim.id },
        }),
      ),
    );
    return done !== undefined;
  },

  /** Frees the slot if (and only if) this job holds it; freeing twice is harmless. */
  async release(orgId: string, nodeId: string, jobId: string): Promise<boolean> {
    const done = await unlessConditionFails(() =>
      documentClient().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.node(orgId, nodeId),
          UpdateExpression: 'REMOVE busyWith',
          ConditionExpression: 'busyWith.id = :id',
          ExpressionAttributeValues: { ':id': jobId },
        }),
      ),
    );
    return done !== undefined;
  },
};
