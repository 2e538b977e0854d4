import { connectionRepository } from '../../data/realtime/connection-repository';
import { type WatchedEntity, watchedEntity } from '../../data/realtime/stream-changes';
import type { AttributeValue } from '../../data/table/stream-image';
import type { ConnectionSender } from '../../ports/connection-sender';
import { isoNow } from '../../shared/dates';
import { logger } from '../../shared/logger';
import { type Principal, principalFromContext, principalToContext } from '../../shared/principal';
import { handleClientMessage } from './client-messages';
import { backtestMessage, type ServerMessage, topicKey } from './protocol';
import { liveUpdate } from './updates';

/**
 * The real-time protocol on API Gateway's WebSocket API (docs/realtime.md): connections and
 * subscriptions kept in the table (core/data/realtime/connection-repository.ts), messages handled
 * as on the local server (client-messages.ts), and changes pushed from the table's stream.
 */
export async function connectionOpened(connectionId: string, principal: Principal): Promise<void> {
  await connectionRepository.put({ connectionId, principal: principalToContext(principal), connected: isoNow() });
}

export async function connectionEnded(connectionId: string): Promise<void> {
  await connectionRepository.remove(connectionId);
}

/** One client message on a connection; answers go through `sender`. */
export async function connectionMessage(connectionId: string, text: string, sender: ConnectionSender): Promise<void> {
  const connection = await connectionRepository.get(connectionId);
  const principal = principalFromContext(connection?.principal);
  const send = async (message: ServerMessage) => {
    if ((await sender.send(connectionId, message)) === 'gone') await connectionRepository.remove(connectionId);
  };
  // Its $connect item is gone (expired, or removed as gone): the client must connect again.
  if (!principal) return send({ type: 'error', message: 'This connection is no longer known; connect again.' });
  await handleClientMessage(
    principal,
    text,
    {
      has: (key) => connectionRepository.isSubscribed(connectionId, key),
      count: () => connectionRepository.countSubscriptions(connectionId),
      add: (_topic, key) => connectionRepository.subscribe(connectionId, key),
      remove: (_topic, key) => connectionRepository.unsubscribe(connectionId, key),
    },
    send,
  );
}

async function messageFor(before: WatchedEntity | undefined, after: WatchedEntity): Promise<ServerMessage | undefined> {
  if (after.kind === 'backtest') {
    const message = backtestMessage(after.value);
    // A write that changes nothing a subscriber sees (a heartbeat, a node release) sends nothing.
    if (before?.kind === 'backtest' && JSON.stringify(backtestMessage(before.value)) === JSON.stringify(message)) return undefined;
    return message;
  }
  return liveUpdate(before?.kind === 'live' ? before.value : undefined, after.value);
}

/** A stream record of the table: when it is a backtest or live deployment someone watches, its message goes to each of them. */
export async function publishChange(
  beforeImage: Record<string, AttributeValue> | undefined,
  afterImage: Record<string, AttributeValue>,
  sender: ConnectionSender,
): Promise<number> {
  const after = watchedEntity(afterImage);
  if (!after) return 0;
  const topic = topicKey(
    after.kind === 'backtest'
      ? { topic: 'backtest', projectId: after.value.projectId, backtestId: after.value.backtestId }
      : { topic: 'live', projectId: after.value.projectId },
  );
  const subscribers = await connectionRepository.subscribers(topic);
  if (!subscribers.length) return 0;
  const message = await messageFor(watchedEntity(beforeImage), after);
  if (!message) return 0;
  let sent = 0;
  await Promise.all(
    subscribers.map(async (connectionId) => {
      try {
        if ((await sender.send(connectionId, message)) === 'gone') await connectionRepository.remove(connectionId);
        else sent++;
      } catch (err) {
        // One unreachable client must not hold the others' updates back.
        logger.warn('real-time post failed', { connectionId, error: err as Error });
      }
    }),
  );
  return sent;
}
