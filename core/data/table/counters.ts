import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
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
