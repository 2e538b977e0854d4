import { useEffect, useState } from 'preact/hooks';
import { qcHash } from './api';
import { consoleConfig } from './oidc';
import { loadCredentials } from './session';

/**
 * Pushed updates (docs/realtime.md): ONE WebSocket per tab, to `/ws` on the console's own origin,
 * shared by every page that watches something. It opens with the first subscription and closes
 * shortly after the last, reconnects with back-off while anything is watched, and subscribes again
 * to everything after each reconnect. A page learns whether its data is live (the socket is open
 * and the server confirmed its subscription) or stale (anything else), and polls while it is stale.
 */
export type Subscription = { topic: 'backtest'; projectId: number; backtestId: string } | { topic: 'live'; projectId: number };

export type Pushed = Record<string, unknown> & { type: string };

/** `live`: the server confirmed the subscription on an open socket; `stale`: not (yet, or any more). */
export type Freshness = 'live' | 'stale';

type Listener = (event: { freshness: Freshness; message?: Pushed; error?: string }) => void;

const keyOf = (s: Subscription) => (s.topic === 'backtest' ? `backtest:${s.projectId}:${s.backtestId}` : `live:${s.projectId}`);

/** The topic a pushed message is about. */
function topicOf(m: Pushed): string | undefined {
  if (m.type === 'backtest') return `backtest:${m.projectId}:${m.backtestId}`;
  if (m.type === 'live') return `live:${m.projectId}`;
  return typeof m.topic === 'string' ? m.topic : undefined;
}

const BACKOFF_MS = [1000, 2000, 4000, 8000, 15_000, 30_000];
const LINGER_MS = 2000;

interface Watched {
  subscription: Subscription;
  listeners: Set<Listener>;
  confirmed: boolean;
}

class RealtimeSocket {
  private socket?: WebSocket;
  private readonly watched = new Map<string, Watched>();
  private attempt = 0;
  private retry?: ReturnType<typeof setTimeout>;
  /** Set while the hash for a connection is computed, so two callers never open two sockets. */
  private opening = false;
  private linger?: ReturnType<typeof setTimeout>;

  watch(subscription: Subscription, listener: Listener): () => void {
    const key = keyOf(subscription);
    let entry = this.watched.get(key);
    if (!entry) {
      entry = { subscription, listeners: new Set(), confirmed: false };
      this.watched.set(key, entry);
      if (this.socket?.readyState === WebSocket.OPEN) this.send({ action: 'subscribe', ...subscription });
    }
    entry.listeners.add(listener);
    listener({ freshness: entry.confirmed ? 'live' : 'stale' });
    clearTimeout(this.linger);
    this.connect();
    const held = entry;
    return () => {
      held.listeners.delete(listener);
      if (held.listeners.size > 0) return;
      this.watched.delete(key);
      if (this.socket?.readyState === WebSocket.OPEN) this.send({ action: 'unsubscribe', ...subscription });
      if (this.watched.size === 0) this.linger = setTimeout(() => this.disconnect(), LINGER_MS);
    };
  }

  private send(message: Record<string, unknown>): void {
    this.socket?.send(JSON.stringify(message));
  }

  private async connect(): Promise<void> {
    if (this.socket || this.retry || this.opening) return;
    const credentials = loadCredentials();
    if (!credentials) return; // signed out: nothing is opened
    const timestamp = Math.floor(Date.now() / 1000);
    this.opening = true;
    let base: string;
    let hash: string | undefined;
    try {
      // Deployed, the WebSocket API has its own address (config.json); locally it is /ws on this origin.
      base = (await consoleConfig()).socketUrl ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
      // Signed in with OIDC: the ID token, as the socket's `token` parameter (docs/realtime.md); else the timestamped hash.
      hash = credentials.bearer ? undefined : await qcHash(credentials, timestamp);
    } finally {
      this.opening = false;
    }
    if (this.socket || this.watched.size === 0) return;
    const query = new URLSearchParams(hash === undefined ? { token: credentials.token } : { userId: credentials.userId, hash, timestamp: String(timestamp) });
    const socket = new WebSocket(`${base}?${query}`);
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      for (const { subscription } of this.watched.values()) this.send({ action: 'subscribe', ...subscription });
    };
    socket.onmessage = (event) => this.receive(JSON.parse(String(event.data)) as Pushed);
    socket.onclose = () => this.dropped(socket);
  }

  private receive(message: Pushed): void {
    const entry = this.watched.get(topicOf(message) ?? '');
    if (!entry) return;
    if (message.type === 'subscribed') {
      entry.confirmed = true;
      for (const l of entry.listeners) l({ freshness: 'live' });
    } else if (message.type === 'error') {
      entry.confirmed = false;
      for (const l of entry.listeners) l({ freshness: 'stale', error: String(message.message) });
    } else if (entry.confirmed) {
      for (const l of entry.listeners) l({ freshness: 'live', message });
    }
  }

  /** The socket closed or never opened: everything watched is stale until a reconnect confirms it again. */
  private dropped(socket: WebSocket): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    for (const entry of this.watched.values()) {
      entry.confirmed = false;
      for (const l of entry.listeners) l({ freshness: 'stale' });
    }
    if (this.watched.size === 0) return;
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)] as number;
    this.attempt++;
    // Jitter, so many tabs of a restarted server do not reconnect in step.
    this.retry = setTimeout(
      () => {
        this.retry = undefined;
        void this.connect();
      },
      delay * (0.75 + Math.random() / 2),
    );
  }

  private disconnect(): void {
    clearTimeout(this.retry);
    this.retry = undefined;
    const socket = this.socket;
    this.socket = undefined;
    socket?.close();
  }
}

const shared = new RealtimeSocket();

export interface LiveUpdates {
  freshness: Freshness;
  /** The newest pushed state of the topic (a `backtest` or `live` message). */
  message?: Pushed;
  error?: string;
}

/** Watches `subscription` (nothing when undefined); re-renders on every pushed message and freshness change. */
export function useLiveUpdates(subscription: Subscription | undefined): LiveUpdates {
  const [state, setState] = useState<LiveUpdates & { for?: string }>({ freshness: 'stale' });
  const key = subscription ? keyOf(subscription) : undefined;
  useEffect(() => {
    if (!subscription || !key) return;
    setState({ for: key, freshness: 'stale' });
    return shared.watch(subscription, (event) =>
      setState((previous) => ({
        for: key,
        freshness: event.freshness,
        message: event.message ?? (previous.for === key ? previous.message : undefined),
        error: event.error,
      })),
    );
  }, [key]);
  return state.for === key ? state : { freshness: 'stale' };
}
