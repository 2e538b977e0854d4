import { type IncomingMessage, type Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { handleClientMessage, type Subscriptions } from '../core/domain/realtime/client-messages';
import type { ServerMessage, Topic } from '../core/domain/realtime/protocol';
import { errorEnvelope } from '../core/shared/envelope';
import { AuthError } from '../core/shared/errors';
import { logger } from '../core/shared/logger';
import type { Principal } from '../core/shared/principal';
import { cachedAuthenticator } from '../lambdas/auth/credential-cache';
import { AuthThrottledError } from '../lambdas/auth/failure-budget';
import { socketCredentialSource } from '../lambdas/auth/socket-credentials';
import { requestUrl } from './proxy-event';
import { type Deliver, TopicWatchers } from './realtime-watchers';
import { acceptConnection, CLOSE, handshakeProblem, type WebSocketConnection } from './websocket';

/**
 * The real-time protocol (docs/realtime.md) on the local server: `ws://host:port/ws`, on the
 * same port and address as the API. The connection is authenticated once, when it opens, with
 * the same verification as every REST request (the API Gateway $connect authorizer does the same);
 * each subscription is checked with the REST reads' project rule.
 */
export const REALTIME_PATH = '/ws';
/** Keeps idle connections open through proxies, and finds dead ones. */
const PING_MS = 30_000;

function refuse(socket: Duplex, status: number, reason: string, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(errorEnvelope([message]));
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra.join('')}connection: close\r\n\r\n${body}`,
  );
}

/** One client: its principal and what it watches (in memory, with the shared read loops). */
class Session {
  private readonly topics = new Map<string, { topic: Topic; deliver: Deliver }>();
  private readonly subscriptions: Subscriptions;
  /** Messages are handled one at a time, in order (a subscribe then an unsubscribe of the same topic). */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly connection: WebSocketConnection,
    private readonly principal: Principal,
    watchers: TopicWatchers,
  ) {
    this.subscriptions = {
      has: async (key) => this.topics.has(key),
      count: async () => this.topics.size,
      add: async (topic, key, current) => {
        if (!this.connection.open) return;
        const deliver: Deliver = (m) => this.send(m);
        this.topics.set(key, { topic, deliver });
        watchers.add(topic, deliver, current.message, current.deployment);
      },
      remove: async (_topic, key) => {
        const held = this.topics.get(key);
        if (held) watchers.remove(held.topic, held.deliver);
        this.topics.delete(key);
      },
    };
    connection.on('message', (text) => {
      this.queue = this.queue
        .then(() => handleClientMessage(this.principal, text, this.subscriptions, async (m) => this.send(m)))
        .catch((err: unknown) => logger.error('real-time message failed', { error: err as Error }));
    });
    connection.on('close', () => {
      for (const { topic, deliver } of this.topics.values()) watchers.remove(topic, deliver);
      this.topics.clear();
    });
  }

  private send(message: ServerMessage): void {
    this.connection.send(JSON.stringify(message));
  }
}

/**
 * A request asking to upgrade to anything but a WebSocket (`Upgrade: h2c` from curl --http2) is
 * served as if the header were absent, as HTTP lets a server do and as this server did before it
 * listened for upgrades. Node has already detached the parser, so only a request without a body
 * can be handed back; one with a body is refused with the envelope, naming the header.
 */
function ignoreUpgrade(server: Server, req: IncomingMessage, socket: Duplex): void {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody) {
    refuse(
      socket,
      400,
      'Bad Request',
      `This server does not upgrade to '${String(req.headers.upgrade).slice(0, 40)}'; send the request without the Upgrade header.`,
    );
    return;
  }
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as Socket);
  res.on('finish', () => {
    res.detachSocket(socket as Socket);
    socket.end();
  });
  // The parser that would have ended the (empty) body is gone: end it here.
  req.push(null);
  server.emit('request', req, res);
}

export interface RealtimeServer {
  /** Closes every connection (going away) and stops the read loops; the HTTP server closes itself. */
  close(): void;
}

/** Serves the protocol on `server`'s upgrade requests to /ws; any other upgrade is refused with 404. */
export function attachRealtime(server: Server, watchers = new TopicWatchers()): RealtimeServer {
  const connections = new Set<WebSocketConnection>();
  let verify: ReturnType<typeof cachedAuthenticator> | undefined;
  const ping = setInterval(() => {
    for (const c of connections) c.ping();
  }, PING_MS);
  ping.unref();

  const upgrade = async (req: IncomingMessage, socket: Duplex): Promise<void> => {
    const url = requestUrl(req.url ?? '/');
    if (url.pathname !== REALTIME_PATH) return refuse(socket, 404, 'Not Found', `Not found: the real-time API is served at ${REALTIME_PATH}`);
    const problem = handshakeProblem(req);
    if (problem) return refuse(socket, 400, 'Bad Request', problem);
    const query: Record<string, string | string[]> = Object.create(null);
    for (const [key, value] of url.searchParams) {
      const seen = Object.hasOwn(query, key) ? query[key] : undefined;
      query[key] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
    }
    let principal: Principal;
    try {
      verify ??= cachedAuthenticator();
      principal = await verify({ ...socketCredentialSource(query), sourceIp: req.socket.remoteAddress ?? '' });
    } catch (err) {
      if (err instanceof AuthThrottledError) return refuse(socket, 429, 'Too Many Requests', err.message, { 'retry-after': String(err.retryAfterSeconds) });
      if (err instanceof AuthError) return refuse(socket, 401, 'Unauthorized', err.message);
      throw err;
    }
    if (principal.job) return refuse(socket, 403, 'Forbidden', 'A job credential cannot open a real-time connection.');
    if (socket.destroyed) return;
    const connection = acceptConnection(req, socket);
    connections.add(connection);
    connection.on('close', () => connections.delete(connection));
    new Session(connection, principal, watchers);
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    if (String(req.headers.upgrade).toLowerCase() !== 'websocket') {
      ignoreUpgrade(server, req, socket);
      return;
    }
    upgrade(req, socket).catch((err: unknown) => {
      logger.error('real-time connection failed', { error: err as Error });
      if (!socket.destroyed) refuse(socket, 500, 'Internal Server Error', 'Internal error; retry shortly.');
    });
  });
  server.on('close', () => clearInterval(ping));

  return {
    close() {
      clearInterval(ping);
      watchers.stopAll();
      for (const c of connections) c.close(CLOSE.goingAway, 'server stopping');
    },
  };
}
