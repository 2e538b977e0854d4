import { backtestRepository } from '../../data/backtests/backtest-repository';
import { optimizationRepository } from '../../data/optimizations/optimization-repository';
import { projectRepository } from '../../data/projects/project-repository';
import { resultStore } from '../../data/results/result-store';
import { isoNow } from '../../shared/dates';
import { hexId } from '../../shared/ids';
import { logger } from '../../shared/logger';
import { recordEvent } from '../../shared/metrics';
import { startBacktest } from '../backtests/backtest-start';
import { isFinal } from '../backtests/types';
import { keepFinalView } from './final-view';
import { better, meetsConstraints, readTarget, statisticsArray, targetReached } from './objectives';
import { gridPoint, gridSize, parameterSetKey, refineAround, roundPoint } from './search-space';
import { EULER_STRATEGY, type Optimization, type OptimizationPoint, type ParameterSet, type Round } from './types';

/**
 * Running an optimization: points start as backtests through the core's backtest start (the same
 * queue → dispatcher → runner path as any backtest, on the organisation's optimization nodes), at
 * most `parallelNodes` at a time; each backtest's end arrives as a "job finished" message, is
 * recorded with one write, and lets the next point start. Nothing here rescans the points, except
 * once per Euler round to leave out points already run.
 */

const live = (o: Pick<Optimization, 'status'>) => o.status === 'new' || o.status === 'running';

function pointName(set: ParameterSet): string {
  return Object.entries(set)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
}

/** Starts points while slots are free; a point whose start fails is recorded failed at once. */
async function launchPoints(optimization: Optimization): Promise<number> {
  const stored = await projectRepository.get(optimization.projectId);
  if (!stored) return 0;
  let started = 0;
  for (;;) {
    const claim = await optimizationRepository.claimPoint(optimization.optimizationId);
    if (!claim) return started;
    const parameterSet = roundPoint(claim.round, claim.index);
    const point: OptimizationPoint = {
      optimizationId: optimization.optimizationId,
      backtestId: hexId(),
      projectId: optimization.projectId,
      round: claim.round.number,
      index: claim.index,
      name: pointName(parameterSet),
      parameterSet,
      phase: 'running',
      started: isoNow(),
    };
    // The point exists before its backtest can end, so its "job finished" always finds it.
    await optimizationRepository.putPoint(point);
    try {
      await startBacktest({
        project: stored.project,
        userId: optimization.userId,
        compileId: optimization.compileId,
        name: point.name,
        parameters: parameterSet,
        requestSource: `Optimization ${optimization.optimizationId}`,
        optimizationId: optimization.optimizationId,
        nodeRequest: { kind: 'optimization', sku: optimization.nodeType },
        backtestId: point.backtestId,
      });
      // An abort that ran meanwhile removed the point before its backtest existed: drop the
      // backtest too (still queued, so its message finds nothing and is dropped).
      if (!(await optimizationRepository.getPoint(optimization.optimizationId, point.backtestId))) {
        await discardOrphan(point.projectId, point.backtestId);
        continue;
      }
      started++;
      recordEvent('OptimizationPoints', { event: 'queued' });
    } catch (err) {
      await optimizationRepository.recordPoint(
        { ...point, phase: 'failed', exitCode: 1, error: (err as Error).message, finished: isoNow(), statistics: [] },
        0,
      );
      recordEvent('OptimizationPoints', { event: 'failed' });
    }
  }
}

/** A point's backtest whose point is gone (aborted or deleted optimization): removed with its results. */
async function discardOrphan(projectId: number, backtestId: string): Promise<void> {
  await backtestRepository.delete(projectId, backtestId);
  await resultStore.deleteResults(projectId, backtestId);
}

function wallSeconds(from?: string, to?: string): number {
  if (!from || !to) return 0;
  return Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
}

/** What the optimization keeps of a finished backtest (one summary read when it completed). */
async function outcomeOf(optimization: Optimization, point: OptimizationPoint): Promise<{ point: OptimizationPoint; seconds: number }> {
  const backtest = await backtestRepository.get(point.projectId, point.backtestId);
  const finished = isoNow();
  if (!backtest) return { point: { ...point, phase: 'failed', exitCode: 1, error: 'The backtest was deleted.', finished, statistics: [] }, seconds: 0 };
  const seconds = wallSeconds(backtest.started, backtest.finished);
  const dates = {
    ...(backtest.backtestStart ? { backtestStart: backtest.backtestStart } : {}),
    ...(backtest.backtestEnd ? { backtestEnd: backtest.backtestEnd } : {}),
  };
  if (backtest.phase !== 'completed') {
    const error = backtest.phase === 'stopped' ? 'The backtest was stopped.' : (backtest.error ?? 'Runtime Error');
    return { point: { ...point, ...dates, phase: 'failed', exitCode: 1, error, finished, statistics: statisticsArray(backtest.statistics) }, seconds };
  }
  const [summary, equity] = await Promise.all([resultStore.readSummary(point.projectId, point.backtestId), equityCandles(point)]);
  const document = {
    statistics: backtest.statistics ?? summary?.statistics ?? {},
    runtimeStatistics: summary?.runtimeStatistics ?? {},
    totalPerformance: summary?.totalPerformance ?? {},
  };
  const value = readTarget(document, optimization.target);
  return {
    point: {
      ...point,
      ...dates,
      phase: 'completed',
      exitCode: 0,
      finished,
      statistics: statisticsArray(document.statistics),
      ...(value !== undefined ? { targetValue: value } : {}),
      meetsConstraints: meetsConstraints(document, optimization.constraints),
      equity,
    },
    seconds,
  };
}

