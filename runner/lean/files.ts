import { readFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { join } from 'node:path';
import type { Chart, ChartPoint, ChartSeries, InsightItem, LeanResults, OrderItem, ResultSummary } from '../../core/data/results/result-model';
import { INITIALIZE_ERROR_PREFIX } from '../../core/domain/backtests/backtest-lifecycle';

/**
 * Reads what LEAN leaves in `results-destination-folder` (lean-runtime §4.1) and turns it, with
 * the exit code, into the runner's view of a backtest (§5). LEAN writes camelCase, older builds
 * PascalCase, so field names are matched case-insensitively and normalised to the contract's
 * camelCase; dictionary keys (chart, series and statistic names, `state` keys, parameters) are
 * kept exactly as written, and so are chart values.
 */

type Json = Record<string, unknown>;

/** LEAN's other initialization-failure prefix (Lean:`AlgorithmManager`), besides the setup handler's. */
const INITIALIZE_ERROR_PREFIX_OLD = 'Algorithm.Initialize() Error:';
/** `totalPerformance.closedTrades` is capped: a 100,000-order run has 50,000 trades nobody reads from the summary. */
const MAX_CLOSED_TRADES = 1_000;
/** How many trailing `ERROR::` entries explain a crash. */
const ERROR_ENTRIES = 3;
const MAX_ERROR_CHARS = 4_000;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const asObject = (value: unknown): Json => (isObject(value) ? value : {});

/** `Status` → `status`, `ID` → `id`, `AverageMAE` → `averageMAE`, `source-model` → `sourceModel`. */
export function camelKey(key: string): string {
  if (key.includes('-')) return key.replace(/-+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
  if (/^[A-Z][A-Z0-9]*$/.test(key)) return key.toLowerCase();
  return key.charAt(0).toLowerCase() + key.slice(1);
}

/** A field by name, whatever its case. */
function field(object: Json, name: string): unknown {
  if (name in object) return object[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(object)) if (key.toLowerCase() === lower) return object[key];
  return undefined;
}

/**
 * Camel-cases a record's field names, recursively; fields named in `dictionaries` keep their inner
 * keys. Copy-on-write: current LEAN already writes camelCase, so the usual case allocates nothing.
 */
function camelRecord(value: unknown, dictionaries: readonly string[] = []): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = camelRecord(value[i]);
      if (item === value[i]) continue;
      copy ??= value.slice();
      copy[i] = item;
    }
    return copy ?? value;
  }
  let copy: Json | undefined;
  const record = value as Json;
  for (const key in record) {
    const inner = record[key];
    const name = isCamel(key) ? key : camelKey(key);
    const normalised = dictionaries.includes(name) ? inner : camelRecord(inner);
    if (copy === undefined && (name !== key || normalised !== inner)) {
      // Rebuild from the start so the field order stays as LEAN wrote it.
      copy = {};
      for (const earlier in record) {
        if (earlier === key) break;
        copy[earlier] = record[earlier];
      }
    }
    if (copy !== undefined) copy[name] = normalised;
  }
  return copy ?? record;
}

/** Already camelCase: starts with a lower-case letter (or `$`) and has no dash. */
function isCamel(key: string): boolean {
  const first = key.charCodeAt(0);
  return ((first >= 97 && first <= 122) || first === 36) && !key.includes('-');
}

/** A string→string dictionary (statistics, state); LEAN writes `[]` for an empty one while running. */
function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, inner] of Object.entries(asObject(value))) out[key] = inner === null || inner === undefined ? '' : String(inner);
  return out;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Parsed JSON, or undefined when the file is missing or (being written in place) not valid yet. */
