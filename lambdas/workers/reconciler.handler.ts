import type { EventBridgeEvent } from 'aws-lambda';
import { jobQueue, parseJobMessage } from '../../core/data/jobs/job-queue';
import { type ReconcileOutcome, reconcileTaskEnd } from '../../core/domain/jobs/job-reconciler';
import type { JobMessage, TaskEnd } from '../../core/ports/task-runner';
import { JOB_ENV, RUNNER_CONTAINER } from '../../core/shared/deployment-names';
import { logger } from '../../core/shared/logger';
import { recordEvent } from '../../core/shared/metrics';

/**
 * The reconciler (design §7): EventBridge delivers every `ECS Task State Change` of the jobs
 * cluster whose task STOPPED. The job is read back from the runner container's `LCS_JOB`
 * override (set by the launcher), and the domain reconciler makes sure a task that died does not
 * leave its job "running" or its node taken. Other tasks and other states are ignored.
 */
export interface EcsTaskStateChange {
  clusterArn?: string;
  taskArn: string;
  /** `service:<name>` for a service's task, `family:<family>` for one started by RunTask. */
  group?: string;
  lastStatus: string;
  stopCode?: string;
  stoppedReason?: string;
  /** Task memory, MiB, as a string ("8192"). */
  memory?: string;
  containers?: { name: string; exitCode?: number; reason?: string; lastStatus?: string }[];
  overrides?: { containerOverrides?: { name: string; environment?: { name: string; value: string }[] }[] };
}

export type TaskStateEvent = EventBridgeEvent<'ECS Task State Change', EcsTaskStateChange>;

export interface ReconcilerDeps {
  requeue(message: JobMessage, delaySeconds: number): Promise<void>;
}

/** The job of a stopped runner task, or undefined for an event this reconciler does not handle. */
export function taskEndOf(detail: EcsTaskStateChange): { end: TaskEnd; memoryMb?: number } | undefined {
  if (detail.lastStatus !== 'STOPPED') return undefined;
  const overrides = detail.overrides?.containerOverrides ?? [];
  const runnerOverride = overrides.find((o) => o.name === RUNNER_CONTAINER) ?? overrides[0];
  const raw = runnerOverride?.environment?.find((e) => e.name === JOB_ENV)?.value;
  if (!raw) return undefined;
  const job = parseJobMessage(raw);
  const container = detail.containers?.find((c) => c.name === RUNNER_CONTAINER) ?? detail.containers?.[0];
  // The task's reason says "Essential container in task exited"; the container's says why
  // (e.g. "OutOfMemoryError: Container killed due to memory usage").
  const reason = [detail.stoppedReason, container?.reason].filter(Boolean).join(': ') || 'no reason given';
  const memoryMb = Number(detail.memory);
  return {
    end: {
      taskRef: detail.taskArn,
      job,
      ...(typeof container?.exitCode === 'number' ? { exitCode: container.exitCode } : {}),
      stopCode: detail.stopCode ?? 'unknown',
      reason,
    },
    ...(Number.isFinite(memoryMb) && memoryMb > 0 ? { memoryMb } : {}),
  };
}

/**
 * The deploy id of a live deployment's task (service `live-<deploy id>`) that died on its own
 * (crash, out of memory, Spot reclaim): ECS starts a replacement, which resumes the same
 * deployment. Stops the service scheduler or a user made (a removal) are not deaths.
 */
export function liveTaskDeath(detail: EcsTaskStateChange): string | undefined {
  const match = /^service:live-(L-[0-9a-f]{32})$/.exec(detail.group ?? '');
  if (detail.lastStatus !== 'STOPPED' || !match) return undefined;
  return ['ServiceSchedulerInitiated', 'UserInitiated'].includes(detail.stopCode ?? '') ? undefined : match[1];
}

export function reconciler(deps: ReconcilerDeps) {
  return async (event: TaskStateEvent): Promise<ReconcileOutcome | 'ignored' | 'live-task-died'> => {
    const { detail } = event;
    const deployId = liveTaskDeath(detail);
    if (deployId) {
      // One series for every deployment: one alarm covers them; the log says which and why.
      recordEvent('LiveRestarts', {});
      logger.warn('Live task died; ECS replaces it', { deployId, taskArn: detail.taskArn, stopCode: detail.stopCode, reason: detail.stoppedReason });
      return 'live-task-died';
    }
    let parsed: ReturnType<typeof taskEndOf>;
    try {
      parsed = taskEndOf(detail);
    } catch (err) {
      // A malformed job override cannot become valid on a retry: log it and drop the event.
      logger.error('Stopped task with a malformed job', { taskArn: detail.taskArn, error: err });
      return 'ignored';
    }
    if (!parsed) return 'ignored';
    const { end, memoryMb } = parsed;
    const outcome = await reconcileTaskEnd(end, deps, memoryMb);
    // A task that died under a job (not one that finished normally): the operator's signal.
    // One series (no extra dimensions) so a single alarm covers it; the log says which task and why.
    if (outcome === 'failed' || outcome === 'retried') recordEvent('TaskDeaths', {});
    logger.info('Task end reconciled', {
      taskArn: end.taskRef,
      kind: end.job.kind,
      id: end.job.kind === 'backtest' ? end.job.backtestId : end.job.compileId,
      attempt: end.job.attempt,
      stopCode: end.stopCode,
      exitCode: end.exitCode,
      outcome,
    });
    return outcome;
  };
}

export const handler = reconciler({ requeue: (message, delaySeconds) => jobQueue.send(message, delaySeconds) });