/** Candles of the point's equity kept on the point: few, so reading 500 points stays small. */
const EQUITY_CANDLES = 20;

/** Strategy Equity candles `[time, open, high, low, close]` (OptimizationBacktest.Equity), down-sampled. */
async function equityCandles(point: OptimizationPoint): Promise<number[][]> {
  const chart = await resultStore.readChart(point.projectId, point.backtestId, 'Strategy Equity', { count: EQUITY_CANDLES }).catch(() => undefined);
  const values = chart?.series.Equity?.values ?? [];
  return values.filter((v): v is number[] => Array.isArray(v) && v.every((n) => typeof n === 'number'));
}

/**
 * The next Euler round: refined around the best point, leaving out parameter sets already run
 * (their results are known; LEAN would run them again). Refines further while a round would be
 * empty. Undefined: the search is over.
 */
async function nextEulerRound(optimization: Optimization): Promise<Round | undefined> {
  const best = optimization.best;
  if (!best) return undefined;
  const { points } = await optimizationRepository.getWithPoints(optimization.optimizationId);
  const seen = new Set(points.map((p) => parameterSetKey(p.parameterSet)));
  let parameters = optimization.round.parameters;
  for (;;) {
    const refined = refineAround(parameters, optimization.parameters, best.parameterSet);
    if (!refined) return undefined;
    const size = gridSize(refined);
    const sets: ParameterSet[] = [];
    for (let i = 0; i < size; i++) {
      const set = gridPoint(refined, i);
      if (!seen.has(parameterSetKey(set))) sets.push(set);
    }
    if (sets.length) return { number: optimization.round.number + 1, parameters: refined, sets, size: sets.length, next: 0 };
    parameters = refined;
  }
}

/**
 * Moves an optimization on: starts what may start; when its round is exhausted with nothing
 * running, begins the next Euler round or ends the optimization (`completed`).
 */
export async function advanceOptimization(optimizationId: string): Promise<void> {
  for (let guard = 0; guard < 1000; guard++) {
    const before = await optimizationRepository.get(optimizationId);
    if (!before || !live(before)) return;
    await launchPoints(before);
    const now = await optimizationRepository.get(optimizationId);
    if (now) recordEvent('OptimizationPointsRunning', {}, now.running);
    if (!now || !live(now) || now.running > 0) return;
    if (now.round.next < now.round.size && !now.targetReached) continue;
    const round = now.strategy === EULER_STRATEGY && !now.targetReached ? await nextEulerRound(now) : undefined;
    if (round) {
      if (!(await optimizationRepository.startRound(optimizationId, now.round.number, round))) return;
      continue;
    }
    if (await optimizationRepository.complete(optimizationId, now.round.number, isoNow())) {
      logger.info('Optimization completed', { optimizationId, completed: now.completed, failed: now.failed });
      await keepFinalView(optimizationId);
    }
    return;
  }
}

/**
 * A point's backtest ended (the "job finished" message): record it once, offer it as the best,
 * and move the optimization on. A repeated delivery, or a point an abort removed, changes nothing.
 */
export async function onPointFinished(optimizationId: string, projectId: number, backtestId: string): Promise<'recorded' | 'duplicate' | 'gone'> {
  const point = await optimizationRepository.getPoint(optimizationId, backtestId);
  if (!point) {
    // Its point was removed by an abort or a delete while the backtest started: nothing keeps it.
    const optimization = await optimizationRepository.get(optimizationId);
    if (!optimization || optimization.status === 'aborted') await discardOrphan(projectId, backtestId);
    return 'gone';
  }
  if (point.phase !== 'running') return 'duplicate';
  const optimization = await optimizationRepository.get(optimizationId);
  if (!optimization) return 'gone';
  const backtest = await backtestRepository.get(point.projectId, backtestId);
  if (backtest && !isFinal(backtest)) return 'duplicate';
  const outcome = await outcomeOf(optimization, point);
  if (!(await optimizationRepository.recordPoint(outcome.point, outcome.seconds))) return 'duplicate';
  recordEvent('OptimizationPoints', { event: outcome.point.phase === 'completed' ? 'finished' : 'failed' });
  const value = outcome.point.targetValue;
  if (
    outcome.point.phase === 'completed' &&
    outcome.point.meetsConstraints &&
    value !== undefined &&
    better(optimization.extremum, optimization.best?.value, value)
  ) {
    const reached = targetReached(optimization.extremum, optimization.targetValue, value);
    await optimizationRepository.offerBest(optimizationId, { backtestId, value, parameterSet: point.parameterSet }, optimization.extremum, reached);
  }
  await advanceOptimization(optimizationId);
  return 'recorded';
}

/**
 * Local mode's start-up (after backtests a previous server left running were marked failed): a
 * point whose backtest ended while no worker ran, or whose "job finished" message was lost with
 * the stopping server, is recorded now, and each optimization moves on. Returns how many resumed.
 */
export async function resumeOptimizations(): Promise<number> {
  let resumed = 0;
  for await (const optimization of optimizationRepository.scanLive()) {
    const { points } = await optimizationRepository.getWithPoints(optimization.optimizationId);
    for (const point of points.filter((p) => p.phase === 'running')) {
      const backtest = await backtestRepository.get(point.projectId, point.backtestId);
      if (!backtest || isFinal(backtest)) await onPointFinished(optimization.optimizationId, point.projectId, point.backtestId);
    }
    await advanceOptimization(optimization.optimizationId);
    resumed++;
  }
  return resumed;
}
