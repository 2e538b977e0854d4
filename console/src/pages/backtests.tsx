import { useEffect, useState } from 'preact/hooks';
import { Failure, Loading, TableWrap } from '../components';
import { fmtNumber, fmtPercent } from '../format';
import { ProjectNav } from '../project-nav';
import { useLiveUpdates } from '../realtime';
import { UpdatesIndicator } from '../updates-indicator';
import { useApi } from '../use-api';

interface BacktestSummary {
  backtestId: string;
  name: string;
  status: string;
  created: string;
  progress: number;
  netProfit: number | null;
  sharpeRatio: number | null;
  compoundingAnnualReturn: number | null;
  drawdown: number | null;
  winRate: number | null;
  trades: number | null;
}

type Column = { key: keyof BacktestSummary; label: string; show: (b: BacktestSummary) => string };

const COLUMNS: Column[] = [
  { key: 'name', label: 'Name', show: (b) => b.name },
  { key: 'status', label: 'Status', show: (b) => b.status },
  { key: 'created', label: 'Created (UTC)', show: (b) => b.created },
  { key: 'netProfit', label: 'Net profit', show: (b) => fmtPercent(b.netProfit) },
  { key: 'compoundingAnnualReturn', label: 'CAR', show: (b) => fmtPercent(b.compoundingAnnualReturn) },
  { key: 'sharpeRatio', label: 'Sharpe', show: (b) => fmtNumber(b.sharpeRatio, 3) },
  { key: 'drawdown', label: 'Drawdown', show: (b) => fmtPercent(b.drawdown) },
  { key: 'winRate', label: 'Win rate', show: (b) => fmtPercent(b.winRate) },
  { key: 'trades', label: 'Orders', show: (b) => fmtNumber(b.trades, 0) },
];

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  return typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
}

/** The list texts of a backtest that has not ended (contract §4). */
const isRunning = (b: BacktestSummary) => b.status === 'In Queue...' || b.status.startsWith('Running');
/** While a backtest runs and the socket is down, the list is re-read this often. */
const POLL_SECONDS = 5;

/**
 * A project's backtests with their key statistics (backtests/list with includeStatistics), sortable by column.
 * A running backtest's status is pushed over the socket; when one ends the list is read again (its
 * statistics); when the socket is down, the list polls while anything runs, and says so.
 */
export function Backtests(props: { projectId: number }) {
  const [ended, setEnded] = useState(0);
  const [freshness, setFreshness] = useState<Record<string, boolean>>({});
  const [anyRunning, setAnyRunning] = useState(false);
  const allLive = Object.values(freshness).every(Boolean);
  const list = useApi<{ backtests: BacktestSummary[] }>(
    'backtests/list',
    { projectId: props.projectId, includeStatistics: true },
    `${props.projectId}:${ended}`,
    anyRunning && !allLive ? POLL_SECONDS * 1000 : undefined,
  );
  const [sort, setSort] = useState<{ key: keyof BacktestSummary; descending: boolean }>({ key: 'created', descending: true });
  const running = list.data?.backtests.filter(isRunning) ?? [];
  const runningKey = running.map((b) => b.backtestId).join(',');
  useEffect(() => {
    setAnyRunning(runningKey !== '');
    setFreshness((was) => Object.fromEntries(runningKey ? runningKey.split(',').map((id) => [id, was[id] ?? false]) : []));
  }, [runningKey]);
  const error = list.error;
  if (error) return <Failure message={error} />;
  if (!list.data) return <Loading />;
  const rows = [...list.data.backtests].sort((a, b) => compare(a[sort.key], b[sort.key]) * (sort.descending ? -1 : 1));
  const report = (backtestId: string, live: boolean) =>
    setFreshness((was) => (was[backtestId] === live || !(backtestId in was) ? was : { ...was, [backtestId]: live }));
  return (
    <section>
      <ProjectNav projectId={props.projectId} current="backtests" />
      <h1>Backtests</h1>
      {running.length > 0 && <UpdatesIndicator freshness={allLive ? 'live' : 'stale'} pollSeconds={POLL_SECONDS} readAt={list.readAt} />}
      {rows.length === 0 ? (
        <p>No backtests yet.</p>
      ) : (
        <TableWrap label="Backtests">
          <table data-testid="backtests">
            <thead>
              <tr>
                {COLUMNS.map((c) => (
                  <th key={c.key} scope="col" aria-sort={sort.key === c.key ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
                    <button
                      type="button"
                      class="sort"
                      onClick={() => setSort({ key: c.key, descending: sort.key === c.key ? !sort.descending : c.key !== 'name' })}
                    >
                      {c.label}
                    </button>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((b) => (
                <tr key={b.backtestId}>
                  {COLUMNS.map((c) => (
                    <td key={c.key} class={c.key === 'name' || c.key === 'status' || c.key === 'created' ? '' : 'num'}>
                      {c.key === 'name' ? (
                        <a href={`#/projects/${props.projectId}/backtests/${b.backtestId}`}>{b.name}</a>
                      ) : c.key === 'status' && isRunning(b) ? (
                        <RunningStatus projectId={props.projectId} row={b} onFreshness={report} onEnded={() => setEnded(Date.now())} />
                      ) : (
                        c.show(b)
                      )}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}

/** A running backtest's status cell: pushed over the socket while it is live, the list's own reading otherwise. */
function RunningStatus(props: { projectId: number; row: BacktestSummary; onFreshness: (backtestId: string, live: boolean) => void; onEnded: () => void }) {
  const { backtestId } = props.row;
  const live = useLiveUpdates({ topic: 'backtest', projectId: props.projectId, backtestId });
  const pushed = live.freshness === 'live' ? live.message : undefined;
  useEffect(() => props.onFreshness(backtestId, live.freshness === 'live'), [live.freshness]);
  useEffect(() => {
    if (pushed?.final === true) props.onEnded();
  }, [pushed?.final]);
  return <span data-testid="running-status">{pushed ? String(pushed.status) : props.row.status}</span>;
}
