import { useEffect, useState } from 'preact/hooks';
import { api, SignedOutError } from '../api';
import { Failure, Loading, TableWrap } from '../components';
import { fmtNumber, fmtTime } from '../format';
import { Pager } from '../orders-table';
import { useApi } from '../use-api';

/** A backtest's insights and its HTML report (contract §3.6, §4). */
interface Insight {
  id: string;
  generatedTime: number;
  closeTime: number;
  ticker?: string;
  symbol?: string;
  type: string;
  direction: string;
  period: number;
  magnitude: number | null;
  confidence: number | null;
  scoreFinal?: boolean;
  scoreDirection?: number;
  sourceModel?: string;
}

const PAGE = 25;

/** Insights a page at a time (backtests/insights/read start..end; at most 100 per read). */
export function Insights(props: { projectId: number; backtestId: string }) {
  const [start, setStart] = useState(0);
  const { data, error } = useApi<{ insights: Insight[]; length: number }>(
    'backtests/insights/read',
    { projectId: props.projectId, backtestId: props.backtestId, start, end: start + PAGE },
    `${props.backtestId}:${start}`,
  );
  if (error) return <Failure message={error} />;
  if (!data) return <Loading />;
  if (data.length === 0) return <p class="muted">No insights.</p>;
  return (
    <div data-testid="insights" data-start={start} data-total={data.length}>
      <TableWrap label="Insights">
        <table>
          <thead>
            <tr>
              <th scope="col">Generated (UTC)</th>
              <th scope="col">Symbol</th>
              <th scope="col">Type</th>
              <th scope="col">Direction</th>
              <th scope="col">Period (s)</th>
              <th scope="col">Magnitude</th>
              <th scope="col">Confidence</th>
              <th scope="col">Direction score</th>
              <th scope="col">Model</th>
            </tr>
          </thead>
          <tbody>
            {data.insights.map((i) => (
              <tr key={i.id}>
                <td>{fmtTime(i.generatedTime)}</td>
                <td>{i.ticker ?? i.symbol ?? '–'}</td>
                <td>{i.type}</td>
                <td>{i.direction}</td>
                <td class="num">{fmtNumber(i.period, 0)}</td>
                <td class="num">{fmtNumber(i.magnitude, 4)}</td>
                <td class="num">{fmtNumber(i.confidence, 4)}</td>
                <td class="num">{fmtNumber(i.scoreDirection, 4)}</td>
                <td>{i.sourceModel ?? '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <Pager start={start} total={data.length} page={PAGE} onStart={setStart} />
    </div>
  );
}

const LOG_PAGE = 200;

/**
 * The log, LOG_PAGE lines at a time (backtests/read/log start..end, at most 200 a read), optionally only the lines
 * that contain a word (`query`, case-insensitive, applied by the server before start..end).
 */
export function Log(props: { projectId: number; backtestId: string }) {
  const [start, setStart] = useState(0);
  const [query, setQuery] = useState('');
  const { data, error } = useApi<{ logs: string[]; length: number }>(
    'backtests/read/log',
    { projectId: props.projectId, backtestId: props.backtestId, start, end: start + LOG_PAGE, query },
    `${props.backtestId}:${start}:${query}`,
  );
  const search = (e: Event) => {
    e.preventDefault();
    setQuery(String(new FormData(e.currentTarget as HTMLFormElement).get('query') ?? '').trim());
    setStart(0);
  };
  return (
    <div data-testid="backtest-log" data-start={start} data-total={data?.length ?? ''} data-query={query}>
      <form class="inline" onSubmit={search}>
        <label>
          Lines containing <input name="query" type="search" defaultValue={query} />
        </label>
        <button type="submit">Filter</button>
      </form>
      {error ? (
        <Failure message={error} />
      ) : !data ? (
        <Loading />
      ) : data.length === 0 ? (
        <p class="muted">{query ? 'No log lines contain that.' : 'No log lines.'}</p>
      ) : (
        <>
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be focusable to be scrolled by keyboard (WCAG 2.1.1). */}
          <section class="log-wrap" tabIndex={0} aria-label="Backtest log">
            <pre class="log">{data.logs.join('\n')}</pre>
          </section>
          <Pager start={start} total={data.length} page={LOG_PAGE} onStart={setStart} />
        </>
      )}
    </div>
  );
}

/**
 * The report (backtests/read/report) as a download. The console's Content-Security-Policy has no
 * frame-src (so `default-src 'none'` forbids frames) and no inline styles, which the report relies
 * on; it is offered as an HTML file to open outside the console rather than shown in a frame.
 */
export function Report(props: { projectId: number; backtestId: string; name: string }) {
  const [state, setState] = useState<{ url?: string; size?: number; error?: string; busy?: boolean }>({});
  useEffect(() => () => state.url && URL.revokeObjectURL(state.url), [state.url]);
  const prepare = async () => {
    setState({ busy: true });
    try {
      const answer = await api<{ report: string }>('backtests/read/report', { projectId: props.projectId, backtestId: props.backtestId });
      const blob = new Blob([answer.report], { type: 'text/html' });
      setState({ url: URL.createObjectURL(blob), size: blob.size });
    } catch (err) {
      if (!(err instanceof SignedOutError)) setState({ error: (err as Error).message });
    }
  };
  const file = `${props.name.replace(/[^\w.-]+/g, '-')}-report.html`;
  return (
    <div class="report" data-testid="report">
      {state.url ? (
        <a href={state.url} download={file}>
          Download the report ({fmtNumber((state.size ?? 0) / 1024, 0)} KB, HTML)
        </a>
      ) : (
        <button type="button" onClick={prepare} disabled={state.busy}>
          {state.busy ? 'Preparing the report…' : 'Prepare the report'}
        </button>
      )}
      {state.error && <Failure message={state.error} />}
    </div>
  );
}
