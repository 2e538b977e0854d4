import { BatchGetCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from './clients';
import type { Key } from './keys';

/** Batch reads and writes of the single table, a few requests in flight, retrying what DynamoDB leaves unprocessed. */
const IN_FLIGHT = 4;

async function inParallel<T>(chunks: T[][], run: (chunk: T[]) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++] as T[];
      await run(chunk);
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, chunks.length) }, worker));
}

function chunked<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Key } };

/** Puts and deletes (not atomic as a whole: for items nobody reads until a later commit names them). */
export async function batchWrite(requests: WriteRequest[]): Promise<void> {
  await inParallel(chunked(requests, 25), async (chunk) => {
    let request: Record<string, unknown[]> | undefined = { [tableName()]: chunk };
    while (request && Object.keys(request).length) {
      const out = await documentClient().send(new BatchWriteCommand({ RequestItems: request as never }));
      request = out.UnprocessedItems as typeof request;
    }
  });
}

/** Strongly consistent reads of the given keys; the items found, in no particular order. */
export async function batchGet(keys: Key[]): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  await inParallel(chunked(keys, 100), async (chunk) => {
    let request: Record<string, { Keys: Key[]; ConsistentRead: boolean }> | undefined = { [tableName()]: { Keys: chunk, ConsistentRead: true } };
    while (request && Object.keys(request).length) {
      const out = await documentClient().send(new BatchGetCommand({ RequestItems: request }));
      found.push(...(out.Responses?.[tableName()] ?? []));
      request = out.UnprocessedKeys as typeof request;
    }
  });
  return found;
}
