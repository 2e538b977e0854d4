import * as z from '../../shared/zod';
import { statusText } from '../backtests/backtest-lifecycle';
import { type Backtest, isFinal } from '../backtests/types';
import { isFinalLive, type LiveDeployment } from '../live/types';

/**
 * The real-time protocol (docs/realtime.md), the same on API Gateway's WebSocket API and on the
 * local server's `/ws`: JSON text messages. A client subscribes to topics; the server answers
 * each subscription with the current state at once, then pushes every change written after it.
 */
const projectId = z.number().check(z.int(), z.positive());
const backtestId = z.string().check(z.regex(/^[0-9a-f]{32}$/, 'backtestId must be 32 hex characters'));

const topic = z.discriminatedUnion('topic', [
  z.object({ topic: z.literal('backtest'), projectId, backtestId }),
  z.object({ topic: z.literal('live'), projectId }),
]);

export type Topic = z.infer<typeof topic>;

const clientMessage = z.discriminatedUnion('action', [
  z.object({ action: z.literal('subscribe'), ...topicShape() }),
  z.object({ action: z.literal('unsubscribe'), ...topicShape() }),
  z.object({ action: z.literal('ping') }),
]);

/** zod/mini has no `.and`: the topic's fields are spread into each action (a union of topics). */
function topicShape() {
  return { topic: z.enum(['backtest', 'live']), projectId, backtestId: z.optional(backtestId) };
}

export type ClientMessage = { action: 'subscribe' | 'unsubscribe'; topic: Topic } | { action: 'ping' };

/** Parses one client message; throws a readable text for anything else. */
export function parseClientMessage(text: string): ClientMessage {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('The message is not JSON.');
  }
  const parsed = clientMessage.safeParse(json);
  if (!parsed.success) throw new Error(`Invalid message: ${z.prettifyError(parsed.error).replace(/\n/g, ' ')}`);
  const message = parsed.data;
  if (message.action === 'ping') return message;
  const t = topic.safeParse(message);
  if (!t.success) throw new Error(`Invalid message: ${z.prettifyError(t.error).replace(/\n/g, ' ')}`);
  return { action: message.action, topic: t.data };
}

/** The one name of a topic: subscriptions are kept and looked up by it. */
export function topicKey(t: Topic): string {
  return t.topic === 'backtest' ? `backtest:${t.projectId}:${t.backtestId}` : `live:${t.projectId}`;
}

export interface BacktestMessage {
  type: 'backtest';
  projectId: number;
  backtestId: string;
  /** QuantConnect's status text, as backtests/read answers it. */
  status: string;
  phase: Backtest['phase'];
  progress: number;
  /** True once the backtest has ended: no further message follows for it. */
  final: boolean;
  error?: string;
  runtimeStatistics?: Record<string, string>;
}

export interface LiveMessage {
  type: 'live';
  projectId: number;
  deployId: string;
  status: LiveDeployment['status'];
  final: boolean;
  /** The portfolio value LEAN last reported, at the runner's heartbeat: [unix seconds, value]. */
  equity?: [number, number];
  /** Orders LEAN recorded since the previous message, each with its events (the fills among them). */
  fills?: Record<string, unknown>[];
  /** Log lines written since the previous message. */
  logs?: string[];
  error?: string;
}

export interface ErrorMessage {
  type: 'error';
  /** What the error is about, when it is about a message: its action and topic. */
  action?: string;
  topic?: string;
  message: string;
}

export type ServerMessage = BacktestMessage | LiveMessage | ErrorMessage | { type: 'subscribed' | 'unsubscribed'; topic: string } | { type: 'pong' };

export function backtestMessage(b: Backtest): BacktestMessage {
  return {
    type: 'backtest',
    projectId: b.projectId,
    backtestId: b.backtestId,
    status: statusText(b),
    phase: b.phase,
    progress: b.progress,
    final: isFinal(b),
    ...(b.error ? { error: b.error } : {}),
    ...(b.runtimeStatistics ? { runtimeStatistics: b.runtimeStatistics } : {}),
  };
}

/** `$100,123.45` (LEAN's runtime statistic) → 100123.45. */
function money(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const value = Number(text.replace(/[^0-9.-]/g, ''));
  return Number.isFinite(value) ? value : undefined;
}

/** What a live message adds beyond the deployment item: read from the published results only when they grew. */
export interface LiveExtras {
  fills?: Record<string, unknown>[];
  logs?: string[];
}

export function liveMessage(d: LiveDeployment, extras: LiveExtras = {}): LiveMessage {
  const equity = money(d.runtimeStatistics?.Equity);
  const at = d.heartbeat ? Math.floor(Date.parse(d.heartbeat) / 1000) : undefined;
  return {
    type: 'live',
    projectId: d.projectId,
    deployId: d.deployId,
    status: d.status,
    final: isFinalLive(d),
    ...(equity !== undefined && at !== undefined ? { equity: [at, equity] as [number, number] } : {}),
    ...(extras.fills?.length ? { fills: extras.fills } : {}),
    ...(extras.logs?.length ? { logs: extras.logs } : {}),
    ...(d.error ? { error: d.error } : {}),
  };
}
