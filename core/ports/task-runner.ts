/**
 * The task runner port (design §12): how the domain starts and stops runner tasks without knowing
 * what runs them. ECS Fargate implements it in AWS (core/aws/ecs-task-runner.ts), child processes
 * in local mode (local/process-launcher.ts).
 */

/**
 * Jobs travel through one SQS queue (design §7). The message names the job; everything else is
 * read from the table, so a duplicate or late delivery acts on the current state, never on a copy.
 */
export type JobMessage =
  | { kind: 'backtest'; orgId: string; projectId: number; backtestId: string; attempt: number; waits?: number }
  | { kind: 'build'; orgId: string; projectId: number; compileId: string; attempt: number; waits?: number };

/**
 * A job reached a final state (completed, failed, stopped) and something waits for it: an
 * optimization's aggregator. The backtest's lifecycle sends it on the same queue; the dispatcher
 * hands it on, so it travels the same way in AWS and in local mode. `attempt` is always 1.
 */
export interface JobFinishedMessage {
  kind: 'job-finished';
  orgId: string;
  projectId: number;
  backtestId: string;
  optimizationId: string;
  attempt: number;
}

/**
 * An optimization was created: its first points start from the queue's consumer, not in the
 * API call, so optimizations/create answers at once whatever `parallelNodes` is.
 */
export interface OptimizationStartMessage {
  kind: 'optimization-start';
  orgId: string;
  projectId: number;
  optimizationId: string;
  attempt: number;
}

/**
 * A live deployment ended (stopped, liquidated, failed): its service and secret are removed. The
 * runner cannot remove its own ECS service (its task role may not), and a service left in place
 * would start the runner again and again; the dispatcher holds the rights to remove it.
 */
export interface LiveRetireMessage {
  kind: 'live-retire';
  orgId: string;
  projectId: number;
  deployId: string;
  attempt: number;
}

/** Everything the jobs queue carries: jobs to start, ends of jobs to hand on, optimizations to start, deployments to retire. */
export type QueueMessage = JobMessage | JobFinishedMessage | OptimizationStartMessage | LiveRetireMessage;

/** What a launcher needs to start the runner for one job. */
export interface LaunchRequest {
  job: JobMessage;
  /** Node SKU: picks the task size (cpu/memory). */
  sku: string;
  /** Idempotency token for the start call (ECS `startedBy`/clientToken): the same job never starts twice. */
  token: string;
}

export interface LaunchResult {
  /** ECS task ARN, or `local:<pid>` in local mode. */
  taskRef: string;
}

/** Starts and stops runner tasks: ECS Fargate in AWS, child processes in local mode. */
export interface TaskLauncher {
  launch(request: LaunchRequest): Promise<LaunchResult>;
  stop(taskRef: string, reason: string): Promise<void>;
}

/**
 * A launcher's refusal that retrying cannot fix (no LEAN engine configured locally, an unknown
 * SKU): the job fails at once with this message instead of going round the queue.
 */
export class LaunchRefused extends Error {
  override name = 'LaunchRefused';
}

/** Why a runner task ended, as the reconciler sees it (ECS task state change, or a child's exit). */
export interface TaskEnd {
  taskRef: string;
  job: JobMessage;
  exitCode?: number;
  /** ECS stopCode (`SpotInterruption`, `EssentialContainerExited`, `TaskFailedToStart`, …) or `exited`. */
  stopCode: string;
  reason: string;
}
