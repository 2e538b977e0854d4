import { backtestRepository } from '../../data/backtests/backtest-repository';
import type { TaskLauncher } from '../../ports/task-runner';
import { releaseNodes } from './backtest-lifecycle';
import { type Backtest, isFinal } from './types';

/**
 * Stopping backtests that have not ended, because they are being deleted (one backtest, or every
 * backtest of a project being deleted). The runner is told first (`stopRequested`, so it records
 * "stopped" rather than a failure and leaves nothing behind once the item is gone), then its task
 * is stopped and the node freed at once. A queued backtest finds nothing when its message arrives.
 */
export async function stopBacktest(backtest: Backtest, reason: string, tasks: TaskLauncher): Promise<void> {
  if (isFinal(backtest)) return;
  const marked = await backtestRepository.update(backtest.projectId, backtest.backtestId, { stopRequested: true }, ['queued', 'starting', 'running']);
  const taskRef = marked?.taskRef ?? backtest.taskRef;
  if (taskRef) await tasks.stop(taskRef, reason);
  await releaseNodes(backtest.orgId, backtest.backtestId, marked?.nodeId ?? backtest.nodeId);
}

/** Every unfinished backtest of a project (before the project is deleted); how many there were. */
export async function stopProjectBacktests(projectId: number, tasks: TaskLauncher): Promise<number> {
  const running = (await backtestRepository.listByProject(projectId)).filter((b) => !isFinal(b));
  for (const backtest of running) await stopBacktest(backtest, 'project deleted', tasks);
  return running.length;
}
