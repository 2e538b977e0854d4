import { useEffect, useState } from 'preact/hooks';
import { Failure, Loading } from '../components';
import { type ChartLine, drawdownOf, EquityChart } from '../equity-chart';
import { ORDERS_PAGE, type Order, OrdersTable } from '../orders-table';
import { useLiveUpdates } from '../realtime';
import { UpdatesIndicator } from '../updates-indicator';
import { useApi } from '../use-api';
import { Insights, Log, Report } from './backtest-extras';

interface Backtest {
  name: string;
  status: string;
  progress: number;
  completed: boolean;
  error: string | null;
  statistics: Record<string, string> | unknown[] | null;
  runtimeStatistics: Record<string, string> | null;
  charts?: Record<string, unknown>;
}

/**
 * The equity line with the benchmark on its own (left) scale when LEAN recorded one, and the
 * drawdown: LEAN's own `Drawdown` chart when the results have it, else computed from the equity.
 */
function chartLines(charts: Record<string, unknown>): { equity: ChartLine[]; drawdown: ChartLine[] } {
  const equity: ChartLine = { chart: 'Strategy Equity', series: 'Equity', title: 'Equity' };
  return {
    equity: 'Benchmark' in charts ? [equity, { chart: 'Benchmark', series: 'Benchmark', title: 'Benchmark', scale: 'left', color: '--second' }] : [equity],
    drawdown: [
      'Drawdown' in charts
        ? { chart: 'Drawdown', series: 'Equity Drawdown', title: 'Drawdown %', color: '--error' }
        : { ...equity, title: 'Drawdown %', derive: drawdownOf, color: '--error' },
    ],
  };
}

/** While a backtest runs and the socket is down, backtests/read is re-read this often. */
const POLL_SECONDS = 2;

/**
 * A backtest: its equity and drawdown charts, statistics, orders, insights, log and report. While
 * it runs, its status and progress are pushed over the socket (realtime.ts); when the socket is
 * down the page polls instead and says so. The pushed final status makes the page read the
 * finished backtest once more.
 */
export function BacktestDetail(props: { projectId: number; backtestId: string }) {
  const [endedAt, setEndedAt] = useState(0);
  const [running, setRunning] = useState(false);
  const live = useLiveUpdates(running ? { topic: 'backtest', projectId: props.projectId, backtestId: props.backtestId } : undefined);
  const polling = running && live.freshness !== 'live' ? POLL_SECONDS * 1000 : undefined;
  const { data, error, readAt } = useApi<{ backtest: Backtest }>(
    'backtests/read',
    { projectId: props.projectId, backtestId: props.backtestId },
    `${props.backtestId}:${endedAt}`,
    polling,
  );
  const pushed = live.freshness === 'live' ? live.message : undefined;
  const b = data?.backtest;
  const restEnded = b ? b.completed || b.error !== null : false;
  useEffect(() => {
    if (b) setRunning(!restEnded);
  }, [b, restEnded]);
  useEffect(() => {
    if (pushed?.final === true) setEndedAt(Date.now());
  }, [pushed?.final]);
  if (error) return <Failure message={error} />;
  if (!b) return <Loading />;
  const statistics = b.statistics && !Array.isArray(b.statistics) ? b.statistics : {};
  const ids = { projectId: props.projectId, backtestId: props.backtestId };
  const lines = chartLines(b.charts ?? {});
  const status = pushed ? String(pushed.status) : b.status;
  const progress = pushed ? Number(pushed.progress) : b.progress;
  return (
    <section>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href="#/">Projects</a> / <a href={`#/projects/${props.projectId}`}>Backtests</a> / <span>{b.name}</span>
      </nav>
      <h1>{b.name}</h1>
      <p class="muted" data-testid="status">
        Status: {status}
      </p>
      {!restEnded && (
        <>
          <progress data-testid="progress" data-source={pushed ? 'socket' : 'poll'} max={1} value={progress} aria-label="Backtest progress" />
          <UpdatesIndicator freshness={live.freshness} pollSeconds={POLL_SECONDS} readAt={readAt} />
        </>
      )}
      {b.error && (
        <pre class="error" role="alert">
          {b.error}
        </pre>
      )}
      {b.completed ? (
        <>
          <h2>Equity</h2>
          <EquityChart endpoint="backtests/chart/read" ids={ids} lines={lines.equity} label={lines.equity.map((l) => l.title).join(' and ')} />
          <h2>Drawdown</h2>
          <EquityChart endpoint="backtests/chart/read" ids={ids} lines={lines.drawdown} label="Drawdown (%)" testId="drawdown-chart" />
          <h2>Statistics</h2>
          <Statistics values={{ ...statistics, ...(b.runtimeStatistics ?? {}) }} />
          <h2>Orders</h2>
          <Orders projectId={props.projectId} backtestId={props.backtestId} />
          <h2>Insights</h2>
          <Insights projectId={props.projectId} backtestId={props.backtestId} />
          <h2>Log</h2>
          <Log projectId={props.projectId} backtestId={props.backtestId} />
          <h2>Report</h2>
          <Report projectId={props.projectId} backtestId={props.backtestId} name={b.name} />
        </>
      ) : (
        <p>The backtest has not finished; its results appear here when it has.</p>
      )}
    </section>
  );
}

export function Statistics(props: { values: Record<string, string>; testId?: string }) {
  const entries = Object.entries(props.values);
  if (!entries.length) return <p class="muted">No statistics.</p>;
  return (
    <dl class="stats" data-testid={props.testId ?? 'statistics'}>
      {entries.map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The orders, a page at a time (backtests/orders/read start..end; at most 100 per read). */
function Orders(props: { projectId: number; backtestId: string }) {
  const [start, setStart] = useState(0);
  const { data, error } = useApi<{ orders: Order[]; length: number }>(
    'backtests/orders/read',
    { projectId: props.projectId, backtestId: props.backtestId, start, end: start + ORDERS_PAGE },
    `${props.backtestId}:${start}`,
  );
  if (error) return <Failure message={error} />;
  if (!data) return <Loading />;
  return <OrdersTable orders={data.orders} start={start} total={data.length} onStart={setStart} />;
}
