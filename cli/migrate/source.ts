import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { qcHash } from '../../core/shared/hashing';

/**
 * The source of a migration: any server speaking QuantConnect's API v2, read exactly as lean-cli
 * reads it (contract §1.1: a fresh timestamped SHA-256 hash per request). Rate limits are
 * respected: HTTP 429 and QuantConnect's rate-limit error text wait (Retry-After, else a growing
 * pause) and retry instead of failing; a network failure or a 5xx is retried a few times.
 */
export const QUANTCONNECT_API = 'https://www.quantconnect.com/api/v2/';

export interface SourceCredentials {
  userId: number;
  token: string;
}

/** --user-id/--api-token, else QC_USER_ID/QC_API_TOKEN, else lean-cli's ~/.lean/credentials. */
export function sourceCredentials(options: { userId?: string; apiToken?: string }, env = process.env, home = homedir()): SourceCredentials {
  let userId = options.userId ?? env.QC_USER_ID;
  let token = options.apiToken ?? env.QC_API_TOKEN;
  const file = join(home, '.lean', 'credentials');
  if ((!userId || !token) && existsSync(file)) {
    try {
      const stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      userId ??= stored['user-id'] === undefined ? undefined : String(stored['user-id']);
      token ??= stored['api-token'] === undefined ? undefined : String(stored['api-token']);
    } catch {
      throw new Error(`${file} is not lean-cli's JSON credentials file`);
    }
  }
  if (!userId || !token) throw new Error('no source credentials: pass --user-id and --api-token, set QC_USER_ID and QC_API_TOKEN, or run lean login');
  if (!/^\d{1,15}$/.test(userId.trim())) throw new Error('the source user id must be numeric');
  return { userId: Number(userId.trim()), token: token.trim() };
}

export interface SourceProject {
  projectId: number;
  name: string;
  description: string;
  language: 'Py' | 'C#';
  parameters: { key: string; value: string }[];
  libraries: number[];
  /** As projects/read lists them; those without an email cannot be matched here. */
  collaborators: SourceCollaborator[];
}

export interface SourceCollaborator {
  email: string;
  write: boolean;
  liveControl: boolean;
  owner: boolean;
}

export interface SourceMember {
  email: string;
  name: string;
  isAdmin: boolean;
}

export interface SourceFile {
  name: string;
  content: string;
}

export interface SourceObject {
  key: string;
  size: number;
}

export interface SourceStats {
  requests: number;
  /** Times the source asked to slow down (429 or its rate-limit text) and the total wait. */
  rateLimited: number;
  waitedMs: number;
  retried: number;
}

