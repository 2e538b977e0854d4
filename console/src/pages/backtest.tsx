import { useEffect, useState } from 'preact/hooks';
import { Failure, Loading, TableWrap } from '../components';
import { EquityChart } from '../equity-chart';
import { DIRECTIONS, fmtNumber, fmtTime, ORDER_STATUSES, ORDER_TYPES } from '../format';
import { useLiveUpdates } from '../realtime';
import { UpdatesIndicator } from '../updates-indicator';
import { useApi } from '../use-api';

interface Backtest {
  name: string;
  status: string;
  progress: number;
  completed: boolean;
  error: string | null;
  statistics: Record<string, string> | unknown[] | null;
  runtimeStatistics: Record<string, string> | null;
}

/** While a backtest runs and the socket is down, backtests/read is re-read this often. */
const POLL_SECONDS = 2;

/**
 * A backtest: its equity chart, statistics and orders. While it runs, its status and progress
 * are pushed over the socket (realtime.ts); when the socket is down the page polls instead and
 * says so. The pushed final status makes the page read the finished backtest once more.
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
          <EquityChart projectId={props.projectId} backtestId={props.backtestId} chartName="Strategy Equity" seriesName="Equity" />
          <h2>Statistics</h2>
          <Statistics values={{ ...statistics, ...(b.runtimeStatistics ?? {}) }} />
          <h2>Orders</h2>
          <Orders projectId={props.projectId} backtestId={props.backtestId} />
        </>
      ) : (
        <p>The backtest has not finished; its results appear here when it has.</p>
      )}
    </section>
  );
}

function Statistics(props: { values: Record<string, string> }) {
  const entries = Object.entries(props.values);
  if (!entries.length) return <p class="muted">No statistics.</p>;
  return (
    <dl class="stats" data-testid="statistics">
      {entries.map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

interface Order {
  id: number;
  time: string;
  symbol?: { value?: string };
  type: number;
  direction: number;
  quantity: number;
  price: number;
  status: number;
  value?: number;
}

const PAGE = 25;

/** The orders, PAGE at a time (backtests/orders/read start..end; at most 100 per read). */
function Orders(props: { projectId: number; backtestId: string }) {
  const [start, setStart] = useState(0);
  const { data, error } = useApi<{ orders: Order[]; length: number }>(
    'backtests/orders/read',
    { projectId: props.projectId, backtestId: props.backtestId, start, end: start + PAGE },
    `${props.backtestId}:${start}`,
  );
  if (error) return <Failure message={error} />;
  if (!data) return <Loading />;
  const total = data.length;
  if (total === 0) return <p class="muted">No orders.</p>;
  return (
    <div data-testid="orders" data-start={start} data-total={total}>
      <TableWrap label="Orders">
        <table>
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">Time (UTC)</th>
              <th scope="col">Symbol</th>
              <th scope="col">Type</th>
              <th scope="col">Direction</th>
              <th scope="col">Quantity</th>
              <th scope="col">Price</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {data.orders.map((o) => (
              <tr key={o.id}>
                <td class="num">{o.id}</td>
                <td>{fmtTime(o.time)}</td>
                <td>{o.symbol?.value ?? '–'}</td>
                <td>{ORDER_TYPES[o.type] ?? o.type}</td>
                <td>{DIRECTIONS[o.direction] ?? o.direction}</td>
                <td class="num">{fmtNumber(o.quantity, 4)}</td>
                <td class="num">{fmtNumber(o.price, 4)}</td>
                <td>{ORDER_STATUSES[o.status] ?? o.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <div class="pager">
        <button type="button" disabled={start === 0} onClick={() => setStart(Math.max(0, start - PAGE))}>
          Previous
        </button>
        <span aria-live="polite">
          {start + 1}–{Math.min(start + PAGE, total)} of {total}
        </span>
        <button type="button" disabled={start + PAGE >= total} onClick={() => setStart(start + PAGE)}>
          Next
        </button>
      </div>
    </div>
  );
}
