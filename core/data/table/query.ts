import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { TABLE_SCHEMA } from '../../shared/table-schema';
import { documentClient, tableName } from './clients';

/** Runs a query to the end, following LastEvaluatedKey. */
async function allPages(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient().send(new QueryCommand({ ...input, TableName: tableName(), ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** All items of a table partition, optionally under a sort-key prefix. */
export function queryAll(pk: string, skPrefix?: string): Promise<Record<string, unknown>[]> {
  return allPages({
    KeyConditionExpression: skPrefix ? 'PK = :pk AND begins_with(SK, :sk)' : 'PK = :pk',
    ExpressionAttributeValues: skPrefix ? { ':pk': pk, ':sk': skPrefix } : { ':pk': pk },
  });
}

/** The keys alone of a partition's items under a sort-key prefix (for deleting them). */
export async function queryKeys(pk: string, skPrefix: string): Promise<{ PK: string; SK: string }[]> {
  const items = await allPages({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
    ExpressionAttributeValues: { ':pk': pk, ':sk': skPrefix },
    ProjectionExpression: 'PK, SK',
  });
  return items.map((i) => ({ PK: String(i.PK), SK: String(i.SK) }));
}

/** All items of a GSI1 partition, in index order. */
export function queryIndexAll(pk: string): Promise<Record<string, unknown>[]> {
  return allPages({ IndexName: TABLE_SCHEMA.indexes.gsi1.name, KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': pk } });
}