const RATE_LIMIT_TEXT = /rate limit|too many requests|slow down|exceeded.*(limit|quota)/i;
const AUTH_TEXT = /^(Hash doesn't match|UserID not valid|Invalid credentials|Authentication)/i;

export class SourceError extends Error {}

/** The source answered `success: false` for a reason other than credentials or its rate limit; the answer is kept. */
export class SourceRefusal extends SourceError {
  constructor(
    message: string,
    readonly answer: Record<string, unknown>,
  ) {
    super(message);
  }
}

export class QcSource {
  readonly stats: SourceStats = { requests: 0, rateLimited: 0, waitedMs: 0, retried: 0 };
  readonly base: string;

  constructor(
    base: string,
    private readonly creds: SourceCredentials,
    private readonly options: { maxRateLimitWaits?: number; maxRetries?: number; maxWaitMs?: number; onWait?: (ms: number, why: string) => void } = {},
  ) {
    this.base = base.endsWith('/') ? base : `${base}/`;
  }

  private headers(): Record<string, string> {
    const timestamp = Math.floor(Date.now() / 1000);
    const basic = Buffer.from(`${this.creds.userId}:${qcHash(this.creds.token, timestamp)}`).toString('base64');
    return { Authorization: `Basic ${basic}`, Timestamp: String(timestamp), 'Content-Type': 'application/json', 'User-Agent': 'lcs migrate' };
  }

  private async pause(ms: number, why: string): Promise<void> {
    this.stats.waitedMs += ms;
    this.options.onWait?.(ms, why);
    await new Promise((done) => setTimeout(done, ms));
  }

  /** One API call: POST with a JSON body; answers the body of a `success: true` envelope. */
  async call<T extends object>(endpoint: string, body: object = {}): Promise<T> {
    const maxWaits = this.options.maxRateLimitWaits ?? 30;
    const maxRetries = this.options.maxRetries ?? 4;
    const maxWait = this.options.maxWaitMs ?? 60_000;
    let waits = 0;
    let retries = 0;
    for (;;) {
      this.stats.requests++;
      let response: Response;
      try {
        response = await fetch(`${this.base}${endpoint}`, {
          method: 'POST',
          headers: this.headers(),
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(100_000),
        });
      } catch (err) {
        if (retries++ >= maxRetries) throw new SourceError(`cannot reach the source ${this.base} (${endpoint}): ${causeOf(err)}`);
        this.stats.retried++;
        await this.pause(Math.min(500 * 2 ** retries, maxWait), 'unreachable');
        continue;
      }
      const text = await response.text();
      let parsed: (T & { success?: boolean; errors?: string[]; messages?: string[]; Message?: string }) | undefined;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      const errors = parsed ? (parsed.errors ?? parsed.messages ?? (parsed.Message ? [parsed.Message] : [])) : [];
      const limited = response.status === 429 || (parsed?.success === false && errors.some((e) => RATE_LIMIT_TEXT.test(String(e))));
      if (limited) {
        this.stats.rateLimited++;
        if (waits++ >= maxWaits) throw new SourceError(`the source ${this.base} kept refusing with its rate limit (${endpoint}); try again later`);
        const after = Number(response.headers.get('retry-after'));
        const ms = Number.isFinite(after) && after > 0 ? after * 1000 : 1000 * 2 ** Math.min(waits - 1, 6);
        await this.pause(Math.min(ms, maxWait), 'rate limited');
        continue;
      }
      if (response.status >= 500 || (!parsed && response.status !== 200)) {
        if (retries++ >= maxRetries) throw new SourceError(`the source ${this.base} failed on ${endpoint}: HTTP ${response.status}`);
        this.stats.retried++;
        await this.pause(Math.min(500 * 2 ** retries, maxWait), `HTTP ${response.status}`);
        continue;
      }
      if (!parsed || typeof parsed !== 'object')
        throw new SourceError(`the source ${this.base} answered ${endpoint} with something other than JSON (is it a QuantConnect API v2 address?)`);
      if (response.status === 401 || response.status === 403 || (parsed.success === false && errors.some((e) => AUTH_TEXT.test(String(e))))) {
        throw new SourceError(`the source ${this.base} refused the credentials of user ${this.creds.userId}: ${errors[0] ?? `HTTP ${response.status}`}`);
      }
      if (parsed.success !== true)
        throw new SourceRefusal(`${endpoint} failed on the source: ${errors.join('; ') || `HTTP ${response.status}`}`, parsed as Record<string, unknown>);
      return parsed;
    }
  }

  async authenticate(): Promise<void> {
    await this.call('authenticate');
  }

  /** The organization the source's object store and project list are read from: --from-org, else the account's. */
  async organizationId(requested?: string): Promise<string> {
    if (requested) return requested;
    const account = await this.call<{ organizationId?: string }>('account/read');
    if (!account.organizationId) throw new SourceError('the source did not name the account organization; pass --from-org');
    return account.organizationId;
  }

  /** The organization's members (organizations/read). */
  async members(organizationId: string): Promise<SourceMember[]> {
    const answer = await this.call<{ organization?: { members?: { email?: unknown; name?: unknown; isAdmin?: unknown }[] } }>('organizations/read', {
      organizationId,
    });
    return (answer.organization?.members ?? []).map((m) => ({ email: String(m.email ?? ''), name: String(m.name ?? ''), isAdmin: m.isAdmin === true }));
  }

  async projects(organizationId: string): Promise<SourceProject[]> {
    const answer = await this.call<{ projects?: unknown[] }>('projects/read', { organizationId });
    return (answer.projects ?? []).map((raw) => toProject(raw as Record<string, unknown>));
  }

  /** The project's own files (library files, listed with isLibrary, belong to the library project). */
  async files(projectId: number): Promise<SourceFile[]> {
    const answer = await this.call<{ files?: { name: string; content?: string; isLibrary?: boolean }[] }>('files/read', { projectId });
    return (answer.files ?? []).filter((f) => !f.isLibrary).map((f) => ({ name: f.name, content: f.content ?? '' }));
  }

  /** Every object key of the organization (object/list walked folder by folder, page by page). */
  async objectKeys(organizationId: string): Promise<SourceObject[]> {
    const found: SourceObject[] = [];
    const folders = ['/'];
    while (folders.length) {
      const path = folders.shift() as string;
      for (let page = 1; ; page++) {
        const answer = await this.call<{ objects?: { key: string; folder?: boolean; isFolder?: boolean; size?: number }[]; totalPages?: number }>(
          'object/list',
          {
            organizationId,
            path,
            ...(page > 1 ? { page } : {}),
          },
        );
        for (const o of answer.objects ?? []) {
          if (o.folder || o.isFolder) folders.push(o.key.startsWith('/') ? o.key : `/${o.key}`);
          else found.push({ key: o.key.replace(/^\/+/, ''), size: o.size ?? 0 });
        }
        if (!answer.totalPages || page >= answer.totalPages) break;
      }
    }
    return found;
  }

  /** The content of some objects: object/get's job, polled until its link is ready, then the zip it links to. */
  async objects(organizationId: string, keys: string[], pollMs = 1000, maxPolls = 300): Promise<Map<string, Uint8Array>> {
    const started = await this.call<{ jobId?: string; url?: string | null }>('object/get', { organizationId, keys });
    let url = started.url;
    for (let polls = 0; !url; polls++) {
      if (!started.jobId) throw new SourceError('object/get on the source answered no job id');
      if (polls >= maxPolls) throw new SourceError(`the source did not prepare objects ${keys.slice(0, 3).join(', ')}… in time`);
      await new Promise((done) => setTimeout(done, pollMs));
      url = (await this.call<{ url?: string | null }>('object/get', { organizationId, jobId: started.jobId })).url;
    }
    const response = await fetch(url, { signal: AbortSignal.timeout(300_000) }).catch((err: unknown) => {
      throw new SourceError(`cannot download the source's objects: ${causeOf(err)}`);
    });
    if (!response.ok) throw new SourceError(`downloading the source's objects failed: HTTP ${response.status}`);
    const entries = unzipSync(new Uint8Array(await response.arrayBuffer()));
    const byKey = new Map<string, Uint8Array>();
    for (const [name, data] of Object.entries(entries)) if (!name.endsWith('/')) byKey.set(name.replace(/^\/+/, ''), data);
    return byKey;
  }
}

export interface SourceBacktestSummary {
  backtestId: string;
  name: string;
  completed: boolean;
}

/** A source backtest read in full, as far as the API exposes it. */
export interface SourceBacktest {
  backtest: Record<string, unknown>;
  charts: Record<string, unknown>[];
  orders: Record<string, unknown>[];
  insights: Record<string, unknown>[];
  /** The HTML report; absent when the source has none (or did not finish generating it in time). */
  report?: string;
  /** The log lines; absent when the source serves none (no `backtests/read/log` there, or no log). */
  log?: string[];
}

const PAGE = 100;
const LOG_PAGE = 200;
const CHART_POINTS = 100_000;
/** LEAN asks every 10 s for up to 60 s while a report is being generated (contract §3.6); so does the import by default. */
const REPORT_POLLS = 6;
const REPORT_POLL_MS = 10_000;

export class QcBacktests {
  /** reportWaitMs: how long a report the source is still generating is waited for (LEAN's minute by default). */
  constructor(
    private readonly source: QcSource,
    private readonly reportWaitMs = REPORT_POLLS * REPORT_POLL_MS,
  ) {}

  /** The project's backtests; only finished, successful ones are worth importing. */
  async list(projectId: number): Promise<SourceBacktestSummary[]> {
    const answer = await this.source.call<{ backtests?: { backtestId: string; name?: string; status?: string; progress?: number }[] }>('backtests/list', {
      projectId,
    });
    return (answer.backtests ?? []).map((b) => ({ backtestId: b.backtestId, name: b.name ?? '', completed: /^Completed/.test(b.status ?? '') }));
  }

  async read(projectId: number, backtestId: string): Promise<SourceBacktest> {
    const { backtest } = await this.source.call<{ backtest: Record<string, unknown> }>('backtests/read', { projectId, backtestId });
    const charts: Record<string, unknown>[] = [];
    for (const name of Object.keys((backtest.charts as Record<string, unknown>) ?? {})) {
      const chart = await this.chart(projectId, backtestId, name);
      if (chart) charts.push({ ...chart, name });
    }
    return {
      backtest,
      charts,
      orders: await this.pages('backtests/orders/read', 'orders', projectId, backtestId),
      insights: await this.pages('backtests/insights/read', 'insights', projectId, backtestId),
      ...optional('report', await this.report(projectId, backtestId)),
      ...optional('log', await this.log(projectId, backtestId)),
    };
  }

  /**
   * The HTML report. A refusal (no report, or an older server without the endpoint) means none;
   * while the source answers `generating` it is asked again, as LEAN does, for up to a minute.
   */
  async report(projectId: number, backtestId: string): Promise<string | undefined> {
    const deadline = Date.now() + this.reportWaitMs;
    for (;;) {
      const answer = await this.source
        .call<{ report?: unknown; generating?: boolean }>('backtests/read/report', { projectId, backtestId })
        .catch(refusalAnswer);
      if (typeof answer.report === 'string') return answer.report;
      if (answer.generating !== true || Date.now() + REPORT_POLL_MS > deadline) return undefined;
      await new Promise((done) => setTimeout(done, REPORT_POLL_MS));
    }
  }

  /** Every log line, LOG_PAGE at a time; undefined when the source refuses (it has no such endpoint or log). */
  async log(projectId: number, backtestId: string): Promise<string[] | undefined> {
    const lines: string[] = [];
    for (let start = 0; ; start += LOG_PAGE) {
      const answer = await this.source
        .call<{ logs?: unknown; length?: unknown }>('backtests/read/log', { format: 'json', projectId, backtestId, start, end: start + LOG_PAGE, query: '' })
        .catch(refusalAnswer);
      if (!Array.isArray(answer.logs)) return start === 0 ? undefined : lines;
      lines.push(...answer.logs.map(String));
      if (answer.logs.length < LOG_PAGE || (typeof answer.length === 'number' && lines.length >= answer.length)) return lines;
    }
  }

  /** One chart at full resolution; the source may answer "loading" while it samples it. */
  private async chart(projectId: number, backtestId: string, name: string): Promise<Record<string, unknown> | undefined> {
    for (let attempt = 0; attempt < 30; attempt++) {
      const answer: { chart?: Record<string, unknown>; status?: string } = await this.source
        .call<{ chart?: Record<string, unknown>; status?: string }>('backtests/chart/read', { projectId, backtestId, name, count: CHART_POINTS })
        .catch((err: unknown) => {
          // A chart the backtests/read summary names but the source cannot serve is left out.
          if (err instanceof SourceError && !/cannot reach|rate limit|refused the credentials/.test(err.message)) return {};
          throw err;
        });
      if (answer.chart) return answer.chart;
      if (answer.status !== 'loading') return undefined;
      await new Promise((done) => setTimeout(done, 2000));
    }
    return undefined;
  }

  private async pages(endpoint: string, field: 'orders' | 'insights', projectId: number, backtestId: string): Promise<Record<string, unknown>[]> {
    const all: Record<string, unknown>[] = [];
    for (let start = 0; ; start += PAGE) {
      const answer = await this.source.call<Record<string, unknown> & { length?: number }>(endpoint, { projectId, backtestId, start, end: start + PAGE });
      const items = (answer[field] as Record<string, unknown>[] | undefined) ?? [];
      all.push(...items);
      if (items.length < PAGE || (typeof answer.length === 'number' && all.length >= answer.length)) return all;
    }
  }
}

/** A refusal's answer (it may carry `generating`); any other failure is passed on. */
function refusalAnswer(err: unknown): Record<string, unknown> {
  if (err instanceof SourceRefusal) return err.answer;
  throw err;
}

const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));

