import { InvalidError } from '../../shared/errors';

/**
 * Deployment notifications (issue 12 item 7): what lean-cli asks for in `live/create` and what is
 * sent when LEAN reports an order event or an insight. lean-cli
 * (`lean/components/api/live_client.py` `start`) sends, when `--notify-order-events` or
 * `--notify-insights` is on, `notification: {events: ["orderEvent", "insight"], targets: [...]}`
 * where each target is a model dump with its empty fields dropped:
 * email `{address, subject?}`, webhook `{address, headers?}`, SMS `{phoneNumber}`, Telegram
 * `{id, token?}`. An email and a header-less webhook both arrive as `{address}`: an address with a
 * URL scheme, a `/` or no `@` is a webhook. LEAN's own `live/create` sends `{}` (nothing asked).
 *
 * Every target holds something secret (an address, a phone number, header values, a bot token):
 * targets are kept in the deployment's secret under {@link NOTIFICATION_SECRET_KEY}, never in a
 * table item, an answer or a log line; logs name a target by {@link describeTarget}.
 */
export type NotifyEvent = 'orderEvent' | 'insight';

export type NotificationTarget =
  | { kind: 'email'; address: string; subject?: string }
  | { kind: 'webhook'; url: string; headers: Record<string, string> }
  | { kind: 'sms'; phoneNumber: string }
  | { kind: 'telegram'; chatId: string; token?: string };

export interface NotificationConfig {
  events: NotifyEvent[];
  targets: NotificationTarget[];
}

/** The deployment secret's key for the targets: not a LEAN config key, and never handed to LEAN. */
export const NOTIFICATION_SECRET_KEY = 'lcs-notification';

