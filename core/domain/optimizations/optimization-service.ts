import { backtestRepository } from '../../data/backtests/backtest-repository';
import { jobQueue } from '../../data/jobs/job-queue';
import { nodeRepository } from '../../data/jobs/node-repository';
import { optimizationRepository } from '../../data/optimizations/optimization-repository';
import { deleteResults } from '../../data/results/result-store';
import type { TaskLauncher } from '../../ports/task-runner';
import { OPTIMIZATION_NODE_LIMITS, skuInfo } from '../../shared/catalog';
import { config } from '../../shared/config';
import { isoNow, qcDate } from '../../shared/dates';
import { InvalidError, NotFoundError } from '../../shared/errors';
import { sha256Hex } from '../../shared/hashing';
import { hexId } from '../../shared/ids';
import type { Principal } from '../../shared/principal';
import { stopBacktest } from '../backtests/backtest-stop';
import { getCompileForBacktest } from '../compile/compile-reads';
import { projectAccess } from '../identity/access';
import { finalView, keepFinalView, removeFinalView } from './final-view';
import { canonicalTarget } from './objectives';
import { optimizationSummaryView, optimizationView } from './optimization-view';
import { gridSize } from './search-space';
import { type Constraint, EULER_STRATEGY, type Extremum, GRID_STRATEGY, type Optimization, type StepParameter, type StrategyName } from './types';

/**
 * Optimizations (contract §3.7), on behalf of a caller: estimate, create, read, list, rename,
 * abort and delete. An optimization is "not found" unless the caller may see its project.
 */
export interface OptimizationRequest {
  projectId: number;
  compileId: string;
  name?: string;
  target: string;
  targetTo: Extremum;
  targetValue?: number;
  strategy?: string;
  /** `minStep` absent: the step itself (LEAN's OptimizationStepParameter), i.e. no Euler refinement. */
  parameters: (Omit<StepParameter, 'minStep'> & { minStep?: number | undefined })[];
  constraints: Constraint[];
  nodeType: string;
  parallelNodes: number;
  estimatedCost?: number;
}

/** The checks a request's body alone allows (the schema has checked shapes); the grid's size. */
function checkPlan(request: OptimizationRequest): { target: string; strategy: StrategyName; size: number; parameters: StepParameter[] } {
  const parameters = request.parameters.map((p) => ({ ...p, minStep: p.minStep ?? p.step }));
  const target = canonicalTarget(request.target);
  if (!target) throw new InvalidError(`target: unknown target '${request.target}'; use TotalPerformance.PortfolioStatistics.<statistic>, e.g. SharpeRatio`);
  for (const [i, c] of request.constraints.entries()) {
    if (!canonicalTarget(c.target)) throw new InvalidError(`constraints.${i}.target: unknown target '${c.target}'`);
  }
  const strategy = request.strategy ?? GRID_STRATEGY;
  if (strategy !== GRID_STRATEGY && strategy !== EULER_STRATEGY) throw new InvalidError(`strategy: must be ${GRID_STRATEGY} or ${EULER_STRATEGY}`);
  const limit = OPTIMIZATION_NODE_LIMITS[request.nodeType];
  if (limit === undefined)
    throw new InvalidError(`nodeType: unknown node type '${request.nodeType}'; one of ${Object.keys(OPTIMIZATION_NODE_LIMITS).join(', ')}`);
  if (request.parallelNodes > limit) throw new InvalidError(`parallelNodes: at most ${limit} for ${request.nodeType}`);
  const names = new Set(request.parameters.map((p) => p.name));
  if (names.size !== request.parameters.length) throw new InvalidError('parameters: each parameter may appear once');
  const size = gridSize(parameters);
  const ceiling = config().LCS_OPTIMIZATION_MAX_POINTS;
  if (size > ceiling) throw new InvalidError(`parameters: the grid has ${size} points; this server runs at most ${ceiling} per optimization`);
  return { target, strategy, size, parameters };
}

async function visibleOptimization(principal: Principal, optimizationId: string, need: 'read' | 'write'): Promise<Optimization> {
  const optimization = await optimizationRepository.get(optimizationId);
  if (!optimization) throw new NotFoundError('Optimization');
  try {
    await projectAccess(principal, optimization.projectId, need);
  } catch (err) {
    if (err instanceof NotFoundError) throw new NotFoundError('Optimization');
    throw err;
  }
  return optimization;
}