async function readJson(path: string): Promise<unknown> {
  const text = await readText(path);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function pointTime(point: ChartPoint): number | undefined {
  const t = Array.isArray(point) ? point[0] : point?.x;
  return typeof t === 'number' ? t : undefined;
}

function normaliseSeries(key: string, raw: unknown): ChartSeries {
  const series = asObject(raw);
  const extra: Json = {};
  for (const [name, value] of Object.entries(series)) extra[camelKey(name)] = value;
  const { name, unit, index, seriesType, color, scatterMarkerSymbol, values, ...rest } = extra;
  return {
    ...rest,
    name: typeof name === 'string' ? name : key,
    unit: typeof unit === 'string' ? unit : '',
    index: typeof index === 'number' ? index : 0,
    seriesType: typeof seriesType === 'number' ? seriesType : 0,
    color: typeof color === 'string' ? color : '',
    scatterMarkerSymbol: typeof scatterMarkerSymbol === 'string' ? scatterMarkerSymbol : 'none',
    values: Array.isArray(values) ? (values as ChartPoint[]) : [],
  };
}

function normaliseChart(key: string, raw: unknown): Chart {
  const chart = asObject(raw);
  const extra: Json = {};
  for (const [name, value] of Object.entries(chart)) extra[camelKey(name)] = value;
  const { name, series, ...rest } = extra;
  const normalised: Chart = { ...rest, name: typeof name === 'string' ? name : key, series: {} };
  for (const [seriesName, value] of Object.entries(asObject(series))) normalised.series[seriesName] = normaliseSeries(seriesName, value);
  return normalised;
}

export function normaliseCharts(raw: unknown): Chart[] {
  return Object.entries(asObject(raw)).map(([name, chart]) => normaliseChart(name, chart));
}

function eventTime(event: OrderItem): number {
  const t = event.time;
  if (typeof t === 'number') return t;
  return typeof t === 'string' ? Date.parse(t) / 1000 : 0;
}

/**
 * Orders in id order, each with its events (time order) from `<id>-order-events.json`. One pass
 * over the events into a map, so 100,000 orders with 200,000 events join in linear time.
 */
export function joinOrders(rawOrders: unknown, rawEvents: unknown): OrderItem[] {
  const byOrder = new Map<number, OrderItem[]>();
  for (const raw of Array.isArray(rawEvents) ? rawEvents : []) {
    const event = camelRecord(raw) as OrderItem;
    const orderId = Number(event.orderId);
    const list = byOrder.get(orderId);
    if (list) list.push(event);
    else byOrder.set(orderId, [event]);
  }
  const list = Array.isArray(rawOrders) ? rawOrders : Object.values(asObject(rawOrders));
  const orders = list.map((raw) => camelRecord(raw) as OrderItem);
  orders.sort((a, b) => Number(a.id) - Number(b.id));
  for (const order of orders) {
    const events = byOrder.get(Number(order.id)) ?? (Array.isArray(order.events) ? (order.events as OrderItem[]) : []);
    // Stable: events with equal times keep LEAN's order (submitted before filled).
    order.events = events.length > 1 ? events.sort((a, b) => eventTime(a) - eventTime(b)) : events;
  }
  return orders;
}

/** The performance records, closed trades capped (see MAX_CLOSED_TRADES). */
function performance(raw: unknown): Json {
  const record = asObject(camelRecord(raw));
  if (Array.isArray(record.closedTrades)) record.closedTrades = record.closedTrades.slice(0, MAX_CLOSED_TRADES);
  return record;
}

/** `2023-01-01T00:00:00Z` → `2023-01-01 00:00:00`: the algorithm's own wall clock, no zone conversion. */
function qcDateTime(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})/.exec(value);
  return match ? `${match[1]} ${match[2]}` : undefined;
}

export function buildSummary(final: Json, summaryFile: Json): ResultSummary {
  const pick = (name: string) => field(final, name) ?? field(summaryFile, name);
  const totalPerformance = pick('totalPerformance');
  const configuration = pick('algorithmConfiguration');
  const algorithmConfiguration = isObject(configuration) ? (camelRecord(configuration, ['parameters']) as Json) : undefined;
  const rollingWindow: Json = {};
  for (const [window, value] of Object.entries(asObject(pick('rollingWindow')))) rollingWindow[window] = performance(value);
  const summary: ResultSummary = {
    statistics: stringMap(pick('statistics')),
    runtimeStatistics: stringMap(pick('runtimeStatistics')),
    totalPerformance: isObject(totalPerformance) ? performance(totalPerformance) : null,
    rollingWindow,
    state: stringMap(field(summaryFile, 'state') ?? field(final, 'state')),
  };
  if (algorithmConfiguration) {
    summary.algorithmConfiguration = algorithmConfiguration;
    summary.backtestStart = qcDateTime(algorithmConfiguration.startDate);
    summary.backtestEnd = qcDateTime(algorithmConfiguration.endDate);
  }
  return summary;
}

/**
 * A finished backtest's results, or undefined when LEAN did not get as far as its final files.
 * `<id>-summary.json` is written last and only at exit, so it marks the set as complete.
 */
export async function readLeanResults(resultsDir: string, algorithmId: string): Promise<LeanResults | undefined> {
  const summaryFile = await readJson(join(resultsDir, `${algorithmId}-summary.json`));
  if (!isObject(summaryFile)) return undefined;
  const [finalFile, events, alpha, algorithmLog] = await Promise.all([
    readJson(join(resultsDir, `${algorithmId}.json`)),
    readJson(join(resultsDir, `${algorithmId}-order-events.json`)),
    readJson(join(resultsDir, algorithmId, 'alpha-results.json')),
    readText(join(resultsDir, `${algorithmId}-log.txt`)),
  ]);
  const final = asObject(finalFile);
  const rawInsights = Array.isArray(alpha) ? alpha : field(asObject(alpha), 'insights');
  return {
    summary: buildSummary(final, summaryFile),
    charts: normaliseCharts(field(final, 'charts') ?? field(summaryFile, 'charts')),
    orders: joinOrders(field(final, 'orders'), events),
    insights: Array.isArray(rawInsights) ? rawInsights.map((insight) => camelRecord(insight) as InsightItem) : [],
    algorithmLog: algorithmLog ?? '',
  };
}

