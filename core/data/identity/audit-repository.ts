import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/identity/types';
import { config } from '../../shared/config';
import { TABLE_SCHEMA } from '../../shared/table-schema';
import { documentClient, tableName } from '../table/clients';
import { fromItem, toItem } from '../table/item';
import { keys } from '../table/keys';

/** Audit events: one item per change, kept for the retention period (TTL), queryable by org and by user. */
export interface AuditQuery {
  orgId?: string;
  userId?: number;
  action?: string;
  /** Only events whose target starts with this. */
  targetPrefix?: string;
  from?: string;
  to?: string;
  limit?: number;
}

export const auditRepository = {
  async record(event: AuditEvent): Promise<void> {
    const expiresAt = Math.floor(Date.parse(event.at) / 1000) + config().LCS_AUDIT_RETENTION_DAYS * 86_400;
    await documentClient().send(
      new PutCommand({
        TableName: tableName(),
        Item: toItem('AuditEvent', keys.audit(event.orgId, event.at, event.requestId), event, {
          GSI1PK: keys.auditUserIndex(event.userId),
          GSI1SK: event.at,
          [TABLE_SCHEMA.ttlAttribute]: expiresAt,
        }),
      }),
    );
  },

  /** Newest first; by organisation (table) or by user (index), within an optional time window. */
  async query(q: AuditQuery): Promise<AuditEvent[]> {
    return (await auditRepository.search(q)).events;
  },

  /**
   * `query`, stopping once `maxScanned` events have been read (matching or not): a rare filter over
   * a long history could otherwise read the whole partition in one request. `complete` is false
   * when it stopped there before finding `limit` events.
   */
  async search(q: AuditQuery, maxScanned = Number.POSITIVE_INFINITY): Promise<{ events: AuditEvent[]; complete: boolean }> {
    const byUser = q.orgId === undefined;
    if (byUser && q.userId === undefined) throw new Error('audit query needs an organization or a user');
    const sortName = byUser ? 'GSI1SK' : 'SK';
    const from = q.from ?? '0000';
    const to = `${q.to ?? '9999'}\uffff`;
    const events: AuditEvent[] = [];
    let start: Record<string, unknown> | undefined;
    const limit = q.limit ?? 100;
    let scanned = 0;
    do {
      if (scanned >= maxScanned) return { events, complete: false };
      const out = await documentClient().send(
        new QueryCommand({
          TableName: tableName(),
          ...(byUser ? { IndexName: TABLE_SCHEMA.indexes.gsi1.name } : {}),
          KeyConditionExpression: `${byUser ? 'GSI1PK' : 'PK'} = :pk AND ${sortName} BETWEEN :from AND :to`,
          ExpressionAttributeValues: {
            ':pk': byUser ? keys.auditUserIndex(q.userId as number) : keys.auditPartition(q.orgId as string),
            ':from': from,
            ':to': to,
          },
          ScanIndexForward: false,
          ExclusiveStartKey: start,
          ...(Number.isFinite(maxScanned) ? { Limit: Math.max(1, Math.min(1000, maxScanned - scanned)) } : {}),
        }),
      );
      for (const item of out.Items ?? []) {
        scanned++;
        const event = fromItem<AuditEvent>(item);
        if (q.action && event.action !== q.action) continue;
        if (q.userId !== undefined && event.userId !== q.userId) continue;
        if (q.targetPrefix !== undefined && !event.target?.startsWith(q.targetPrefix)) continue;
        events.push(event);
        if (events.length >= limit) return { events, complete: true };
      }
      start = out.LastEvaluatedKey;
    } while (start);
    return { events, complete: true };
  },
};
