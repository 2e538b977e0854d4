import { useState } from 'preact/hooks';
import { Failure, Loading, TableWrap } from '../components';
import { fmtNumber, fmtPercent } from '../format';
import { ProjectNav } from '../project-nav';
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

/** A project's backtests with their key statistics (backtests/list with includeStatistics), sortable by column. */
export function Backtests(props: { projectId: number }) {
  const list = useApi<{ backtests: BacktestSummary[] }>('backtests/list', { projectId: props.projectId, includeStatistics: true }, String(props.projectId));
  const [sort, setSort] = useState<{ key: keyof BacktestSummary; descending: boolean }>({ key: 'created', descending: true });
  const error = list.error;
  if (error) return <Failure message={error} />;
  if (!list.data) return <Loading />;
  const rows = [...list.data.backtests].sort((a, b) => compare(a[sort.key], b[sort.key]) * (sort.descending ? -1 : 1));
  return (
    <section>
      <ProjectNav projectId={props.projectId} current="backtests" />
      <h1>Backtests</h1>
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
                      {c.key === 'name' ? <a href={`#/projects/${props.projectId}/backtests/${b.backtestId}`}>{b.name}</a> : c.show(b)}
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
