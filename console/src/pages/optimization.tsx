import { useState } from 'preact/hooks';
import { api } from '../api';
import { Failure, Loading, TableWrap } from '../components';
import { fmtNumber, fmtTime } from '../format';
import { ProjectNav } from '../project-nav';
import { usePoll } from '../use-poll';
import { Statistics } from './backtest';
import { HeatMap } from './optimization-heatmap';
import {
  isRunning,
  KEY_STATISTICS,
  type Optimization,
  type OptimizationPoint,
  pointsOf,
  progressOf,
  STATISTIC_NAMES,
  statisticIndex,
  targetLabel,
} from './optimization-stats';

const POLL_MS = 2000;

/**
 * One optimization (optimizations/read): status and progress from `runtimeStatistics`, the heat map
 * when it has exactly two parameters, and every point with its parameters and key statistics,
 * sortable, the best point marked. Read again every two seconds until it has ended.
 */
export function OptimizationDetail(props: { projectId: number; optimizationId: string }) {
  const polled = usePoll(
    () => api<{ optimization: Optimization }>('optimizations/read', { optimizationId: props.optimizationId }).then((a) => a.optimization),
    props.optimizationId,
    POLL_MS,
    (o) => isRunning(o.status),
  );
  const o = polled.data;
  if (!o) return polled.error ? <Failure message={polled.error} /> : <Loading />;
  const points = pointsOf(o);
  const { done, total } = progressOf(o);
  const targetIndex = statisticIndex(o.criterion.target);
  const target = targetLabel(o.criterion.target);
  const names = o.parameters.map((p) => p.name);
  const stats = Array.isArray(o.runtimeStatistics) ? {} : o.runtimeStatistics;
  return (
    <section>
      <ProjectNav projectId={props.projectId} current="optimizations" tail={o.name} />
      <h1>{o.name}</h1>
      <p data-testid="optimization-status">
        Status: <strong>{o.status}</strong> · {o.criterion.extremum} {target} · {o.nodeType} × {o.parallelNodes}
        {polled.updated && <span class="muted"> · updated {fmtTime(Math.floor(polled.updated / 1000))} UTC</span>}
      </p>
      <label class="progress">
        Progress: {done} of {total} points
        <progress max={total || 1} value={done} />
      </label>
      {polled.error && <Failure message={polled.error} />}
      <Statistics values={stats as Record<string, string>} testId="optimization-statistics" />
      {names.length === 2 && points.length > 0 && targetIndex >= 0 && (
        <>
          <h2>Heat map</h2>
          <HeatMap
            points={points}
            xName={names[0] as string}
            yName={names[1] as string}
            targetIndex={targetIndex}
            targetName={target}
            extremum={o.criterion.extremum}
            bestId={o.bestBacktestId}
          />
        </>
      )}
      <h2>Results</h2>
      <Results points={points} names={names} target={target} targetIndex={targetIndex} bestId={o.bestBacktestId} projectId={props.projectId} />
    </section>
  );
}

type SortKey = { kind: 'parameter'; name: string } | { kind: 'statistic'; index: number };

function Results(props: { points: OptimizationPoint[]; names: string[]; target: string; targetIndex: number; bestId: string | null; projectId: number }) {
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: { kind: 'statistic', index: props.targetIndex }, descending: true });
  if (!props.points.length) return <p class="muted">No points yet.</p>;
  const columns = [
    ...(props.targetIndex >= 0 ? [props.targetIndex] : []),
    ...KEY_STATISTICS.map((n) => STATISTIC_NAMES.indexOf(n)).filter((i) => i !== props.targetIndex),
  ];
  const value = (p: OptimizationPoint, k: SortKey) =>
    k.kind === 'parameter' ? Number(p.parameterSet[k.name]) : p.exitCode === 0 ? (p.statistics[k.index] ?? Number.NaN) : Number.NaN;
  const rows = [...props.points].sort((a, b) => {
    const x = value(a, sort.key);
    const y = value(b, sort.key);
    // Failed points (no statistics) always last.
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
    return (x - y) * (sort.descending ? -1 : 1);
  });
  const same = (k: SortKey) => JSON.stringify(k) === JSON.stringify(sort.key);
  const header = (k: SortKey, label: string) => (
    <th key={label} scope="col" aria-sort={same(k) ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
      <button type="button" class="sort" onClick={() => setSort({ key: k, descending: same(k) ? !sort.descending : true })}>
        {label}
      </button>
    </th>
  );
  return (
    <TableWrap label="Optimization results">
      <table data-testid="optimization-results">
        <thead>
          <tr>
            {props.names.map((n) => header({ kind: 'parameter', name: n }, n))}
            {columns.map((i) => header({ kind: 'statistic', index: i }, STATISTIC_NAMES[i] as string))}
            <th scope="col">Backtest</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((p) => {
            const best = p.id === props.bestId;
            return (
              <tr key={p.id} class={best ? 'best' : undefined} data-id={p.id} data-best={best ? 'true' : undefined}>
                {props.names.map((n) => (
                  <td key={n} class="num">
                    {p.parameterSet[n] ?? '–'}
                  </td>
                ))}
                {columns.map((i) => (
                  <td key={i} class="num">
                    {p.exitCode === 0 ? fmtNumber(p.statistics[i], 3) : '–'}
                  </td>
                ))}
                <td>
                  {best && <strong class="best-mark">★ Best </strong>}
                  {p.exitCode !== 0 ? (
                    <span class="error">Failed (exit {p.exitCode})</span>
                  ) : (
                    <a href={`#/projects/${props.projectId}/backtests/${p.id}`}>{p.progress < 1 ? 'running…' : p.name}</a>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableWrap>
  );
}
