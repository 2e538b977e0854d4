import { AppError } from '../../shared/errors';
import { logger } from '../../shared/logger';
import type { Principal } from '../../shared/principal';
import type { LiveDeployment } from '../live/types';
import { parseClientMessage, type ServerMessage, type Topic, topicKey } from './protocol';
import { subscribe } from './updates';

/**
 * One client message, handled the same way on the local server (subscriptions in memory) and in
 * AWS (subscriptions in the table): parse it, check a subscription with the REST reads' rule,
 * record it, and answer `subscribed` followed by the topic's current state.
 */
export const MAX_SUBSCRIPTIONS = 50;

/** Where a connection's subscriptions are kept. */
export interface Subscriptions {
  has(key: string): Promise<boolean>;
  count(): Promise<number>;
  add(topic: Topic, key: string, current: { message?: ServerMessage; deployment?: LiveDeployment }): Promise<void>;
  remove(topic: Topic, key: string): Promise<void>;
}

export async function handleClientMessage(
  principal: Principal,
  text: string,
  subscriptions: Subscriptions,
  send: (message: ServerMessage) => Promise<void>,
): Promise<void> {
  let message: ReturnType<typeof parseClientMessage>;
  try {
    message = parseClientMessage(text);
  } catch (err) {
    await send({ type: 'error', message: (err as Error).message });
    return;
  }
  if (message.action === 'ping') return send({ type: 'pong' });
  const key = topicKey(message.topic);
  if (message.action === 'unsubscribe') {
    await subscriptions.remove(message.topic, key);
    return send({ type: 'unsubscribed', topic: key });
  }
  if (await subscriptions.has(key)) return send({ type: 'subscribed', topic: key });
  if ((await subscriptions.count()) >= MAX_SUBSCRIPTIONS) {
    return send({ type: 'error', action: 'subscribe', topic: key, message: `At most ${MAX_SUBSCRIPTIONS} subscriptions per connection.` });
  }
  let current: Awaited<ReturnType<typeof subscribe>>;
  try {
    current = await subscribe(principal, message.topic);
  } catch (err) {
    if (!(err instanceof AppError)) logger.error('real-time subscribe failed', { topic: key, error: err as Error });
    return send({ type: 'error', action: 'subscribe', topic: key, message: err instanceof AppError ? err.message : 'Internal error; retry shortly.' });
  }
  await subscriptions.add(message.topic, key, current);
  await send({ type: 'subscribed', topic: key });
  if (current.message) await send(current.message);
}