export interface IntermediateResults {
  /** Newest Strategy Equity timestamp (unix seconds). */
  equityTime?: number;
  /** Oldest Strategy Equity timestamp: the data stream's start as an instant (see progressFrom). */
  equityStart?: number;
  runtimeStatistics?: Record<string, string>;
}

/** What the poller needs from the `<id>.json` LEAN rewrites while running; undefined while it is missing or half-written. */
export async function readIntermediate(resultsDir: string, algorithmId: string): Promise<IntermediateResults | undefined> {
  const file = await readJson(join(resultsDir, `${algorithmId}.json`));
  if (!isObject(file)) return undefined;
  const result: IntermediateResults = {};
  const equity = asObject(field(asObject(asObject(field(file, 'charts'))['Strategy Equity']), 'series')).Equity;
  const values = field(asObject(equity), 'values');
  if (Array.isArray(values)) {
    for (const point of values as ChartPoint[]) {
      const t = pointTime(point);
      if (t === undefined) continue;
      if (result.equityTime === undefined || t > result.equityTime) result.equityTime = t;
      if (result.equityStart === undefined || t < result.equityStart) result.equityStart = t;
    }
  }
  const runtimeStatistics = field(file, 'runtimeStatistics');
  if (runtimeStatistics !== undefined && runtimeStatistics !== null) result.runtimeStatistics = stringMap(runtimeStatistics);
  return result;
}

export interface EngineLogFacts {
  /** `Begin DataStream` start and stop: the algorithm's wall clock, encoded as if it were UTC. */
  dataStreamStart?: Date;
  dataStreamStop?: Date;
  /** `Launching analysis for` seen: Initialize succeeded. */
  initialized: boolean;
  /** Each `ERROR::` entry's text, continuation lines included, without the timestamp. */
  errorLines: string[];
}

const LOG_ENTRY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z (TRACE|ERROR|DEBUG):: ?/;
const DATA_STREAM = /Begin DataStream - Start: (.+?) Stop: (.+?)(?: Time: | Warmup: |$)/;
const US_DATE_TIME = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2}):(\d{2}) ?(AM|PM)?$/;

/** LEAN's invariant `M/d/yyyy h:mm:ss AM` as a Date holding that wall-clock time in UTC fields. */
export function parseUsDateTime(text: string): Date | undefined {
  const match = US_DATE_TIME.exec(text.trim());
  if (!match) return undefined;
  const [, month, day, year, hour, minute, second, half] = match;
  let hours = Number(hour);
  if (half === 'AM' && hours === 12) hours = 0;
  if (half === 'PM' && hours < 12) hours += 12;
  return new Date(Date.UTC(Number(year), Number(month) - 1, Number(day), hours, Number(minute), Number(second)));
}

/** Milestones and errors from `log.txt` (lean-runtime §4.1). Lines without a timestamp continue the entry before them. */
export function parseEngineLog(text: string): EngineLogFacts {
  const facts: EngineLogFacts = { initialized: false, errorLines: [] };
  let error: string[] | undefined;
  const closeError = () => {
    if (error) facts.errorLines.push(error.join('\n').trimEnd());
    error = undefined;
  };
  for (const line of text.split(/\r?\n/)) {
    const entry = LOG_ENTRY.exec(line);
    if (!entry) {
      error?.push(line);
      continue;
    }
    closeError();
    const body = line.slice(entry[0].length);
    if (entry[1] === 'ERROR') error = [body];
    else if (!facts.initialized && body.includes('Launching analysis for')) facts.initialized = true;
    else if (!facts.dataStreamStart && body.includes('Begin DataStream')) {
      const match = DATA_STREAM.exec(body);
      if (match) {
        facts.dataStreamStart = parseUsDateTime(match[1]!);
        facts.dataStreamStop = parseUsDateTime(match[2]!);
      }
    }
  }
  closeError();
  return facts;
}

/**
 * Progress = elapsed / total of the data stream, clamped to [0, 0.99] (1 only on completion).
 * The log gives start and stop in the algorithm's time zone; chart times are UTC instants. The
 * zone is unknown, so the offset is taken from the first equity point (LEAN samples at the start),
 * rounded to 15 minutes and trusted only within ±14 hours.
 */
