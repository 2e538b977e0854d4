import { randomBytes } from 'node:crypto';
import { backtestRepository } from '../../data/backtests/backtest-repository';
import { jobQueue } from '../../data/jobs/job-queue';
import { nodeRepository } from '../../data/jobs/node-repository';
import { isoNow } from '../../shared/dates';
import type { Backtest, BacktestPhase } from './types';

/**
 * Every status change of a backtest after it is queued, used by the dispatcher, the runner and the
 * reconciler alike. Each change is conditional on the phases it may leave, so whichever of them
 * gets there first wins and the others see `undefined`.
 */
const LIVE: readonly BacktestPhase[] = ['queued', 'starting', 'running'];

/** A backtest as `backtests/create` makes it: queued, nothing run, nothing stored yet. */
export function newBacktest(fields: Pick<Backtest, 'projectId' | 'orgId' | 'userId' | 'compileId' | 'name'> & Partial<Backtest>): Backtest {
  return {
    backtestId: randomBytes(16).toString('hex'),
    note: '',
    tags: [],
    parameterSet: {},
    phase: 'queued',
    progress: 0,
    hasInitializeError: false,
    created: isoNow(),
    attempt: 1,
    resultsReady: false,
    reportReady: false,
    orderCount: 0,
    insightCount: 0,
    chartNames: [],
    ...fields,
  };
}

/** QuantConnect's status text (contract §4, lean-runtime §5). */
export function statusText(backtest: Pick<Backtest, 'phase' | 'progress'>): string {
  switch (backtest.phase) {
    case 'queued':
    case 'starting':
      return 'In Queue...';
    case 'running':
      return `Running: ${runningPercent(backtest.progress)}%`;
    case 'completed':
      return 'Completed.';
    default:
      // Failed, and stopped (deleted or aborted before the end): the contract documents no other
      // ending than these four texts (§4), and QuantConnect's clients validate against them.
      return 'Runtime Error';
  }
}

/** 0–99 whatever the stored figure: 100% is `Completed.`, and a bad reading must not print `NaN%`. */
function runningPercent(progress: number): number {
  return Number.isFinite(progress) ? Math.min(99, Math.max(0, Math.floor(progress * 100))) : 0;
}

/** The error a stopped backtest reads with, so a client polling it stops (lean-cli stops on any error). */
export const STOPPED_ERROR = 'The backtest was stopped before it finished.';

/** The message LEAN starts initialization failures with; lean-cli reads it (contract §4). */
export const INITIALIZE_ERROR_PREFIX = 'During the algorithm initialization, the following exception has occurred:';

/**
 * Frees whatever node this job holds (at most one; freeing twice is harmless), then wakes the job
 * that has waited longest for a node of the organisation, so it starts now rather than at its
 * next delayed delivery.
 */
export async function releaseNodes(orgId: string, jobId: string, nodeId?: string): Promise<void> {
  let freed = nodeId ? await nodeRepository.release(orgId, nodeId, jobId) : false;
  // A known node that this job does not hold was freed already (the usual case when a runner
  // ended normally); only a job whose node is unknown needs the organisation's nodes searched.
  if (!nodeId) {
    for (const node of await nodeRepository.listByOrg(orgId)) {
      if (node.busyWith?.id === jobId) freed = (await nodeRepository.release(orgId, node.id, jobId)) || freed;
    }
  }
  if (freed) await wakeWaitingJob(orgId);
}

async function wakeWaitingJob(orgId: string): Promise<void> {
  const message = await nodeRepository.takeOldestWaiter(orgId);
  if (message) await jobQueue.send(message, 0);
}

/**
 * Tells whoever waits for this backtest that it has ended: a "job finished" message on the jobs
 * queue, which the dispatcher hands to the waiter (an optimization's aggregator). Sent only by
 * the one caller whose conditional update moved the backtest to its final phase, so at most once
 * per ending (the queue may still deliver twice; the aggregator is idempotent).
 */
async function announceEnd(done: Backtest | undefined): Promise<void> {
  if (!done?.optimizationId) return;
  await jobQueue.send({
    kind: 'job-finished',
    orgId: done.orgId,
    projectId: done.projectId,
    backtestId: done.backtestId,
    optimizationId: done.optimizationId,
    attempt: 1,
  });
}

export const backtestLifecycle = {
  /** The runner started LEAN. */
  running(b: Backtest, taskRef: string): Promise<Backtest | undefined> {
    const now = isoNow();
    return backtestRepository.update(b.projectId, b.backtestId, { phase: 'running', taskRef, started: now, heartbeat: now }, ['starting', 'running']);
  },

  /** Progress and live runtime statistics while LEAN runs; also the heartbeat. */
  progress(b: Backtest, progress: number, extra: Partial<Pick<Backtest, 'runtimeStatistics' | 'backtestStart' | 'backtestEnd'>> = {}) {
    const clamped = Math.max(0, Math.min(0.99, progress));
    return backtestRepository.update(b.projectId, b.backtestId, { progress: clamped, heartbeat: isoNow(), ...extra }, ['running']);
  },

  /** Results are stored; the backtest is complete. */
  async completed(b: Backtest, results: Partial<Backtest>): Promise<Backtest | undefined> {
    const done = await backtestRepository.update(
      b.projectId,
      b.backtestId,
      { ...results, phase: 'completed', progress: 1, resultsReady: true, finished: isoNow(), error: undefined, stacktrace: undefined },
      LIVE,
    );
    await releaseNodes(b.orgId, b.backtestId, b.nodeId);
    await announceEnd(done);
    return done;
  },

  /**
   * Ends a backtest with an error (runtime error, crash, timeout, lost task). `results` carries
   * whatever LEAN still wrote (statistics up to the error, charts, orders). A backtest whose stop
   * was asked for ends `stopped` instead.
   */
  async failed(b: Backtest, error: string, stacktrace: string, results: Partial<Backtest> = {}): Promise<Backtest | undefined> {
    const current = await backtestRepository.get(b.projectId, b.backtestId);
    const stopped = current?.stopRequested === true;
    const done = await backtestRepository.update(
      b.projectId,
      b.backtestId,
      {
        ...results,
        phase: stopped ? 'stopped' : 'failed',
        error: stopped ? undefined : error,
        stacktrace: stopped ? undefined : stacktrace || error,
        hasInitializeError: !stopped && error.startsWith(INITIALIZE_ERROR_PREFIX),
        finished: isoNow(),
      },
      LIVE,
    );
    await releaseNodes(b.orgId, b.backtestId, b.nodeId ?? current?.nodeId);
    await announceEnd(done);
    return done;
  },
};
