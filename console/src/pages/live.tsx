import { useEffect, useRef, useState } from 'preact/hooks';
import { Failure, Loading, TableWrap } from '../components';
import { EquityChart } from '../equity-chart';
import { fmtNumber, fmtTime } from '../format';
import { ORDERS_PAGE, OrdersTable } from '../orders-table';
import { ProjectNav } from '../project-nav';
import { useLiveUpdates } from '../realtime';
import { UpdatesIndicator } from '../updates-indicator';
import { useApi } from '../use-api';
import { usePoll } from '../use-poll';
import { Statistics } from './backtest';
import { CommandBox, LiveControls } from './live-controls';
import { type Cash, type Holding, isLive, loadLive } from './live-data';

/** Re-read pace while the socket is down, and the safety re-read while changes are pushed over it. */
const POLL_MS = 3000;
const PUSHED_POLL_MS = 15_000;
const EQUITY = [{ chart: 'Strategy Equity', series: 'Equity', title: 'Equity' }];

/**
 * A project's live deployment: status, equity, holdings, cash, orders and the log tail, read again
 * whenever a change is pushed over the socket while it runs, or every three seconds while the
 * socket is down (the time of the last answer is shown). Stop, Liquidate
 * and the command box are shown to users with write permission on the project
 * (`projects/collaboration/read` → `userPermissions`), which is what the API asks for them.
 */
export function Live(props: { projectId: number }) {
  const ordersStart = useRef(0);
  const [, setPage] = useState(0);
  // The deployment's changes (status, equity, fills, log lines) are pushed over the socket (docs/realtime.md); each
  // push re-reads the page's data at once. While the socket is down the page polls every POLL_MS and says so.
  const socket = useLiveUpdates({ topic: 'live', projectId: props.projectId });
  const pushed = socket.freshness === 'live';
  const polled = usePoll(() => loadLive(props.projectId, ordersStart.current, ORDERS_PAGE), String(props.projectId), pushed ? PUSHED_POLL_MS : POLL_MS, isLive);
  const reload = polled.reload;
  useEffect(() => {
    if (socket.message) reload();
  }, [socket.message]);
  const access = useApi<{ userPermissions: string }>('projects/collaboration/read', { projectId: props.projectId }, String(props.projectId));
  const canControl = access.data?.userPermissions === 'write';
  const d = polled.data;
  const body = () => {
    if (!d) return polled.error ? <Failure message={polled.error} /> : <Loading />;
    if (!d.live) return <p>{d.none}</p>;
    const l = d.live;
    const running = isLive(d);
    return (
      <>
        <p class="live-status" data-testid="live-status" data-status={l.status ?? ''}>
          Status: <strong>{l.status ?? 'Undefined'}</strong> · {l.brokerage} · launched {l.launched} UTC
          {l.stopped && <> · stopped {l.stopped} UTC</>}
          {l.node?.name && <> · {l.node.name}</>}
        </p>
        <p class="muted" data-testid="live-updated" aria-live="off">
          {running ? (pushed ? 'Updated as changes are pushed' : 'Updating every 3 s') : 'Not running; not updating'} · last update{' '}
          {polled.updated ? fmtTime(Math.floor(polled.updated / 1000)) : '–'} UTC
        </p>
        {running && <UpdatesIndicator freshness={socket.freshness} pollSeconds={POLL_MS / 1000} readAt={polled.updated} />}
        {(l.error || l.message) && (
          <pre class="error" role="alert">
            {l.error || l.message}
          </pre>
        )}
        {polled.error && <Failure message={polled.error} />}
        {canControl && running && <LiveControls projectId={props.projectId} onDone={polled.reload} />}
        <Statistics values={l.runtimeStatistics ?? {}} testId="live-statistics" />
        <h2>Equity</h2>
        {l.charts && 'Strategy Equity' in l.charts ? (
          <EquityChart endpoint="live/chart/read" ids={{ projectId: props.projectId }} lines={EQUITY} label="Live equity" refresh={polled.count} />
        ) : (
          <p class="muted">No equity published yet.</p>
        )}
        <h2>Holdings</h2>
        <Holdings holdings={d.portfolio?.holdings ?? {}} />
        <h2>Cash</h2>
        <CashTable cash={d.portfolio?.cash ?? {}} />
        <h2>Orders</h2>
        {d.orders ? (
          <OrdersTable
            orders={d.orders.orders}
            start={ordersStart.current}
            total={d.orders.length}
            onStart={(start) => {
              ordersStart.current = start;
              setPage(start);
              polled.reload();
            }}
          />
        ) : (
          <Loading />
        )}
        <h2>Log</h2>
        <LogTail lines={d.logs} />
        {canControl && running && (
          <>
            <h2>Command</h2>
            <CommandBox projectId={props.projectId} onDone={polled.reload} />
          </>
        )}
      </>
    );
  };
  return (
    <section data-testid="live" data-permissions={access.data?.userPermissions ?? ''}>
      <ProjectNav projectId={props.projectId} current="live" />
      <h1>Live trading</h1>
      {body()}
    </section>
  );
}

