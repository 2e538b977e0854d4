import { backtestRepository, compileRepository } from '../../data/backtests/backtest-repository';
import { nodeRepository } from '../../data/jobs/node-repository';
import { projectRepository } from '../../data/projects/project-repository';
import type { JobMessage, QueueMessage, TaskLauncher } from '../../ports/task-runner';
import { LaunchRefused } from '../../ports/task-runner';
import { config } from '../../shared/config';
import { isoNow } from '../../shared/dates';
import { backtestLifecycle, releaseNodes } from '../backtests/backtest-lifecycle';
import { type Backtest, isFinal } from '../backtests/types';
import { type LivePorts, retireEnded } from '../live/live-service';
import { advanceOptimization, onPointFinished } from '../optimizations/optimization-runner';
import type { VirtualNode } from './types';

/**
 * The dispatcher (design §7): one queue message → at most one runner task. It takes a node slot of
 * the organisation with a conditional write, moves the job `queued → starting` (conditional too),
 * and only then starts the task with the job's idempotency token, so a duplicate delivery finds
 * the job started and does nothing. No free node: the message goes back with a growing delay.
 */
export interface DispatchDeps {
  launcher: TaskLauncher;
  /** Live services and secrets, where this consumer may remove them (AWS's dispatcher); local mode's supervisor retires its own. */
  live?: () => Promise<LivePorts>;
  /** Re-sends a message after a delay (SQS DelaySeconds); waiting for a node backs off this way. */
  requeue(message: JobMessage, delaySeconds: number): Promise<void>;
}

export type DispatchOutcome = 'started' | 'waiting' | 'duplicate' | 'gone' | 'failed' | 'recorded';

/** Builds have no node: compiling is free on QuantConnect, and a build is short. */
const BUILD_SKU = 'B2-8';

export function jobToken(message: JobMessage): string {
  return message.kind === 'backtest' ? `${message.backtestId}-${message.attempt}` : `build-${message.compileId}`;
}

export async function dispatchJob(message: QueueMessage, deps: DispatchDeps): Promise<DispatchOutcome> {
  if (message.kind === 'build') return dispatchBuild(message, deps);
  // Not a job to start: the end of one, handed to whoever waits for it (an optimization).
  if (message.kind === 'job-finished') return onPointFinished(message.optimizationId, message.projectId, message.backtestId);
  if (message.kind === 'live-retire') return retireEnded(message.projectId, message.deployId, deps.live);
  if (message.kind === 'optimization-start') {
    await advanceOptimization(message.optimizationId);
    return 'started';
  }
  return dispatchBacktest(message, deps);
}

async function dispatchBuild(message: Extract<JobMessage, { kind: 'build' }>, deps: DispatchDeps): Promise<DispatchOutcome> {
  const compile = await compileRepository.get(message.projectId, message.compileId);
  if (compile?.state !== 'InQueue') return 'gone';
  if (compile.taskRef) return 'duplicate';
  try {
    const { taskRef } = await deps.launcher.launch({ job: message, sku: BUILD_SKU, token: jobToken(message) });
    return (await compileRepository.setTaskRef(message.projectId, message.compileId, taskRef)) ? 'started' : 'duplicate';
  } catch (err) {
    if (!(err instanceof LaunchRefused)) throw err;
    await compileRepository.finish(message.projectId, message.compileId, 'BuildError', [`Build Error: ${err.message}`]);
    return 'failed';
  }
}

/**
 * The organisation's nodes this backtest may use, the one it already holds first: its backtest
 * nodes (narrowed to the project's selection), or the family it asks for (an optimization's
 * points share the organisation's optimization nodes; the task size comes from the request).
 */
async function candidateNodes(backtest: Backtest): Promise<VirtualNode[]> {
  const kind = backtest.nodeRequest?.kind ?? 'backtest';
  const all = (await nodeRepository.listByOrg(backtest.orgId)).filter((n) => n.kind === kind);
  const stored = kind === 'backtest' ? await projectRepository.get(backtest.projectId) : undefined;
  const active = stored?.project.activeNodes ?? [];
  const chosen = active.length && !stored?.project.autoSelectNode ? all.filter((n) => active.includes(n.id)) : all;
  return chosen.sort((a, b) => Number(b.busyWith?.id === backtest.backtestId) - Number(a.busyWith?.id === backtest.backtestId));
}

