import { backtestRepository } from '../../data/backtests/backtest-repository';
import type { Chart, InsightItem, OrderItem, ResultSummary } from '../../data/results/result-model';
import { resultStore } from '../../data/results/result-store';
import { ConflictError } from '../../shared/errors';
import type { Principal } from '../../shared/principal';
import { projectAccess } from '../identity/access';
import { newBacktest } from './backtest-lifecycle';
import type { Backtest, ParameterValue } from './types';

/**
 * A finished backtest brought over from another server (`lcs migrate --with-backtests`): stored
 * completed, read-only (its name, note and tags stay as they were), its results in the result
 * store where `backtests/read` and the chart, order and insight reads find them. The results are
 * written before the item, so a failed import leaves no half-visible backtest; importing the same
 * source backtest into the project again answers the one already there. The source's HTML report
 * and log come along when it served them; without them `backtests/read/report` answers "not found"
 * and `backtests/read/log` no lines, as QuantConnect does for a backtest that has none.
 */
export interface BacktestImport {
  /** Where it came from: the source API and its backtest id (the idempotency key). */
  source: string;
  sourceBacktestId: string;
  name: string;
  note?: string;
  tags?: string[];
  /** ISO time the source created it. */
  created: string;
  parameterSet: Record<string, ParameterValue>;
  summary: ResultSummary;
  charts: Chart[];
  orders: OrderItem[];
  insights: InsightItem[];
  /** The source's `backtests/read/report` HTML, when it had one. */
  report?: string;
  /** The source's log lines (`backtests/read/log`), when it served them. */
  log?: string[];
}

/** Refuses changes to an imported backtest (it is a record of a run elsewhere). */
export function checkNotImported(backtest: Backtest): void {
  if (backtest.imported) throw new ConflictError('This backtest was imported from another server and is read-only; delete it instead.');
}

export async function importBacktest(principal: Principal, projectId: number, input: BacktestImport): Promise<{ backtest: Backtest; created: boolean }> {
  const { project } = await projectAccess(principal, projectId, 'write');
  const existing = (await backtestRepository.listByProject(project.id)).find(
    (b) => b.imported?.source === input.source && b.imported.sourceBacktestId === input.sourceBacktestId,
  );
  if (existing) return { backtest: existing, created: false };
  const backtest = newBacktest({
    projectId: project.id,
    orgId: project.orgId,
    userId: principal.userId,
    compileId: '',
    name: input.name,
    note: input.note ?? '',
    tags: input.tags ?? [],
    parameterSet: input.parameterSet,
    created: input.created,
    phase: 'completed',
    progress: 1,
    statistics: input.summary.statistics,
    runtimeStatistics: input.summary.runtimeStatistics,
    ...(input.summary.backtestStart ? { backtestStart: input.summary.backtestStart } : {}),
    ...(input.summary.backtestEnd ? { backtestEnd: input.summary.backtestEnd } : {}),
    imported: { source: input.source, sourceBacktestId: input.sourceBacktestId },
  });
  const written = await resultStore.writeResults(project.id, backtest.backtestId, {
    summary: input.summary,
    charts: input.charts,
    orders: input.orders,
    insights: input.insights,
    algorithmLog: input.log?.length ? `${input.log.join('\n')}\n` : '',
  });
  if (input.report !== undefined) await resultStore.writeReport(project.id, backtest.backtestId, input.report);
  const stored: Backtest = { ...backtest, ...written, resultsReady: true, reportReady: input.report !== undefined };
  await backtestRepository.put(stored);
  return { backtest: stored, created: true };
}

/** The source backtest ids already imported into the project from `source`. */
export async function importedBacktestIds(principal: Principal, projectId: number, source: string): Promise<Set<string>> {
  const { project } = await projectAccess(principal, projectId, 'read');
  const backtests = await backtestRepository.listByProject(project.id);
  return new Set(backtests.flatMap((b) => (b.imported?.source === source ? [b.imported.sourceBacktestId] : [])));
}
