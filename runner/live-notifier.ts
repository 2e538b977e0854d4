import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { InsightItem, OrderItem } from '../core/data/results/result-model';
import {
  describeTarget,
  insightMessage,
  type NotificationConfig,
  type NotificationMessage,
  type NotificationTarget,
  type NotifiedDeployment,
  orderEventMessage,
  secretValuesOf,
} from '../core/domain/live/notifications';
import type { MessageSender, MessageSendFailure } from '../core/ports/message-sender';

/**
 * The live runner's notifications (issue 12 item 7): every publish hands it the merged orders and
 * insights; each order event and insight it has not seen yet becomes one message to every target,
 * if the deployment asked for that kind. Webhooks and Telegram go out over HTTP(S) from this
 * runner, each target in order through its own queue, with bounded retries and back-off; email and
 * SMS go through a {@link MessageSender} when the runner has one. A failure never stops the
 * algorithm: it is noted in the deployment's log. Nothing secret (addresses, header values,
 * tokens, URL paths) is written to a log: targets are named by {@link describeTarget} and error
 * texts are scrubbed.
 */
export interface NotifierOptions {
  /** Telegram's Bot API base URL (`LCS_TELEGRAM_API_URL`; a test points it at a local receiver). */
  telegramApiUrl: string;
  /** First retry back-off (doubled each time, at most {@link MAX_BACKOFF_MS}). */
  retryBaseMs: number;
  /** Tries per message and target, the first included. */
  attempts: number;
  /** One HTTP request's time limit. */
  timeoutMs?: number;
  /** Email and SMS (SES/SNS on AWS, an outbox file locally); a kind it lacks is skipped (said once). */
  messages?: MessageSender;
  /** Operator lines (the runner's log). */
  log: (line: string) => void;
  /** Lines for the deployment's own log (`live/logs/read`). */
  note: (line: string) => void;
}

const MAX_BACKOFF_MS = 60_000;
/** Messages waiting per target beyond which new ones are dropped (counted, said in the log). */
const MAX_QUEUED = 500;

/** Whether an HTTP answer is worth another try: throttled or a server-side failure. */
export function retryable(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** Back-off before try `attempt + 1` (attempt counts from 1): doubled each time, capped; a server's Retry-After wins when longer (capped too). */
export function backoffMs(attempt: number, baseMs: number, retryAfterSeconds?: number): number {
  const doubled = Math.min(baseMs * 2 ** (attempt - 1), MAX_BACKOFF_MS);
  const asked = retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds) ? Math.min(retryAfterSeconds * 1000, MAX_BACKOFF_MS) : 0;
  return Math.max(doubled, asked);
}

class SendFailure extends Error {
  constructor(
    message: string,
    readonly retry: boolean,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** Link-local addresses (the cloud metadata and credential endpoints): a webhook's name may not lead there. */
const LINK_LOCAL = /^(169\.254\.|fe[89ab][0-9a-f]:|fd00:ec2::|::ffff:(169\.254\.|a9fe:))/i;

async function resolvesLinkLocal(hostname: string): Promise<boolean> {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return LINK_LOCAL.test(host);
  try {
    return (await lookup(host, { all: true })).some((a) => LINK_LOCAL.test(a.address));
  } catch {
    return false; // fetch reports the name that does not resolve
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends one message to one target, once; throws a {@link SendFailure}. */
async function sendOnce(target: NotificationTarget, message: NotificationMessage, options: NotifierOptions): Promise<void> {
  if (target.kind === 'email' || target.kind === 'sms') {
    const email = options.messages?.email;
    const sms = options.messages?.sms;
    try {
      if (target.kind === 'email' && email) await email(target.address, target.subject ?? message.subject, message.text);
      else if (target.kind === 'sms' && sms) await sms(target.phoneNumber, message.short);
      else throw new SendFailure(`no ${target.kind === 'sms' ? 'SMS' : 'email'} sender`, false);
    } catch (err) {
      if (err instanceof SendFailure) throw err;
      throw new SendFailure((err as Error).message, (err as MessageSendFailure).retryable !== false);
    }
    return;
  }
  let url: string;
  let init: RequestInit;
  if (target.kind === 'webhook') {
    url = target.url;
    if (await resolvesLinkLocal(new URL(url).hostname)) throw new SendFailure('the host resolves to a link-local address', false);
    init = { method: 'POST', headers: { 'content-type': 'application/json', ...target.headers }, body: JSON.stringify(message.payload) };
  } else {
    if (!target.token) throw new SendFailure('no bot token (this server has no bot of its own)', false);
    url = `${options.telegramApiUrl.replace(/\/+$/, '')}/bot${target.token}/sendMessage`;
    init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ chat_id: target.chatId, text: message.text }) };
  }
  let response: Response;
  try {
    response = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    throw new SendFailure(cause?.code ?? (err as Error).name ?? 'network error', true);
  }
  // The body is never read into a log (it may echo what was sent); it is drained to free the socket.
  await response.arrayBuffer().catch(() => undefined);
  if (response.ok) return;
  const retryAfter = Number(response.headers.get('retry-after') ?? Number.NaN);
  throw new SendFailure(`HTTP ${response.status}`, retryable(response.status), Number.isFinite(retryAfter) ? retryAfter : undefined);
}

/** Sends with retries; answers how many tries it took, or throws the last failure. */
export async function sendWithRetries(
  target: NotificationTarget,
  message: NotificationMessage,
  options: NotifierOptions,
  onRetry: (why: string, waitMs: number) => void,
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      await sendOnce(target, message, options);
      return attempt;
    } catch (err) {
      const failure = err instanceof SendFailure ? err : new SendFailure((err as Error).message, true);
      if (!failure.retry || attempt >= options.attempts) throw failure;
      const wait = backoffMs(attempt, options.retryBaseMs, failure.retryAfterSeconds);
      onRetry(failure.message, wait);
      await sleep(wait);
    }
  }
}

