import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from './clients';

/** One read of an item that never exists: answers when the table does (the `health` endpoint). */
export async function probeTable(): Promise<void> {
  await documentClient().send(new GetCommand({ TableName: tableName(), Key: { PK: 'HEALTH', SK: 'HEALTH' } }));
}
