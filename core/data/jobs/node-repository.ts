import { BatchWriteCommand, DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { NodeClaim, VirtualNode } from '../../domain/jobs/types';
import type { JobMessage } from '../../ports/task-runner';
import { epochSeconds } from '../../shared/dates';
import { TABLE_SCHEMA } from '../../shared/table-schema';
import { documentClient, tableName } from '../table/clients';
import { unlessConditionFails } from '../table/dynamo-errors';
import { fromItem, toItem } from '../table/item';
import { keys } from '../table/keys';
import { queryAll } from '../table/query';

/** A waiter outlives no job: a day is far beyond any back-off (the queue re-delivers anyway). */
const WAITER_TTL_SECONDS = 24 * 3600;

/** A job waiting for one of its organisation's nodes (a NODEWAIT# item). */
export interface NodeWaiter {
  jobId: string;
  message: JobMessage;
  since: string;
}

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

  /** Deletes a node unless a job holds it (conditional, so a claim racing the delete wins); false when busy or gone. */
  async deleteIdle(orgId: string, nodeId: string): Promise<boolean> {
    const done = await unlessConditionFails(() =>
      documentClient().send(
        new DeleteCommand({
          TableName: tableName(),
          Key: keys.node(orgId, nodeId),
          ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(busyWith)',
        }),
      ),
    );
    return done !== undefined;
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

  /**
   * Jobs waiting for one of the organisation's nodes. The queue re-delivers a waiting job with a
   * growing delay; a waiter lets whoever frees a node wake the oldest one at once instead.
   */
  async addWaiter(orgId: string, jobId: string, message: JobMessage, since: string): Promise<void> {
    // Conditional: the first `since` stays, so a job does not lose its place by waiting again.
    await unlessConditionFails(() =>
      documentClient().send(
        new PutCommand({
          TableName: tableName(),
          Item: toItem(
            'NodeWaiter',
            keys.nodeWaiter(orgId, jobId),
            { jobId, message, since },
            { [TABLE_SCHEMA.ttlAttribute]: epochSeconds() + WAITER_TTL_SECONDS },
          ),
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      ),
    );
  },

  async removeWaiter(orgId: string, jobId: string): Promise<void> {
    await documentClient().send(new DeleteCommand({ TableName: tableName(), Key: keys.nodeWaiter(orgId, jobId) }));
  },

  /** The organisation's waiting jobs, longest-waiting first (read-only: `lcs status`). */
  async listWaiters(orgId: string): Promise<NodeWaiter[]> {
    return (await queryAll(keys.orgPartition(orgId), keys.prefixes.nodeWaiter))
      .map((i) => fromItem<NodeWaiter>(i))
      .sort((a, b) => a.since.localeCompare(b.since));
  },

  /** Removes and returns the longest-waiting job's message (a conditional delete: one taker each). */
  async takeOldestWaiter(orgId: string): Promise<JobMessage | undefined> {
    const waiters = await nodeRepository.listWaiters(orgId);
    for (const waiter of waiters) {
      const taken = await unlessConditionFails(() =>
        documentClient().send(
          new DeleteCommand({ TableName: tableName(), Key: keys.nodeWaiter(orgId, waiter.jobId), ConditionExpression: 'attribute_exists(PK)' }),
        ),
      );
      if (taken) return waiter.message;
    }
    return undefined;
  },
};
