import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { timeOf } from '../../core/data/results/chart-levels';
import type { Chart, ChartPoint, InsightItem, OrderItem } from '../../core/data/results/result-model';
import { joinOrders, normaliseCharts } from './final-results';
import { asObject, camelRecord, field, isObject, type Json, readJson, readText, stringMap } from './result-json';

/**
 * What LEAN writes in live mode (lean-runtime §4.3, Lean:`Engine/Results/LiveTradingResultHandler.cs`),
 * read again on every publish and merged, because LEAN keeps only part of it in each file:
 * - `<id>-<yyyy-MM-dd>_minute.json` (every minute, 10 s after a fill): today's charts, orders
 *   touched today (UTC), holdings, cash, runtime statistics and state; the newest one is current;
 * - `<id>.json` (status file, every 10 min and at exit): all orders, invested holdings, state;
 * - `<id>-<yyyy-MM-dd>-order-events.json`: that UTC day's order events, rewritten;
 * - `<id>-log.txt`: algorithm log lines, appended; `<id>/alpha-results.json`: insights;
 * - `log.txt`: the engine log, whose `Launching analysis for` line means Initialize is done (§6).
 * Files are rewritten in place, so a file that does not parse yet is read again next time.
 */
export interface LiveSnapshot {
  /** Initialize finished in the LEAN process now running. */
  launched: boolean;
  holdings?: Record<string, Record<string, unknown>>;
  cash?: Record<string, Record<string, unknown>>;
  runtimeStatistics?: Record<string, string>;
  /** LEAN's `state` (Status, RuntimeError, StackTrace) from the newest file that has one. */
  state: Record<string, string>;
  orders: OrderItem[];
  ordersChanged: boolean;
  insights: InsightItem[];
  insightsChanged: boolean;
  charts: Chart[];
  chartsChanged: boolean;
  /** Algorithm log lines appended since the last read. */
  newLogLines: string[];
}

const DAY_FILE = /^(\d{4}-\d{2}-\d{2})/;

