import { backtestRepository } from '../../data/backtests/backtest-repository';
import { deleteResults, resultStore } from '../../data/results/result-store';
import type { TaskLauncher } from '../../ports/task-runner';
import { qcDate } from '../../shared/dates';
import { NotFoundError } from '../../shared/errors';
import type { Principal } from '../../shared/principal';
import { projectAccess } from '../identity/access';
import { backtestAccess } from './backtest-access';
import { checkNotImported } from './backtest-import';
import { startBacktest } from './backtest-start';
import { stopBacktest } from './backtest-stop';
import { backtestSummaryView, backtestView } from './backtest-view';
import type { Backtest, ParameterValue } from './types';

/**
 * Backtests (contract §3.6): create queues a job and answers the backtest object at once (LEAN
 * dereferences it unconditionally); read shows progress while running and the results summary
 * once done; delete stops a running backtest, frees its node and removes its results.
 */
export interface CreateBacktest {
  projectId: number;
  compileId: string;
  backtestName?: string;
  parameters?: Record<string, ParameterValue>;
  requestSource?: string;
}

/** The answer of read/create: the item, plus the stored summary once results exist. */
async function fullView(backtest: Backtest) {
  const summary = backtest.resultsReady ? await resultStore.readSummary(backtest.projectId, backtest.backtestId) : undefined;
  return backtestView(backtest, summary);
}

export async function createBacktest(principal: Principal, request: CreateBacktest) {
  const { project } = await projectAccess(principal, request.projectId, 'write');
  const backtest = await startBacktest({
    project,
    userId: principal.userId,
    compileId: request.compileId,
    name: request.backtestName ?? `Backtest ${qcDate(new Date())}`,
    ...(request.parameters ? { parameters: request.parameters } : {}),
    ...(request.requestSource ? { requestSource: request.requestSource } : {}),
  });
  return { backtest: backtestView(backtest), debugging: false };
}

export async function readBacktest(principal: Principal, projectId: number, backtestId: string) {
  const { backtest } = await backtestAccess(principal, projectId, backtestId, 'read');
  return { backtest: await fullView(backtest), debugging: false };
}

export async function listBacktests(principal: Principal, projectId: number, includeStatistics: boolean) {
  await projectAccess(principal, projectId, 'read');
  const backtests = await backtestRepository.listByProject(projectId);
  return { backtests: backtests.map((b) => backtestSummaryView(b, includeStatistics)), count: backtests.length };
}

export async function updateBacktest(principal: Principal, projectId: number, backtestId: string, changes: { name?: string; note?: string }) {
  const { backtest } = await backtestAccess(principal, projectId, backtestId, 'write');
  checkNotImported(backtest);
  const patch = { ...(changes.name !== undefined ? { name: changes.name } : {}), ...(changes.note !== undefined ? { note: changes.note } : {}) };
  if (Object.keys(patch).length && !(await backtestRepository.update(projectId, backtestId, patch))) throw new NotFoundError('Backtest');
  return backtest;
}

export async function setBacktestTags(principal: Principal, projectId: number, backtestId: string, tags: string[]) {
  const { backtest } = await backtestAccess(principal, projectId, backtestId, 'write');
  checkNotImported(backtest);
  const unique = [...new Set(tags)];
  if (!(await backtestRepository.update(projectId, backtestId, { tags: unique }))) throw new NotFoundError('Backtest');
  return backtest;
}

/**
 * Stops the task if one runs (the runner is told first, so it reports "stopped", not a crash),
 * deletes the item, frees the node and removes the results. A queued job finds nothing when it
 * is delivered and is dropped.
 */
export async function deleteBacktest(principal: Principal, projectId: number, backtestId: string, tasks: TaskLauncher) {
  const { backtest } = await backtestAccess(principal, projectId, backtestId, 'write');
  await stopBacktest(backtest, 'backtest deleted', tasks);
  await backtestRepository.delete(projectId, backtestId);
  await deleteResults(projectId, backtestId);
  return backtest;
}

/**
 * One export per operation, so a handler's bundle carries only what its route uses (the result
 * store and chart levels only where results are read or deleted); the object is for callers that
 * use several (the backup CLI).
 */
export const backtestService = {
  create: createBacktest,
  read: readBacktest,
  list: listBacktests,
  update: updateBacktest,
  setTags: setBacktestTags,
  delete: deleteBacktest,
};