const EVENTS: readonly NotifyEvent[] = ['orderEvent', 'insight'];
const MAX_TARGETS = 20;
const MAX_HEADERS = 20;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;
const PHONE = /^\+?[0-9][0-9 ().-]{4,24}$/;
const CHAT_ID = /^(-?[0-9]{1,20}|@[A-Za-z0-9_]{4,64})$/;
const BOT_TOKEN = /^[0-9]{1,20}:[A-Za-z0-9_-]{10,100}$/;
/** Host names a webhook may not name: link-local addresses (the cloud metadata and credential endpoints). */
const FORBIDDEN_HOST = /^(169\.254\.|\[fe[89ab][0-9a-f]:|\[fd00:ec2::|\[::ffff:a9fe:|metadata\.google\.internal$|instance-data)/i;

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : undefined);

/** Refusals name the field, never its value (values are secrets). */
const refuse = (where: string, problem: string): never => {
  throw new InvalidError(`notification.${where}: ${problem}`);
};

function webhookUrl(address: string, where: string): string {
  // lean-cli's `--notify-webhooks` splits each entry on ':', so an address typed there has no scheme.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(address) ? address : `https://${address}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return refuse(where, 'not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') refuse(where, 'a webhook must be an http or https URL');
  if (url.username || url.password) refuse(where, 'a webhook URL may not carry a user name or password; use headers');
  if (FORBIDDEN_HOST.test(url.hostname) || FORBIDDEN_HOST.test(url.host)) refuse(where, 'a webhook may not point at a link-local address');
  if (url.href.length > 2000) refuse(where, 'the URL is longer than 2000 characters');
  return url.href;
}

function headersOf(raw: unknown, where: string): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (!isRecord(raw)) return refuse(where, 'headers must be an object of names to values');
  const entries = Object.entries(raw);
  if (entries.length > MAX_HEADERS) refuse(where, `at most ${MAX_HEADERS} headers`);
  const headers: Record<string, string> = {};
  for (const [name, value] of entries) {
    if (!HEADER_NAME.test(name)) refuse(where, 'a header name is not a valid HTTP header name');
    const v = text(value);
    if (v === undefined || /[\r\n\0]/.test(v) || v.length > 4000)
      refuse(`${where}.${name}`, 'a header value must be one line of text (at most 4000 characters)');
    headers[name] = v as string;
  }
  return headers;
}

function targetOf(raw: unknown, i: number): NotificationTarget {
  const where = `targets[${i}]`;
  if (!isRecord(raw)) return refuse(where, 'each target must be an object');
  const phoneNumber = text(raw.phoneNumber);
  if (phoneNumber !== undefined) {
    if (!PHONE.test(phoneNumber)) refuse(`${where}.phoneNumber`, 'not a phone number (digits, optionally with a leading +)');
    return { kind: 'sms', phoneNumber };
  }
  const chatId = text(raw.id);
  if (chatId !== undefined) {
    if (!CHAT_ID.test(chatId)) refuse(`${where}.id`, 'not a Telegram user or group id');
    const token = text(raw.token);
    if (token && !BOT_TOKEN.test(token)) refuse(`${where}.token`, 'not a Telegram bot token (<digits>:<characters>)');
    return { kind: 'telegram', chatId, ...(token ? { token } : {}) };
  }
  const address = text(raw.address);
  if (!address) return refuse(where, 'a target needs an address (email or webhook), a phoneNumber (SMS) or an id (Telegram)');
  const looksLikeUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(address) || !address.includes('@') || address.includes('/');
  if (raw.headers !== undefined || looksLikeUrl)
    return { kind: 'webhook', url: webhookUrl(address, `${where}.address`), headers: headersOf(raw.headers, `${where}.headers`) };
  if (!EMAIL.test(address)) refuse(`${where}.address`, 'not an email address');
  const subject = text(raw.subject);
  if (subject && subject.length > 200) refuse(`${where}.subject`, 'at most 200 characters');
  return { kind: 'email', address, ...(subject ? { subject } : {}) };
}

/** Which of email and SMS this server sends (the others always go: they are plain HTTPS). */
export interface NotifyChannels {
  email: boolean;
  sms: boolean;
}

/**
 * `LCS_NOTIFY_CHANNELS` (a comma-separated list of `email`, `sms`): what the operator enabled on
 * AWS (lib/config/settings.ts `live.notifications`); local mode offers both (an outbox file).
 */
export function notifyChannels(env: NodeJS.ProcessEnv = process.env): NotifyChannels {
  const names = (env.LCS_NOTIFY_CHANNELS ?? '').split(',').map((n) => n.trim().toLowerCase());
  return { email: names.includes('email'), sms: names.includes('sms') };
}

const NOT_OFFERED = {
  email: 'this server sends no email (its operator has configured no sender address); deploy without --notify-emails, or use a webhook or Telegram',
  sms: 'this server sends no SMS (its operator has not enabled it); deploy without --notify-sms, or use a webhook or Telegram',
};

/**
 * `live/create`'s `notification` as lean-cli sends it, checked; `undefined` when nothing is asked
 * (absent, `{}`, no events, or no targets). An email or SMS target this server cannot send is
 * refused (naming the target, not its value) rather than silently never sent.
 */
export function parseNotification(raw: unknown, channels: NotifyChannels = { email: true, sms: true }): NotificationConfig | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isRecord(raw)) return refuse('notification', 'must be an object {events, targets}');
  const events: NotifyEvent[] = [];
  if (raw.events !== undefined && raw.events !== null) {
    if (!Array.isArray(raw.events)) refuse('events', `must be a list of ${EVENTS.join(', ')}`);
    for (const e of raw.events as unknown[]) {
      if (!EVENTS.includes(e as NotifyEvent)) refuse('events', `must be a list of ${EVENTS.join(', ')}`);
      if (!events.includes(e as NotifyEvent)) events.push(e as NotifyEvent);
    }
  }
  if (raw.targets !== undefined && raw.targets !== null && !Array.isArray(raw.targets)) refuse('targets', 'must be a list');
  const rawTargets = (raw.targets as unknown[] | undefined) ?? [];
  if (rawTargets.length > MAX_TARGETS) refuse('targets', `at most ${MAX_TARGETS} targets`);
  const targets = rawTargets.map(targetOf);
  for (const [i, t] of targets.entries()) if ((t.kind === 'email' || t.kind === 'sms') && !channels[t.kind]) refuse(`targets[${i}]`, NOT_OFFERED[t.kind]);
  return events.length && targets.length ? { events, targets } : undefined;
}

/** The deployment secret's entry for the targets (see {@link readNotificationSecret}). */
export function notificationSecret(config: NotificationConfig | undefined): Record<string, string> {
  return config ? { [NOTIFICATION_SECRET_KEY]: JSON.stringify(config) } : {};
}

/**
 * Splits the deployment's secret (`LCS_LIVE_SECRETS`) into what LEAN's config gets and the
 * notification targets, which LEAN never sees. A damaged entry means no notifications.
 */
export function readNotificationSecret(secrets: Record<string, string>): { leanSecrets: Record<string, string>; notification?: NotificationConfig } {
  const { [NOTIFICATION_SECRET_KEY]: stored, ...leanSecrets } = secrets;
  if (!stored) return { leanSecrets };
  try {
    return { leanSecrets, notification: parseStored(JSON.parse(stored)) };
  } catch {
    return { leanSecrets };
  }
}

function parseStored(raw: unknown): NotificationConfig | undefined {
  if (!isRecord(raw) || !Array.isArray(raw.events) || !Array.isArray(raw.targets)) return undefined;
  return { events: raw.events.filter((e): e is NotifyEvent => EVENTS.includes(e as NotifyEvent)), targets: raw.targets as NotificationTarget[] };
}