export function liveFilesReader(resultsDir: string, deployId: string) {
  const orders = new Map<number, OrderItem>();
  const events = new Map<string, unknown[]>();
  const charts = new Map<string, Chart>();
  let ordersKey = '';
  let insightsKey = '';
  let logLinesRead = 0;
  /** Engine-log length when the current LEAN process started: only its own lines count. */
  let engineLogStart = 0;

  /** Appends points newer than what the merged chart has (minute files keep only today's). */
  const mergeCharts = (incoming: Chart[]): boolean => {
    let changed = false;
    for (const chart of incoming) {
      const known = charts.get(chart.name);
      if (!known) {
        charts.set(chart.name, chart);
        changed ||= Object.values(chart.series).some((s) => s.values.length > 0);
        continue;
      }
      for (const [key, series] of Object.entries(chart.series)) {
        const target = known.series[key];
        if (!target) {
          known.series[key] = series;
          changed = true;
          continue;
        }
        const last = target.values.length ? timeOf(target.values[target.values.length - 1] as ChartPoint) : Number.NEGATIVE_INFINITY;
        const fresh = series.values.filter((p) => timeOf(p) > last);
        if (fresh.length) {
          target.values.push(...fresh);
          changed = true;
        }
      }
    }
    return changed;
  };

  return {
    /** A new LEAN process starts (a restart): its engine log lines are the ones to watch. */
    async processStarted(): Promise<void> {
      engineLogStart = (await readText(join(resultsDir, 'log.txt')))?.length ?? 0;
    },

    async read(): Promise<LiveSnapshot> {
      const names = await readdir(resultsDir).catch(() => [] as string[]);
      const prefix = `${deployId}-`;
      const minuteFiles = names.filter((n) => n.startsWith(prefix) && n.endsWith('_minute.json')).sort();
      const eventFiles = names.filter((n) => n.startsWith(prefix) && n.endsWith('-order-events.json') && DAY_FILE.test(n.slice(prefix.length)));
      const status = asObject(await readJson(join(resultsDir, `${deployId}.json`)));
      // The newest by time written, not by name: a restarted LEAN's clock may be behind the crashed one's files.
      const written = await Promise.all(minuteFiles.map(async (f) => ({ f, at: (await stat(join(resultsDir, f)).catch(() => undefined))?.mtimeMs ?? 0 })));
      const newest = written.sort((a, b) => a.at - b.at).at(-1)?.f;
      const minute = newest ? asObject(await readJson(join(resultsDir, newest))) : {};
      const current = Object.keys(minute).length ? minute : status;

      for (const file of eventFiles) {
        const list = await readJson(join(resultsDir, file));
        if (Array.isArray(list)) events.set(file, list);
      }
      // Orders: the status file has all of them when written, the minute files today's; newest wins.
      const rawOrders: Json[] = [];
      for (const source of [status, ...(await Promise.all(minuteFiles.map((f) => readJson(join(resultsDir, f)))))]) {
        const o = field(asObject(source), 'orders');
        rawOrders.push(...(Array.isArray(o) ? o : Object.values(asObject(o))).filter(isObject));
      }
      for (const order of joinOrders(rawOrders, [...events.values()].flat())) orders.set(Number(order.id), order);
      const mergedOrders = [...orders.values()].sort((a, b) => Number(a.id) - Number(b.id));
      const nextOrdersKey = JSON.stringify(mergedOrders.map((o) => [o.id, o.status, (o.events as unknown[]).length]));
      const ordersChanged = nextOrdersKey !== ordersKey;
      ordersKey = nextOrdersKey;

      const alpha = await readJson(join(resultsDir, deployId, 'alpha-results.json'));
      const insightList = (Array.isArray(alpha) ? alpha : ((field(asObject(alpha), 'insights') as unknown[] | undefined) ?? [])).map(
        (i) => camelRecord(i) as InsightItem,
      );
      const nextInsightsKey = String(insightList.length);
      const insightsChanged = nextInsightsKey !== insightsKey;
      insightsKey = nextInsightsKey;

      const chartsChanged = mergeCharts(normaliseCharts(field(minute, 'charts') ?? field(status, 'charts')));

      const logText = (await readText(join(resultsDir, `${deployId}-log.txt`))) ?? '';
      const allLines = logText.split('\n').filter((l, i, a) => l.length > 0 || i < a.length - 1);
      if (allLines.length < logLinesRead) logLinesRead = 0; // rewritten, not appended
      const newLogLines = allLines.slice(logLinesRead);
      logLinesRead = allLines.length;

      const engineLog = (await readText(join(resultsDir, 'log.txt'))) ?? '';
      const stateSource = Object.keys(asObject(field(status, 'state'))).length && !Object.keys(minute).length ? status : current;
      return {
        launched: engineLog.slice(engineLogStart).includes('Launching analysis for'),
        ...(isObject(field(current, 'holdings')) ? { holdings: field(current, 'holdings') as LiveSnapshot['holdings'] } : {}),
        ...(isObject(field(current, 'cash')) ? { cash: field(current, 'cash') as LiveSnapshot['cash'] } : {}),
        ...(field(current, 'runtimeStatistics') !== undefined ? { runtimeStatistics: stringMap(field(current, 'runtimeStatistics')) } : {}),
        state: { ...stringMap(field(stateSource, 'state')), ...stringMap(field(status, 'state')) },
        orders: mergedOrders,
        ordersChanged,
        insights: insightList,
        insightsChanged,
        charts: [...charts.values()],
        chartsChanged,
        newLogLines,
      };
    },
  };
}

/**
 * A cheap check, run often, of whether LEAN wrote something a fill changes: a day's order-events
 * file (rewritten as orders fill) or a minute file (written 10 s after a holdings change, and every
 * minute). Answers a signature of those files' sizes and times: when it moves, the runner publishes
 * at once instead of waiting for its interval (design §8 "every few seconds and on every fill").
 */
export async function fillSignature(resultsDir: string, deployId: string): Promise<string> {
  const prefix = `${deployId}-`;
  const all = (await readdir(resultsDir).catch(() => [] as string[])).filter((n) => n.startsWith(prefix)).sort();
  // The newest days' files only (their names start with the UTC date): a deployment running for
  // months keeps one of each per day, and this runs four times a second.
  const names = [...all.filter((n) => n.endsWith('-order-events.json')).slice(-2), ...all.filter((n) => n.endsWith('_minute.json')).slice(-2)];
  const parts = await Promise.all(
    names.map(async (n) => {
      const s = await stat(join(resultsDir, n)).catch(() => undefined);
      return s ? `${n}:${s.size}:${s.mtimeMs}` : '';
    }),
  );
  return parts.join('|');
}
