import { resultStore } from '../../data/results/result-store';
import { AppError, LimitExceededError, NotFoundError } from '../../shared/errors';
import { ANSWER_FIELD_BYTES, answerBytes } from '../../shared/payload-limits';
import type { Principal } from '../../shared/principal';
import { backtestAccess } from './backtest-access';
import { type Backtest, isFinal } from './types';

/**
 * Reading a backtest's stored results (contract §3.6): charts, orders, insights and the report.
 * Each answer reads only the objects it returns (design §7); the backtest item says how many
 * orders and insights there are and whether results and report exist yet.
 */
export interface BacktestRef {
  projectId: number;
  backtestId: string;
}

export interface ChartQuery extends BacktestRef {
  name: string;
  count: number;
  start?: number;
  end?: number;
}

export interface PageQuery extends BacktestRef {
  start: number;
  end: number;
}

export interface LogQuery extends PageQuery {
  query?: string;
}

/** The log's lines; the text ends with a newline, which starts no line of its own. */
export function logLines(text: string | undefined): string[] {
  if (!text) return [];
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * The report does not exist yet. LEAN polls `backtests/read/report` every 10 s while `success` is
 * false (contract §3.6), so this is a failure that carries `generating: true`.
 */
export class ReportGeneratingError extends AppError {
  constructor() {
    super('conflict', 'The report is being generated', undefined, { generating: true });
  }
}

const load = async (principal: Principal, ref: BacktestRef): Promise<Backtest> =>
  (await backtestAccess(principal, ref.projectId, ref.backtestId, 'read')).backtest;

export const backtestResultsService = {
  async chart(principal: Principal, query: ChartQuery) {
    const backtest = await load(principal, query);
    if (!backtest.resultsReady) {
      // LEAN retries every 5 s for a minute while `chart` is absent (the spec's LoadingResponse).
      if (!isFinal(backtest)) return { progress: backtest.progress, status: 'loading' };
      throw new NotFoundError(`Chart '${query.name}'`);
    }
    const chart = await resultStore.readChart(query.projectId, query.backtestId, query.name, { count: query.count, start: query.start, end: query.end });
    if (!chart) throw new NotFoundError(`Chart '${query.name}'`);
    return { chart };
  },

  async orders(principal: Principal, query: PageQuery) {
    const backtest = await load(principal, query);
    if (!backtest.resultsReady) return { orders: [], length: 0 };
    const orders = await resultStore.readOrders(query.projectId, query.backtestId, query.start, query.end, backtest.orderCount);
    return { orders, length: backtest.orderCount };
  },

  async insights(principal: Principal, query: PageQuery) {
    const backtest = await load(principal, query);
    if (!backtest.resultsReady) return { insights: [], length: 0 };
    const insights = await resultStore.readInsights(query.projectId, query.backtestId, query.start, query.end, backtest.insightCount);
    return { insights, length: backtest.insightCount };
  },

  /**
   * Log lines [start, end) as QuantConnect's `backtests/read/log` answers them: with a query, only
   * the lines containing it (case-insensitive) are counted and returned. A backtest without a log
   * (still queued, or imported from a server that had none) answers no lines.
   */
  async log(principal: Principal, query: LogQuery) {
    const backtest = await load(principal, query);
    let lines = backtest.resultsReady ? logLines(await resultStore.readLog(query.projectId, query.backtestId)) : [];
    const wanted = query.query?.toLowerCase();
    if (wanted) lines = lines.filter((line) => line.toLowerCase().includes(wanted));
    return { logs: lines.slice(query.start, query.end), length: lines.length };
  },

  /**
   * The HTML report once written. Until then a running or completed backtest answers the
   * generating form (the report follows the results); one that failed or was stopped never gets one.
   * LEAN reads the HTML inline from the answer (a link would not do), so a report too large for
   * one answer is refused with its size rather than cut.
   */
  async report(principal: Principal, ref: BacktestRef) {
    const backtest = await load(principal, ref);
    if (backtest.reportReady) {
      const report = await resultStore.readReport(ref.projectId, ref.backtestId);
      if (report === undefined) throw new NotFoundError('Report');
      const bytes = answerBytes(report);
      if (bytes > ANSWER_FIELD_BYTES) {
        throw new LimitExceededError(
          `The report takes ${bytes} bytes in an answer, more than the ${ANSWER_FIELD_BYTES} that fit in Lambda's payload limit (docs/api.md, Limits); it cannot be served.`,
        );
      }
      return { report };
    }
    // An imported backtest brought no report along: it will never have one.
    if (!backtest.imported && (!isFinal(backtest) || backtest.phase === 'completed')) throw new ReportGeneratingError();
    throw new NotFoundError('Report');
  },
};
