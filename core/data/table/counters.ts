import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from './clients';
import { keys } from './keys';

/** Atomic counters for QuantConnect's integer ids (user ids, project ids). */
export async function nextId(name: 'user' | 'project', start: number): Promise<number> {
  const out = await documentClient().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.counter(name),
      UpdateExpression: 'SET #v = if_not_exists(#v, :start) + :one',
      ExpressionAttributeNames: { '#v': 'value' },
      ExpressionAttributeValues: { ':start': start, ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return Number(out.Attributes?.value);
}

/** The last id handed out, or undefined when none was (ids are handed out in order from `start + 1`). */
export async function lastId(name: 'user' | 'project'): Promise<number | undefined> {
  const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: keys.counter(name) }));
  return out.Item ? Number(out.Item.value) : undefined;
}
