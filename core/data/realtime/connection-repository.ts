import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE_SCHEMA } from '../../shared/table-schema';
import { batchWrite } from '../table/batch';
import { documentClient, tableName } from '../table/clients';
import { fromItem, toItem } from '../table/item';
import { keys } from '../table/keys';
import { queryAll } from '../table/query';

/**
 * API Gateway WebSocket connections and their subscriptions (docs/realtime.md, AWS). A connection
 * item keeps the principal its $connect was authorised as (API Gateway passes the authorizer's
 * context to $connect only); each subscription is written twice, under the connection (its end
 * removes them all) and under the topic (a change finds its subscribers with one query). Every
 * item expires with the table's TTL a little after API Gateway's two-hour connection limit, so a
 * $disconnect that never ran leaves nothing behind for long.
 */
const KEEP_SECONDS = 3 * 3600;
const ttl = () => ({ [TABLE_SCHEMA.ttlAttribute]: Math.floor(Date.now() / 1000) + KEEP_SECONDS });
const db = () => documentClient();

export interface SocketConnection {
  connectionId: string;
  /** The authorizer's context (core/shared/principal.ts principalToContext). */
  principal: Record<string, string>;
  connected: string;
}

export const connectionRepository = {
  async put(connection: SocketConnection): Promise<void> {
    await db().send(
      new PutCommand({ TableName: tableName(), Item: toItem('SocketConnection', keys.socketConnection(connection.connectionId), connection, ttl()) }),
    );
  },

  async get(connectionId: string): Promise<SocketConnection | undefined> {
    const out = await db().send(new GetCommand({ TableName: tableName(), Key: keys.socketConnection(connectionId) }));
    return out.Item ? fromItem<SocketConnection>(out.Item) : undefined;
  },

  async subscribe(connectionId: string, topic: string): Promise<void> {
    await batchWrite([
      { PutRequest: { Item: toItem('SocketSubscription', keys.socketSubscription(connectionId, topic), { connectionId, topic }, ttl()) } },
      { PutRequest: { Item: toItem('TopicSubscriber', keys.topicSubscriber(topic, connectionId), { connectionId, topic }, ttl()) } },
    ]);
  },

  async unsubscribe(connectionId: string, topic: string): Promise<void> {
    await batchWrite([
      { DeleteRequest: { Key: keys.socketSubscription(connectionId, topic) } },
      { DeleteRequest: { Key: keys.topicSubscriber(topic, connectionId) } },
    ]);
  },

  async isSubscribed(connectionId: string, topic: string): Promise<boolean> {
    const out = await db().send(new GetCommand({ TableName: tableName(), Key: keys.socketSubscription(connectionId, topic) }));
    return out.Item !== undefined;
  },

  async countSubscriptions(connectionId: string): Promise<number> {
    return (await queryAll(keys.socketConnectionPartition(connectionId), keys.prefixes.socketTopic)).length;
  },

  /** The connection ids subscribed to a topic. */
  async subscribers(topic: string): Promise<string[]> {
    return (await queryAll(keys.topicPartition(topic))).map((item) => String(item.connectionId));
  },

  /** Removes a connection and every subscription it held (on $disconnect, or when a post finds it gone). */
  async remove(connectionId: string): Promise<void> {
    const held = await queryAll(keys.socketConnectionPartition(connectionId), keys.prefixes.socketTopic);
    await batchWrite(
      held.flatMap((item) => [
        { DeleteRequest: { Key: keys.socketSubscription(connectionId, String(item.topic)) } },
        { DeleteRequest: { Key: keys.topicSubscriber(String(item.topic), connectionId) } },
      ]),
    );
    await db().send(new DeleteCommand({ TableName: tableName(), Key: keys.socketConnection(connectionId) }));
  },
};