export function progressFrom(log: Pick<EngineLogFacts, 'dataStreamStart' | 'dataStreamStop'>, intermediate: IntermediateResults | undefined): number {
  const start = log.dataStreamStart ? log.dataStreamStart.getTime() / 1000 : undefined;
  const stop = log.dataStreamStop ? log.dataStreamStop.getTime() / 1000 : undefined;
  const newest = intermediate?.equityTime;
  if (start === undefined || stop === undefined || newest === undefined || !(stop > start)) return 0;
  let offset = 0;
  if (intermediate?.equityStart !== undefined) {
    const guess = intermediate.equityStart - start;
    if (Math.abs(guess) <= 14 * 3600) offset = Math.round(guess / 900) * 900;
  }
  const progress = (newest - (start + offset)) / (stop - start);
  return Number.isFinite(progress) ? Math.min(0.99, Math.max(0, progress)) : 0;
}

export interface RunFacts {
  /** The process exit code; null when a signal ended it. */
  exitCode: number | null;
  signal?: NodeJS.Signals | null;
  results?: LeanResults;
  /** `log.txt`, whole or its tail. */
  logText?: string;
  stderrTail?: string;
  /** The runner stopped LEAN because it ran past the maximum runtime. */
  timedOut?: boolean;
  maxRuntimeSeconds?: number;
  /** The task's memory limit, for the out-of-memory message. */
  memoryMb?: number;
}

export interface RunOutcome {
  outcome: 'completed' | 'failed';
  error?: string;
  stacktrace?: string;
  hasInitializeError: boolean;
}

/** A shell-style exit status: 128 + n for a process ended by signal n (an OOM kill arrives as SIGKILL, 137). */
export function exitStatus(exitCode: number | null, signal?: NodeJS.Signals | null): number | undefined {
  if (exitCode !== null && exitCode !== undefined) return exitCode;
  const number = signal ? constants.signals[signal] : undefined;
  return number === undefined ? undefined : 128 + number;
}

const cap = (text: string) => (text.length > MAX_ERROR_CHARS ? `…${text.slice(-MAX_ERROR_CHARS)}` : text);

/**
 * The error for a run that left no usable state (lean-runtime §5): out of memory for 137, the
 * runtime limit for a timeout, otherwise the last `ERROR::` entries of log.txt, else stderr's tail.
 */
export function failureFromFiles(facts: Omit<RunFacts, 'results'> & { status?: string }): { error: string; stacktrace?: string } {
  const status = exitStatus(facts.exitCode, facts.signal);
  if (facts.timedOut) {
    return { error: `exceeded maximum runtime${facts.maxRuntimeSeconds ? ` (${facts.maxRuntimeSeconds} s)` : ''}` };
  }
  if (status === 137) return { error: `out of memory${facts.memoryMb ? ` (limit ${facts.memoryMb} MB)` : ''}` };
  const errors = parseEngineLog(facts.logText ?? '').errorLines.slice(-ERROR_ENTRIES);
  const stderr = facts.stderrTail?.trim() ? cap(facts.stderrTail.trim()) : undefined;
  if (errors.length) return { error: cap(errors.join('\n')), stacktrace: stderr };
  if (stderr) return { error: stderr };
  const ended = status === undefined ? 'LEAN ended' : `LEAN exited with code ${status}`;
  return { error: facts.status ? `${ended} (status ${facts.status})` : ended };
}

const isInitializeError = (message: string) => message.startsWith(INITIALIZE_ERROR_PREFIX) || message.startsWith(INITIALIZE_ERROR_PREFIX_OLD);

/**
 * Completed or failed, by lean-runtime §5: a runtime error in the final state wins whatever the
 * exit code; a timeout fails even though LEAN, stopped by SIGINT, ends `Completed`; completed
 * needs exit 0, the summary, `state.Status == Completed` and an empty `state.RuntimeError`.
 */
export function classifyRun(facts: RunFacts): RunOutcome {
  const state = facts.results?.summary.state;
  const runtimeError = state?.RuntimeError?.trim() ? state.RuntimeError : undefined;
  if (runtimeError) {
    return { outcome: 'failed', error: runtimeError, stacktrace: state?.StackTrace || runtimeError, hasInitializeError: isInitializeError(runtimeError) };
  }
  if (!facts.timedOut && exitStatus(facts.exitCode, facts.signal) === 0 && facts.results && state?.Status === 'Completed') {
    return { outcome: 'completed', hasInitializeError: false };
  }
  return { outcome: 'failed', ...failureFromFiles({ ...facts, status: state?.Status }), hasInitializeError: false };
}
