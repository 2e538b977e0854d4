import { backtestRepository, compileRepository } from '../../data/backtests/backtest-repository';
import type { JobMessage, TaskEnd } from '../../ports/task-runner';
import { backtestLifecycle, releaseNodes } from '../backtests/backtest-lifecycle';
import { isFinal } from '../backtests/types';

/**
 * The reconciler (design §7): told that a runner task ended (ECS task state change, or a local
 * child's exit), it makes sure the job does not stay "running" forever. A runner that finished
 * normally has already written the final state and freed its node, so this does nothing then.
 * A task that died (out of memory, crash, Spot interruption) is marked failed with a clear error
 * and its node freed; a Spot interruption is retried once on a new task.
 */
export interface ReconcileDeps {
  requeue(message: JobMessage, delaySeconds: number): Promise<void>;
}

export type ReconcileOutcome = 'already-final' | 'stale' | 'failed' | 'retried' | 'gone';

const OOM_EXIT = 137;

export function describeTaskEnd(end: TaskEnd, memoryMb?: number): string {
  if (end.stopCode === 'SpotInterruption') return 'The backtest was interrupted: AWS reclaimed its Fargate Spot capacity.';
  if (end.exitCode === OOM_EXIT || /OutOfMemory/i.test(end.reason)) {
    return `The backtest ran out of memory${memoryMb ? ` (limit ${memoryMb} MB)` : ''} and was stopped. Use a node with more memory.`;
  }
  if (end.stopCode === 'TaskFailedToStart') return `The backtest task could not start: ${end.reason}`;
  return `The backtest process stopped unexpectedly${end.exitCode !== undefined ? ` (exit code ${end.exitCode})` : ''}: ${end.reason}`;
}

export async function reconcileTaskEnd(end: TaskEnd, deps: ReconcileDeps, memoryMb?: number): Promise<ReconcileOutcome> {
  const { job } = end;
  if (job.kind === 'build') {
    const compile = await compileRepository.get(job.projectId, job.compileId);
    if (!compile) return 'gone';
    if (compile.state !== 'InQueue') return 'already-final';
    await compileRepository.finish(job.projectId, job.compileId, 'BuildError', [`Build Error: ${describeTaskEnd(end, memoryMb)}`]);
    return 'failed';
  }

  const backtest = await backtestRepository.get(job.projectId, job.backtestId);
  if (!backtest) {
    await releaseNodes(job.orgId, job.backtestId);
    return 'gone';
  }
  if (isFinal(backtest)) {
    await releaseNodes(backtest.orgId, backtest.backtestId, backtest.nodeId);
    return 'already-final';
  }
  // An event about an earlier attempt's task (the retry already runs on another one).
  if (backtest.attempt !== job.attempt || (backtest.taskRef && backtest.taskRef !== end.taskRef)) return 'stale';

  if (end.stopCode === 'SpotInterruption' && backtest.attempt === 1 && !backtest.stopRequested) {
    const retry = await backtestRepository.update(
      backtest.projectId,
      backtest.backtestId,
      { phase: 'queued', attempt: 2, progress: 0, taskRef: undefined, nodeId: undefined, nodeName: undefined, started: undefined },
      ['starting', 'running'],
    );
    if (!retry) return 'stale';
    await releaseNodes(backtest.orgId, backtest.backtestId, backtest.nodeId);
    await deps.requeue({ ...job, attempt: 2, waits: 0 }, 0);
    return 'retried';
  }
  await backtestLifecycle.failed(backtest, describeTaskEnd(end, memoryMb), '');
  return 'failed';
}