function causeOf(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

function toProject(raw: Record<string, unknown>): SourceProject {
  const params = Array.isArray(raw.parameters)
    ? raw.parameters
    : raw.parameters && typeof raw.parameters === 'object'
      ? Object.entries(raw.parameters as Record<string, unknown>).map(([key, v]) =>
          v && typeof v === 'object' ? { key, ...(v as object) } : { key, value: v },
        )
      : [];
  return {
    projectId: Number(raw.projectId),
    name: String(raw.name ?? '').replace(/^\/+/, ''),
    description: typeof raw.description === 'string' ? raw.description : '',
    language: raw.language === 'C#' ? 'C#' : 'Py',
    parameters: (params as Record<string, unknown>[]).map((p) => ({ key: String(p.key ?? p.name ?? ''), value: String(p.value ?? '') })).filter((p) => p.key),
    libraries: (Array.isArray(raw.libraries) ? raw.libraries : []).map((l) => Number((l as { projectId?: unknown }).projectId ?? l)).filter(Number.isInteger),
    collaborators: (Array.isArray(raw.collaborators) ? (raw.collaborators as Record<string, unknown>[]) : []).map((c) => ({
      email: typeof c.email === 'string' ? c.email : '',
      write: c.permission === 'write',
      liveControl: c.liveControl === true,
      owner: c.owner === true,
    })),
  };
}