/** Seconds per backtest: the mean wall time of the project's last ten completed backtests, or the configured default. */
async function secondsPerBacktest(projectId: number): Promise<number> {
  const recent = (await backtestRepository.listByProject(projectId))
    .filter((b) => b.phase === 'completed' && b.started && b.finished)
    .slice(-10)
    .map((b) => (Date.parse(b.finished as string) - Date.parse(b.started as string)) / 1000);
  if (!recent.length) return config().LCS_OPTIMIZATION_DEFAULT_BACKTEST_SECONDS;
  return Math.max(1, Math.ceil(recent.reduce((a, b) => a + b, 0) / recent.length));
}

/**
 * Stops a point that has not ended and removes it with its backtest's results (abort, delete); false, touching
 * nothing, when it has ended meanwhile. The point goes first, so the stopped backtest's "job finished" finds nothing
 * to record.
 */
async function dropPoint(o: Optimization, backtestId: string, tasks: TaskLauncher): Promise<boolean> {
  // The point may have ended since the caller listed it as running: then it is a finished point, kept with its
  // backtest (removing the backtest here would leave the optimization naming a point whose results are gone).
  if (!(await optimizationRepository.dropRunningPoint(o.optimizationId, backtestId))) return false;
  const backtest = await backtestRepository.get(o.projectId, backtestId);
  if (backtest) {
    await stopBacktest(backtest, 'optimization aborted', tasks);
    await nodeRepository.removeWaiter(o.orgId, backtestId);
    await backtestRepository.delete(o.projectId, backtestId);
  }
  await deleteResults(o.projectId, backtestId);
  return true;
}

export async function estimateOptimization(principal: Principal, request: OptimizationRequest) {
  const { project } = await projectAccess(principal, request.projectId, 'read');
  const { size } = checkPlan(request);
  const time = await secondsPerBacktest(project.id);
  const sku = skuInfo(request.nodeType);
  const { LCS_FARGATE_VCPU_HOUR_USD, LCS_FARGATE_GB_HOUR_USD, LCS_CREDIT_BALANCE } = config();
  const hourly = sku ? sku.vcpu * LCS_FARGATE_VCPU_HOUR_USD + sku.ramGb * LCS_FARGATE_GB_HOUR_USD : 0;
  const parallel = Math.max(1, request.parallelNodes);
  return {
    estimate: {
      // Same request, same estimate: a read answers the same whoever asks and however.
      estimateId: sha256Hex(JSON.stringify({ ...request, name: undefined, projectId: project.id })).slice(0, 32),
      time,
      balance: LCS_CREDIT_BALANCE,
      // Beyond QuantConnect's fields: what the operator's AWS bill sees.
      backtests: size,
      wallSeconds: Math.ceil(size / parallel) * time,
      fargateCostUsd: Math.round(((size * time) / 3600) * hourly * 10_000) / 10_000,
    },
  };
}

export async function createOptimization(principal: Principal, request: OptimizationRequest) {
  const { project } = await projectAccess(principal, request.projectId, 'write');
  const { target, strategy, size, parameters } = checkPlan(request);
  await getCompileForBacktest(project.id, request.compileId);
  const nodes = (await nodeRepository.listByOrg(project.orgId)).filter((n) => n.kind === 'optimization');
  if (!nodes.length) throw new InvalidError('nodeType: this organization has no optimization nodes (LCS_OPTIMIZATION_NODES)');
  const created = isoNow();
  const optimization: Optimization = {
    optimizationId: `O-${hexId()}`,
    orgId: project.orgId,
    projectId: project.id,
    userId: principal.userId,
    name: request.name ?? `Optimization ${qcDate(created)}`,
    compileId: request.compileId,
    status: 'new',
    strategy,
    target,
    extremum: request.targetTo,
    targetValue: request.targetValue ?? null,
    parameters,
    constraints: request.constraints.map((c) => ({ ...c, target: canonicalTarget(c.target) as string })),
    nodeType: request.nodeType,
    parallelNodes: request.parallelNodes,
    estimatedCost: request.estimatedCost ?? 0,
    created,
    round: { number: 1, parameters, size, next: 0 },
    total: size,
    running: 0,
    completed: 0,
    failed: 0,
    runtimeSeconds: 0,
  };
  await optimizationRepository.create(optimization);
  try {
    await jobQueue.send({
      kind: 'optimization-start',
      orgId: optimization.orgId,
      projectId: optimization.projectId,
      optimizationId: optimization.optimizationId,
      attempt: 1,
    });
  } catch (err) {
    // Nothing half-made: without its start message the optimization would stay "new" forever.
    await optimizationRepository.delete(optimization.optimizationId);
    throw err;
  }
  return { optimizations: [optimizationSummaryView(optimization)], optimization };
}