/**
 * A key per order event: LEAN's event id (`<algorithm>-<order>-<event>`, else the order and event
 * ids) with its time and status, since a restarted LEAN numbers its orders afresh; the same for
 * insights (id and generation time).
 */
const eventKey = (order: OrderItem, event: Record<string, unknown>, i: number) =>
  `${String(event.id ?? `${String(order.id)}-${String(event.orderEventId ?? i)}`)}|${String(event.time ?? event.utcTime ?? '')}|${String(event.status ?? '')}`;
const eventsOf = (order: OrderItem) => (Array.isArray(order.events) ? (order.events as Record<string, unknown>[]) : []);
const insightKey = (insight: InsightItem, i: number) => `${String(insight.id ?? `#${i}`)}|${String(insight.generatedTime ?? '')}`;

export function liveNotifier(config: NotificationConfig | undefined, deployment: NotifiedDeployment, options: NotifierOptions) {
  const seenEvents = new Set<string>();
  const seenInsights = new Set<string>();
  const wantsOrders = !!config?.events.includes('orderEvent');
  const wantsInsights = !!config?.events.includes('insight');
  const secrets = (config?.targets ?? []).flatMap(secretValuesOf).sort((a, b) => b.length - a.length);
  const scrub = (s: string) => secrets.reduce((out, secret) => out.split(secret).join('***'), s);
  const queues = (config?.targets ?? []).map((target, index) => ({
    target,
    name: describeTarget(target, index),
    chain: Promise.resolve(),
    queued: 0,
    dropped: 0,
  }));
  let sent = 0;
  let failed = 0;
  const canSend = (t: NotificationTarget) => (t.kind === 'email' ? !!options.messages?.email : t.kind === 'sms' ? !!options.messages?.sms : true);

  if (config) {
    options.note(`Notifications on ${config.events.join(' and ')} to ${queues.map((q) => q.name).join(', ')}`);
    const unsent = queues.filter((q) => !canSend(q.target));
    if (unsent.length)
      options.note(`Not sent: ${unsent.map((q) => q.name).join(', ')}; this server's operator has not enabled email or SMS (docs/live.md, "Notifications")`);
    const tokenless = queues.filter((q) => q.target.kind === 'telegram' && !q.target.token);
    if (tokenless.length) options.note(`Not sent: ${tokenless.map((q) => q.name).join(', ')}; a Telegram target needs the token of your own bot`);
  }
  const active = queues.filter((q) => canSend(q.target) && !(q.target.kind === 'telegram' && !q.target.token));

  const dispatch = (message: NotificationMessage) => {
    for (const q of active) {
      if (q.queued >= MAX_QUEUED) {
        if (q.dropped++ === 0) options.note(`Notifications to ${q.name} are falling behind; new ones are dropped until it catches up`);
        continue;
      }
      q.queued++;
      q.chain = q.chain.then(async () => {
        try {
          await sendWithRetries(q.target, message, options, (why, wait) =>
            options.log(`notification to ${q.name} failed (${scrub(why)}); retrying in ${wait} ms`),
          );
          sent++;
        } catch (err) {
          failed++;
          options.note(`Notification (${message.event}) to ${q.name} not delivered after ${options.attempts} tries: ${scrub((err as Error).message)}`);
        } finally {
          q.queued--;
          if (q.queued === 0 && q.dropped) {
            options.note(`Notifications to ${q.name}: ${q.dropped} dropped while it was falling behind`);
            q.dropped = 0;
          }
        }
      });
    }
  };

  return {
    /** What an earlier runner of this deployment already saw (published): not notified again. */
    seed(orders: OrderItem[], insights: InsightItem[]): void {
      for (const o of orders) for (const [i, e] of eventsOf(o).entries()) seenEvents.add(eventKey(o, e, i));
      for (const [i, x] of insights.entries()) seenInsights.add(insightKey(x, i));
    },

    /** Notifies each order event and insight not seen before (in the order LEAN wrote them). */
    observe(orders: OrderItem[], insights: InsightItem[]): void {
      for (const o of orders) {
        for (const [i, e] of eventsOf(o).entries()) {
          const key = eventKey(o, e, i);
          if (seenEvents.has(key)) continue;
          seenEvents.add(key);
          if (wantsOrders) dispatch(orderEventMessage(deployment, e));
        }
      }
      for (const [i, x] of insights.entries()) {
        const key = insightKey(x, i);
        if (seenInsights.has(key)) continue;
        seenInsights.add(key);
        if (wantsInsights) dispatch(insightMessage(deployment, x));
      }
    },

    /** Waits for what is queued (at most `timeoutMs`), e.g. before the runner exits. */
    async drain(timeoutMs: number): Promise<{ sent: number; failed: number }> {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(queues.map((q) => q.chain)), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
      clearTimeout(timer);
      return { sent, failed };
    },
  };
}
