import { Failure, Loading, TableWrap } from '../components';
import { fmtNumber } from '../format';
import { ProjectNav } from '../project-nav';
import { useApi } from '../use-api';
import { type Optimization, targetLabel } from './optimization-stats';

type Summary = Omit<Optimization, 'backtests' | 'runtimeStatistics' | 'bestBacktestId' | 'parallelNodes'> & { sharpeRatio: number | null };

/** A project's optimizations (optimizations/list), newest first. */
export function Optimizations(props: { projectId: number }) {
  const { data, error } = useApi<{ optimizations: Summary[] }>('optimizations/list', { projectId: props.projectId }, String(props.projectId));
  const rows = data ? [...data.optimizations].sort((a, b) => b.created.localeCompare(a.created)) : [];
  return (
    <section>
      <ProjectNav projectId={props.projectId} current="optimizations" />
      <h1>Optimizations</h1>
      {error ? (
        <Failure message={error} />
      ) : !data ? (
        <Loading />
      ) : rows.length === 0 ? (
        <p>No optimizations yet. Start one with lean-cli (`lean cloud optimize`).</p>
      ) : (
        <TableWrap label="Optimizations">
          <table data-testid="optimizations">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Created (UTC)</th>
                <th scope="col">Target</th>
                <th scope="col">Parameters</th>
                <th scope="col">Best Sharpe</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((o) => (
                <tr key={o.optimizationId}>
                  <td>
                    <a href={`#/projects/${props.projectId}/optimizations/${o.optimizationId}`}>{o.name}</a>
                  </td>
                  <td>{o.status}</td>
                  <td>{o.created}</td>
                  <td>
                    {o.criterion.extremum} {targetLabel(o.criterion.target)}
                  </td>
                  <td>{o.parameters.map((p) => p.name).join(', ')}</td>
                  <td class="num">{fmtNumber(o.sharpeRatio, 3)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}
