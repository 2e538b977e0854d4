import { optimizationRepository } from '../../data/optimizations/optimization-repository';
import { hexId } from '../../shared/ids';
import type { Principal } from '../../shared/principal';
import { projectAccess } from '../identity/access';
import { keepFinalView } from './final-view';
import type { Constraint, Extremum, Optimization, OptimizationPoint, StepParameter, StrategyName } from './types';

/**
 * An ended optimization brought over from another server (`lcs migrate --with-optimizations`),
 * from the source's `optimizations/read` answer. It is stored as any optimization is, an item
 * plus one point per backtest, ended (so the runner never picks it up) and with its read answer
 * kept whole, so `optimizations/list` and `optimizations/read` answer it like one run here. The
 * points are written before the item, so a failed import leaves nothing visible; importing the
 * same source optimization into the project again answers the one already there.
 */
export interface OptimizationImport {
  source: string;
  sourceOptimizationId: string;
  /** The source's `optimizations/read` answer (its `optimization`). */
  read: Record<string, unknown>;
}

const record = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.map(record) : []);
const num = (v: unknown, fallback = 0): number =>
  typeof v === 'number' && Number.isFinite(v) ? v : Number.isFinite(Number(v)) && v !== '' && v !== null ? Number(v) : fallback;

/** QuantConnect's "2023-09-15 16:23:31" (UTC) as ISO; undefined when absent or unreadable. */
function isoOfQcDate(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value) return undefined;
  const parsed = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
  return Number.isFinite(parsed) ? new Date(parsed).toISOString() : undefined;
}

/** "HH:MM:SS" (runtimeStatistics' Total Runtime) in seconds. */
function seconds(value: unknown): number {
  const parts = String(value ?? '')
    .split(':')
    .map(Number);
  return parts.length === 3 && parts.every(Number.isFinite) ? (parts[0] as number) * 3600 + (parts[1] as number) * 60 + (parts[2] as number) : 0;
}

/** LEAN's statistics array; the object form with numeric-string keys becomes the array it stands for. */
function statisticsArray(value: unknown): number[] {
  if (Array.isArray(value)) return value.map((v) => num(v));
  const entries = Object.entries(record(value)).filter(([k]) => /^\d+$/.test(k));
  const array: number[] = [];
  for (const [k, v] of entries) array[Number(k)] = num(v);
  return Array.from(array, (v) => v ?? 0);
}

function points(optimizationId: string, projectId: number, read: Record<string, unknown>, started: string): OptimizationPoint[] {
  return Object.entries(record(read.backtests)).map(([key, raw], index) => {
    const b = record(raw);
    const exitCode = num(b.exitCode);
    const start = isoOfQcDate(b.startDate);
    const end = isoOfQcDate(b.endDate);
    return {
      optimizationId,
      backtestId: typeof b.id === 'string' && b.id ? b.id : key,
      projectId,
      round: 1,
      index,
      name: String(b.name ?? key),
      parameterSet: Object.fromEntries(Object.entries(record(b.parameterSet)).map(([k, v]) => [k, String(v)])),
      phase: exitCode === 0 ? 'completed' : 'failed',
      started,
      finished: started,
      exitCode,
      statistics: statisticsArray(b.statistics),
      equity: Array.isArray(b.equity) ? (b.equity as number[][]) : [],
      ...(start ? { backtestStart: start } : {}),
      ...(end ? { backtestEnd: end } : {}),
      ...(typeof b.error === 'string' && b.error ? { error: b.error } : {}),
    };
  });
}

export async function importOptimization(
  principal: Principal,
  projectId: number,
  input: OptimizationImport,
): Promise<{ optimization: Optimization; created: boolean }> {
  const { project } = await projectAccess(principal, projectId, 'write');
  const existing = (await optimizationRepository.listByProject(project.id)).find(
    (o) => o.imported?.source === input.source && o.imported.sourceOptimizationId === input.sourceOptimizationId,
  );
  if (existing) return { optimization: existing, created: false };
  const r = input.read;
  const criterion = record(r.criterion);
  const stats = record(r.runtimeStatistics);
  const created = isoOfQcDate(r.created) ?? isoOfQcDate(r.requested) ?? new Date().toISOString();
  const optimizationId = `O-${hexId()}`;
  const parameters: StepParameter[] = list(r.parameters).map((p) => ({
    name: String(p.name ?? ''),
    min: num(p.min),
    max: num(p.max),
    step: num(p.step),
    minStep: num(p.minStep, num(p.step)),
  }));
  const kept = points(optimizationId, project.id, r, created);
  const completed = num(stats.Completed, kept.filter((p) => p.phase === 'completed').length);
  const failed = num(stats.Failed, kept.filter((p) => p.phase === 'failed').length);
  const total = num(stats.Total, completed + failed);
  const target = String(criterion.target ?? r.optimizationTarget ?? '');
  const sharpe = r.sharpeRatio === null || r.sharpeRatio === undefined ? undefined : num(r.sharpeRatio, Number.NaN);
  const optimization: Optimization = {
    optimizationId,
    orgId: project.orgId,
    projectId: project.id,
    userId: principal.userId,
    name: String(r.name ?? input.sourceOptimizationId),
    compileId: '',
    status: r.status === 'aborted' ? 'aborted' : 'completed',
    strategy: String(r.strategy ?? '') as StrategyName,
    target,
    extremum: (criterion.extremum === 'min' ? 'min' : 'max') as Extremum,
    targetValue: criterion.targetValue === null || criterion.targetValue === undefined ? null : num(criterion.targetValue),
    parameters,
    constraints: list(r.constraints).map((c) => ({
      target: String(c.target ?? ''),
      operator: String(c.operator ?? '') as Constraint['operator'],
      targetValue: num(c.targetValue),
    })),
    nodeType: String(r.nodeType ?? ''),
    parallelNodes: num(r.parallelNodes, 1),
    estimatedCost: 0,
    created,
    finished: created,
    round: { number: 1, parameters, size: total, next: total },
    total,
    running: 0,
    completed,
    failed,
    runtimeSeconds: seconds(stats['Total Runtime']),
    // The summary's sharpeRatio is the best point's value when the target is the Sharpe ratio.
    ...(sharpe !== undefined && Number.isFinite(sharpe)
      ? { best: { backtestId: typeof r.bestBacktestId === 'string' ? r.bestBacktestId : '', value: sharpe, parameterSet: {} } }
      : {}),
    imported: { source: input.source, sourceOptimizationId: input.sourceOptimizationId },
  };
  for (const point of kept) await optimizationRepository.putPoint(point);
  await optimizationRepository.create(optimization);
  await keepFinalView(optimizationId);
  return { optimization, created: true };
}

/** The source optimization ids already imported into the project from `source`. */
export async function importedOptimizationIds(principal: Principal, projectId: number, source: string): Promise<Set<string>> {
  const { project } = await projectAccess(principal, projectId, 'read');
  const optimizations = await optimizationRepository.listByProject(project.id);
  return new Set(optimizations.flatMap((o) => (o.imported?.source === source ? [o.imported.sourceOptimizationId] : [])));
}