async function dispatchBacktest(message: Extract<JobMessage, { kind: 'backtest' }>, deps: DispatchDeps): Promise<DispatchOutcome> {
  let backtest = await backtestRepository.get(message.projectId, message.backtestId);
  if (!backtest || isFinal(backtest) || backtest.attempt > message.attempt) return 'gone';
  if (backtest.phase === 'running' || (backtest.phase === 'starting' && backtest.taskRef)) return 'duplicate';

  if (backtest.phase === 'queued') {
    const nodes = await candidateNodes(backtest);
    if (nodes.length === 0) {
      const reason = backtest.nodeRequest
        ? `This organization has no ${backtest.nodeRequest.kind} node.`
        : 'This organization has no backtest node that this project may use. Add one with `lcs admin` or select nodes with projects/nodes/update.';
      await backtestLifecycle.failed(backtest, reason, '');
      return 'failed';
    }
    const claim = { kind: 'backtest' as const, id: backtest.backtestId, projectId: backtest.projectId, since: isoNow() };
    let node: VirtualNode | undefined;
    for (const candidate of nodes) {
      if (await nodeRepository.claim(backtest.orgId, candidate.id, claim)) {
        node = candidate;
        break;
      }
    }
    if (!node) {
      // Registered so that whoever frees a node wakes it at once; the delayed copy is the fallback.
      await nodeRepository.addWaiter(backtest.orgId, backtest.backtestId, message, isoNow());
      const waits = (message.waits ?? 0) + 1;
      await deps.requeue({ ...message, waits }, Math.min(config().LCS_NODE_WAIT_MAX_SECONDS, 2 ** Math.min(waits, 10)));
      return 'waiting';
    }
    await nodeRepository.removeWaiter(backtest.orgId, backtest.backtestId);
    const started = await backtestRepository.update(
      backtest.projectId,
      backtest.backtestId,
      {
        phase: 'starting',
        nodeId: node.id,
        nodeName: `${node.sku} node ${node.id.slice(0, 8)}`,
        sku: backtest.nodeRequest?.sku ?? node.sku,
        attempt: message.attempt,
      },
      ['queued'],
    );
    if (!started) {
      // Deleted or moved on meanwhile: give the node back unless the backtest still holds it.
      const now = await backtestRepository.get(message.projectId, message.backtestId);
      if (!now || isFinal(now)) await nodeRepository.release(backtest.orgId, node.id, backtest.backtestId);
      return now && !isFinal(now) ? 'duplicate' : 'gone';
    }
    backtest = started;
  }

  // `starting` without a task: this delivery, or an earlier one that died before recording the
  // task. The launch token makes a repeated start return the first task instead of a second one.
  try {
    const { taskRef } = await deps.launcher.launch({ job: message, sku: backtest.sku ?? 'B2-8', token: jobToken(message) });
    const recorded = await backtestRepository.update(backtest.projectId, backtest.backtestId, { taskRef }, ['starting']);
    if (!recorded) {
      // The runner may already have moved it to running (fast start); anything else was a stop.
      const now = await backtestRepository.get(backtest.projectId, backtest.backtestId);
      if (now?.phase !== 'running') await deps.launcher.stop(taskRef, 'backtest no longer wanted');
    }
    return 'started';
  } catch (err) {
    if (err instanceof LaunchRefused) {
      await backtestLifecycle.failed(backtest, err.message, '');
      return 'failed';
    }
    // Transient: give the node back and let the queue retry (then the dead-letter queue).
    await backtestRepository.update(backtest.projectId, backtest.backtestId, { phase: 'queued', nodeId: undefined, nodeName: undefined }, ['starting']);
    await releaseNodes(backtest.orgId, backtest.backtestId, backtest.nodeId);
    throw err;
  }
}

/**
 * The last delivery of a job message failed too (the queue dead-letters it next): the job is
 * failed with the reason, so a backtest does not sit "In Queue..." (or a compile InQueue) forever.
 * The message still goes to the dead-letter queue for the operator.
 */
export async function failUndispatchable(message: QueueMessage, reason: string, receives: number): Promise<void> {
  const text = `The job could not be started after ${receives} attempts: ${reason}`;
  if (message.kind === 'job-finished' || message.kind === 'optimization-start' || message.kind === 'live-retire') return;
  if (message.kind === 'build') {
    await compileRepository.finish(message.projectId, message.compileId, 'BuildError', [`Build Error: ${text}`]);
    return;
  }
  const backtest = await backtestRepository.get(message.projectId, message.backtestId);
  if (backtest && !isFinal(backtest) && backtest.attempt === message.attempt) await backtestLifecycle.failed(backtest, text, '');
}