export async function readOptimization(principal: Principal, optimizationId: string) {
  const visible = await visibleOptimization(principal, optimizationId, 'read');
  const kept = await finalView(visible);
  if (kept) return { optimization: kept };
  const { optimization, points } = await optimizationRepository.getWithPoints(optimizationId);
  if (!optimization) throw new NotFoundError('Optimization');
  return { optimization: optimizationView(optimization, points) };
}

export async function listOptimizations(principal: Principal, projectId: number) {
  await projectAccess(principal, projectId, 'read');
  const optimizations = await optimizationRepository.listByProject(projectId);
  return { optimizations: optimizations.map(optimizationSummaryView), count: optimizations.length };
}

export async function renameOptimization(principal: Principal, optimizationId: string, name: string) {
  const optimization = await visibleOptimization(principal, optimizationId, 'write');
  if (!(await optimizationRepository.rename(optimizationId, name))) throw new NotFoundError('Optimization');
  return optimization;
}

/**
 * Stops every point that has not ended (running or waiting for a node) and removes it with its
 * backtest; finished points stay. Points not yet started never start (the status is checked
 * when each one is taken).
 */
export async function abortOptimization(principal: Principal, optimizationId: string, tasks: TaskLauncher) {
  const visible = await visibleOptimization(principal, optimizationId, 'write');
  const aborted = await optimizationRepository.abort(optimizationId, isoNow());
  if (!aborted) throw new InvalidError(`optimizationId: the optimization has already ${visible.status === 'aborted' ? 'been aborted' : 'ended'}`);
  const { points } = await optimizationRepository.getWithPoints(optimizationId);
  for (const point of points.filter((p) => p.phase === 'running')) await dropPoint(aborted, point.backtestId, tasks);
  await keepFinalView(optimizationId);
  return aborted;
}

/** Aborts what still runs, then removes the optimization, its points and their backtests with their results. */
export async function deleteOptimization(principal: Principal, optimizationId: string, tasks: TaskLauncher) {
  const optimization = await visibleOptimization(principal, optimizationId, 'write');
  await removeOptimization(optimization, tasks);
  return optimization;
}

async function removeOptimization(optimization: Optimization, tasks: TaskLauncher): Promise<void> {
  // Aborted first, so the runner starts no further point while the points are removed.
  await optimizationRepository.abort(optimization.optimizationId, isoNow());
  const { points } = await optimizationRepository.getWithPoints(optimization.optimizationId);
  for (const point of points) {
    if (point.phase === 'running' && (await dropPoint(optimization, point.backtestId, tasks))) continue;
    await backtestRepository.delete(optimization.projectId, point.backtestId);
    await deleteResults(optimization.projectId, point.backtestId);
  }
  await removeFinalView(optimization);
  await optimizationRepository.delete(optimization.optimizationId);
}

/**
 * Every optimization of a project being deleted: they live outside the project's partition, so
 * deleting the project alone would leave them listed and their runner trying to start points.
 */
export async function removeProjectOptimizations(projectId: number, tasks: TaskLauncher): Promise<number> {
  const optimizations = await optimizationRepository.listByProject(projectId);
  for (const optimization of optimizations) await removeOptimization(optimization, tasks);
  return optimizations.length;
}

/** The operations as one object, for callers that use several (the CLI); handlers import the one they serve, so each bundle carries only what its route uses. */
export const optimizationService = {
  estimate: estimateOptimization,
  create: createOptimization,
  read: readOptimization,
  list: listOptimizations,
  rename: renameOptimization,
  abort: abortOptimization,
  delete: deleteOptimization,
};
