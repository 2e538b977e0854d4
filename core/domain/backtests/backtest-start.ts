import { backtestRepository } from '../../data/backtests/backtest-repository';
import { jobQueue } from '../../data/jobs/job-queue';
import { getCompileForBacktest } from '../compile/compile-reads';
import type { Project } from '../projects/types';
import { newBacktest } from './backtest-lifecycle';
import type { Backtest, NodeRequest, ParameterValue } from './types';

/**
 * Starting one backtest, whoever asks: `backtests/create` on behalf of a caller it has already
 * checked, or the optimizer for one point of its grid. No principal and no response view here, so
 * both start backtests the same way: the compile must be a successful build of the project, the
 * project's parameters are overridden by the given ones, and the job is queued.
 */
export interface BacktestStart {
  project: Pick<Project, 'id' | 'orgId' | 'parameters'>;
  userId: number;
  compileId: string;
  name: string;
  /** Overrides of the project's parameters (an optimization's grid point). */
  parameters?: Record<string, ParameterValue>;
  requestSource?: string;
  optimizationId?: string;
  nodeRequest?: NodeRequest;
  /** Chosen by the caller when it must record the id before the job can possibly end. */
  backtestId?: string;
}

export async function startBacktest(start: BacktestStart): Promise<Backtest> {
  const { project } = start;
  await getCompileForBacktest(project.id, start.compileId);
  const parameterSet = { ...Object.fromEntries(project.parameters.map((p) => [p.key, p.value])), ...start.parameters };
  const backtest = newBacktest({
    projectId: project.id,
    orgId: project.orgId,
    userId: start.userId,
    compileId: start.compileId,
    name: start.name,
    parameterSet,
    ...(start.requestSource ? { requestSource: start.requestSource } : {}),
    ...(start.optimizationId ? { optimizationId: start.optimizationId } : {}),
    ...(start.nodeRequest ? { nodeRequest: start.nodeRequest } : {}),
    ...(start.backtestId ? { backtestId: start.backtestId } : {}),
  });
  await backtestRepository.put(backtest);
  try {
    await jobQueue.send({ kind: 'backtest', orgId: backtest.orgId, projectId: backtest.projectId, backtestId: backtest.backtestId, attempt: 1 });
  } catch (err) {
    // Nothing half-made: without its job the backtest would sit "In Queue..." forever.
    await backtestRepository.delete(backtest.projectId, backtest.backtestId);
    throw err;
  }
  return backtest;
}