function symbolOf(id: string, h: Holding): string {
  if (typeof h.symbol === 'string') return h.symbol;
  return h.symbol?.value ?? id.split(' ')[0] ?? id;
}

function Holdings(props: { holdings: Record<string, Holding> }) {
  const rows = Object.entries(props.holdings).filter(([, h]) => h.q);
  if (!rows.length) return <p class="muted">No holdings.</p>;
  return (
    <TableWrap label="Holdings">
      <table data-testid="holdings">
        <thead>
          <tr>
            <th scope="col">Symbol</th>
            <th scope="col">Quantity</th>
            <th scope="col">Average price</th>
            <th scope="col">Market price</th>
            <th scope="col">Market value</th>
            <th scope="col">Unrealized</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([id, h]) => (
            <tr key={id}>
              <td>{symbolOf(id, h)}</td>
              <td class="num">{fmtNumber(h.q, 4)}</td>
              <td class="num">{fmtNumber(h.a, 4)}</td>
              <td class="num">{fmtNumber(h.p, 4)}</td>
              <td class="num">{fmtNumber(h.v, 2)}</td>
              <td class="num">{fmtNumber(h.u, 2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

function CashTable(props: { cash: Record<string, Cash> }) {
  const rows = Object.entries(props.cash);
  if (!rows.length) return <p class="muted">No cash.</p>;
  return (
    <TableWrap label="Cash">
      <table data-testid="cash">
        <thead>
          <tr>
            <th scope="col">Currency</th>
            <th scope="col">Amount</th>
            <th scope="col">Conversion rate</th>
            <th scope="col">Value in account currency</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([currency, c]) => (
            <tr key={currency}>
              <td>{currency}</td>
              <td class="num">
                {c.currencySymbol ?? ''}
                {fmtNumber(c.amount, 2)}
              </td>
              <td class="num">{fmtNumber(c.conversionRate, 6)}</td>
              <td class="num">{fmtNumber(c.valueInAccountCurrency, 2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

function LogTail(props: { lines: string[] }) {
  const box = useRef<HTMLElement>(null);
  // The newest lines are at the bottom: keep them in view as lines arrive.
  const last = props.lines.at(-1);
  useEffect(() => {
    if (box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [last]);
  if (!props.lines.length) return <p class="muted">No log lines yet.</p>;
  return (
    // The box scrolls (both ways), not the <pre>: axe wants the scrolling element focusable, and a labelled section may be.
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be focusable to be scrolled by keyboard (WCAG 2.1.1).
    <section ref={box} class="log-wrap" tabIndex={0} aria-label="Log, latest lines">
      <pre class="log" data-testid="live-logs">
        {props.lines.join('\n')}
      </pre>
    </section>
  );
}
