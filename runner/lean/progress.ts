import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChartPoint } from '../../core/data/results/result-model';
import { type EngineLogFacts, EngineLogTail } from './engine-log';
import { asObject, field, isObject, readJson, stringMap } from './result-json';

/**
 * Progress of a running backtest. LEAN prints no progress figure (its BacktestProgressMonitor
 * only feeds the messaging handler, which drops it), so the runner works it out (lean-runtime
 * §4.1): the data stream's period from the engine log, and how far the equity chart of the
 * intermediate `<id>.json`, rewritten about every 30 s, has got.
 */

function pointTime(point: ChartPoint): number | undefined {
  const t = Array.isArray(point) ? point[0] : point?.x;
  return typeof t === 'number' ? t : undefined;
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

/**
 * The running backtest's progress, poll after poll. LEAN rewrites `<id>.json` in place about every
 * 30 s (`File.WriteAllText`, Lean:`Engine/Results/BacktestingResultHandler.cs` `StoreResult`), so
 * a poll may catch it half-written: the last good reading then stands, instead of progress
 * dropping to 0 until the next poll. The file is parsed again only when its size or time
 * changed, and `log.txt` is read from where the last poll stopped (EngineLogTail).
 */
export function progressPoller(resultsDir: string, algorithmId: string) {
  const log = new EngineLogTail(resultsDir);
  const file = join(resultsDir, `${algorithmId}.json`);
  let last: IntermediateResults | undefined;
  let lastStamp = '';
  type Reading = { progress: number; runtimeStatistics?: Record<string, string> };
  // One read at a time: the log's offset moves with each read.
  let inFlight: Promise<Reading> | undefined;
  const read = async (): Promise<Reading> => {
    const facts = await log.read();
    const stamp = await stat(file).then(
      (s) => `${s.size}:${s.mtimeMs}`,
      () => '',
    );
    if (stamp && stamp !== lastStamp) {
      const now = await readIntermediate(resultsDir, algorithmId);
      if (now) {
        last = now;
        lastStamp = stamp;
      }
    }
    return { progress: progressFrom(facts, last), ...(last?.runtimeStatistics ? { runtimeStatistics: last.runtimeStatistics } : {}) };
  };
  return {
    log,
    poll(): Promise<Reading> {
      inFlight ??= read().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
  };
}
