import { qcDate } from '../../shared/dates';
import type { Optimization, OptimizationPoint } from './types';

/**
 * The wire shapes of contract §3.7 (LEAN `BaseOptimization`, `OptimizationSummary`,
 * `Optimization`, `OptimizationBacktestJsonConverter`; lean-cli `QCOptimization`): camelCase,
 * `status` one of new/running/completed/aborted, `statistics` an array, `parameterSet` an object.
 */
function parametersView(o: Optimization) {
  return o.parameters.map((p) => ({ name: p.name, min: p.min, max: p.max, step: p.step, minStep: p.minStep }));
}

export function optimizationSummaryView(o: Optimization) {
  const best = o.best;
  return {
    optimizationId: o.optimizationId,
    projectId: o.projectId,
    name: o.name,
    status: o.status,
    nodeType: o.nodeType,
    criterion: { target: o.target, extremum: o.extremum, targetValue: o.targetValue },
    created: qcDate(o.created),
    // QuantConnect shows the best point's figures here once there is one.
    psr: null,
    sharpeRatio: best && o.target.endsWith('.SharpeRatio') ? best.value : null,
    trades: null,
    cloneId: null,
    outOfSampleDays: 0,
    outOfSampleMaxEndDate: null,
    parameters: parametersView(o),
  };
}

function duration(seconds: number): string {
  const s = Math.round(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

/** lean-cli's progress is (Completed + Failed) / Total, read from these strings. */
export function runtimeStatistics(o: Optimization): Record<string, string> {
  const finished = o.completed + o.failed;
  const queued = Math.max(0, o.total - finished - o.running);
  return {
    Completed: String(o.completed),
    Failed: String(o.failed),
    Running: String(o.running),
    'In Queue': String(queued),
    'Average Length': duration(finished ? o.runtimeSeconds / finished : 0),
    'Total Runtime': duration(o.runtimeSeconds),
    Total: String(o.total),
    Consumed: '0',
  };
}

export function pointView(p: OptimizationPoint) {
  return {
    name: p.name,
    id: p.backtestId,
    progress: p.phase === 'running' ? 0 : 1,
    exitCode: p.exitCode ?? 0,
    statistics: p.statistics ?? [],
    // LEAN's converter dereferences parameterSet unconditionally: never null.
    parameterSet: p.parameterSet,
    equity: p.equity ?? [],
    ...(p.backtestStart ? { startDate: qcDate(p.backtestStart) } : {}),
    ...(p.backtestEnd ? { endDate: qcDate(p.backtestEnd) } : {}),
    outOfSampleDays: 0,
    outOfSampleMaxEndDate: null,
    ...(p.error ? { error: p.error } : {}),
  };
}

export function optimizationView(o: Optimization, points: OptimizationPoint[]) {
  const sorted = [...points].sort((a, b) => a.round - b.round || a.index - b.index);
  return {
    ...optimizationSummaryView(o),
    snapshotId: null,
    parallelNodes: o.parallelNodes,
    runtimeStatistics: runtimeStatistics(o),
    constraints: o.constraints.map((c) => ({ target: c.target, operator: c.operator, targetValue: c.targetValue })),
    backtests: Object.fromEntries(sorted.map((p) => [p.backtestId, pointView(p)])),
    strategy: o.strategy,
    requested: qcDate(o.created),
    optimizationTarget: o.target,
    targetValue: o.targetValue,
    gridLayout: [],
    // Beyond QuantConnect's fields: the best point by the server's own reading of target and constraints.
    bestBacktestId: o.best?.backtestId ?? null,
  };
}
