/**
 * The task this runner is (one job per task, design §7): how it names itself in the job's item,
 * and how it learns that it is being stopped.
 */

/** The task was stopped from outside before LEAN finished; the runner records nothing. */
export class TaskStopped extends Error {
  constructor(job: string) {
    super(`the task was stopped before the ${job} finished`);
    this.name = 'TaskStopped';
  }
}

/** Resolves when the task is told to stop: ECS sends SIGTERM before it kills the task (stopTimeout), local mode on shutdown. */
export function stopRequested(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
}

/** The ECS task ARN from the task metadata endpoint; local mode names the task itself. */
export async function taskRef(given: string | undefined, metadataUrl: string | undefined): Promise<string> {
  if (given) return given;
  if (metadataUrl) {
    const task = (await (await fetch(`${metadataUrl}/task`)).json()) as { TaskARN?: string };
    if (task.TaskARN) return task.TaskARN;
  }
  return `pid:${process.pid}`;
}