/** What an audit event may record: the events and the kinds of target, no address, number or token. */
export function notificationSummary(config: NotificationConfig | undefined): { events: NotifyEvent[]; targets: NotificationTarget['kind'][] } | undefined {
  return config && { events: config.events, targets: config.targets.map((t) => t.kind) };
}

/** What audit events and logs may say about a target: its kind and position, a webhook's host at most. */
export function describeTarget(target: NotificationTarget, index: number): string {
  if (target.kind === 'webhook') {
    let host = '?';
    try {
      host = new URL(target.url).host;
    } catch {
      // validated when deployed; a damaged secret shows '?'
    }
    return `webhook #${index + 1} (${host})`;
  }
  return `${target.kind === 'sms' ? 'SMS' : target.kind === 'telegram' ? 'Telegram' : 'email'} #${index + 1}`;
}

/** Every secret value a target holds, for scrubbing messages that might echo one (a URL in an error). */
export function secretValuesOf(target: NotificationTarget): string[] {
  switch (target.kind) {
    case 'email':
      return [target.address];
    case 'sms':
      return [target.phoneNumber];
    case 'telegram':
      return [target.chatId, ...(target.token ? [target.token] : [])];
    case 'webhook': {
      const url = URL.canParse(target.url) ? new URL(target.url) : undefined;
      return [target.url, ...(url ? [`${url.pathname}${url.search}`] : []), ...Object.values(target.headers ?? {})].filter((s) => s.length > 1);
    }
  }
}

/** One notification, rendered for every kind of target. */
export interface NotificationMessage {
  event: NotifyEvent;
  /** Email subject when the target names none. */
  subject: string;
  /** Email body, Telegram message. */
  text: string;
  /** SMS text (at most 160 characters). */
  short: string;
  /** Webhook body (JSON). */
  payload: Record<string, unknown>;
}

export interface NotifiedDeployment {
  projectId: number;
  deployId: string;
  projectName: string;
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
const symbolOf = (item: Record<string, unknown>): string => {
  const s = item.symbolValue ?? item.ticker ?? item.symbol;
  return isRecord(s) ? str(s.value ?? s.id) : str(s).split(' ')[0]!;
};
const timeOf = (v: unknown): string => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : undefined;
  if (n !== undefined) return new Date(n * 1000).toISOString().replace('.000Z', 'Z');
  return str(v);
};
const shorten = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/** An order event (LEAN's `OrderEvent` as LEAN writes it in `<id>-<day>-order-events.json`). */
export function orderEventMessage(d: NotifiedDeployment, event: Record<string, unknown>): NotificationMessage {
  const status = str(event.status);
  const fill = Number(event.fillQuantity ?? 0) ? ` ${str(event.fillQuantity)} @ ${str(event.fillPrice)}` : ` ${str(event.quantity)}`;
  const line = `Order ${str(event.orderId)} ${symbolOf(event)} ${str(event.direction)} ${status}${fill}`.replace(/\s+/g, ' ').trim();
  const when = timeOf(event.time ?? event.utcTime);
  const message = event.message ? ` ${str(event.message)}` : '';
  return {
    event: 'orderEvent',
    subject: `${d.projectName}: order ${str(event.orderId)} ${status}`.trim(),
    text: `${d.projectName} (${d.deployId}): ${line}${when ? ` at ${when}` : ''}.${message}`,
    short: shorten(`${d.projectName}: ${line}`, 160),
    payload: { type: 'orderEvent', projectId: d.projectId, deployId: d.deployId, projectName: d.projectName, orderEvent: event },
  };
}

/** An insight (LEAN's `Insight` as written in `alpha-results.json`). */
export function insightMessage(d: NotifiedDeployment, insight: Record<string, unknown>): NotificationMessage {
  const parts = [`Insight ${symbolOf(insight)} ${str(insight.direction)}`];
  if (insight.type !== undefined) parts.push(str(insight.type));
  if (insight.period !== undefined) parts.push(`period ${str(insight.period)} s`);
  if (insight.magnitude !== undefined && insight.magnitude !== null) parts.push(`magnitude ${str(insight.magnitude)}`);
  if (insight.confidence !== undefined && insight.confidence !== null) parts.push(`confidence ${str(insight.confidence)}`);
  const line = parts.join(', ');
  const when = timeOf(insight.generatedTime);
  return {
    event: 'insight',
    subject: `${d.projectName}: insight ${symbolOf(insight)} ${str(insight.direction)}`.trim(),
    text: `${d.projectName} (${d.deployId}): ${line}${when ? ` at ${when}` : ''}.`,
    short: shorten(`${d.projectName}: ${line}`, 160),
    payload: { type: 'insight', projectId: d.projectId, deployId: d.deployId, projectName: d.projectName, insight },
  };
}
