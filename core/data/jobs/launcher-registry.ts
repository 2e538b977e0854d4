import type { TaskLauncher } from '../../ports/task-runner';

/**
 * Which launcher stops runner tasks from API calls (backtests/delete) and starts them from the
 * dispatcher: ECS in AWS (loaded on first use), child processes in local mode, which installs its
 * own at start-up.
 */
let current: TaskLauncher | undefined;

export function setTaskLauncher(launcher: TaskLauncher | undefined): void {
  current = launcher;
}

export async function taskLauncher(): Promise<TaskLauncher> {
  current ??= (await import('../../aws/ecs-task-runner')).ecsLauncher();
  return current;
}
