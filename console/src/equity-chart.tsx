import { createChart, type IChartApi, type ISeriesApi, type LineData, LineSeries, type UTCTimestamp } from 'lightweight-charts';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, SignedOutError } from './api';

/**
 * A backtest chart's line drawn with lightweight-charts from `backtests/chart/read`. The result
 * store keeps each chart in pre-split levels (core/data/results/chart-levels.ts) and answers `count`
 * points for any window from the coarsest level that has them, so the whole backtest is one small
 * read, and zooming in reads the visible window again at the same count: finer points, never the
 * whole chart. While the store is still splitting the results it answers the loading form
 * (`status: "loading"`, `progress`), which is polled.
 *
 * The container carries the drawn data for tests and tools: `data-points` (points of the line),
 * `data-first` / `data-last` (their unix times) and `data-reads` (chart reads made).
 */
const POINTS = 500;
const LOADING_POLL_MS = 1000;
const LOADING_MAX_POLLS = 60;

type RawPoint = unknown[] | { x: number; y: number | null };
interface ChartAnswer {
  chart?: { series?: Record<string, { values?: RawPoint[]; seriesType?: number }> };
  status?: string;
  progress?: number;
}

/** Line points, or the close of candles, in ascending time with one value per time. */
export function toLine(values: RawPoint[]): LineData[] {
  const byTime = new Map<number, number>();
  for (const v of values) {
    const [t, y] = Array.isArray(v) ? [v[0], v.length >= 5 ? v[4] : v[1]] : [v.x, v.y];
    if (typeof t === 'number' && typeof y === 'number' && Number.isFinite(y)) byTime.set(t, y);
  }
  return [...byTime.entries()].sort((a, b) => a[0] - b[0]).map(([time, value]) => ({ time: time as UTCTimestamp, value }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function colors() {
  const style = getComputedStyle(document.documentElement);
  const v = (name: string) => style.getPropertyValue(name).trim();
  return { text: v('--fg'), background: v('--bg'), grid: v('--grid'), line: v('--accent') };
}

export function EquityChart(props: { projectId: number; backtestId: string; chartName: string; seriesName: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [status, setStatus] = useState('Loading chart…');

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    let alive = true;
    let reads = 0;
    const c = colors();
    const chart: IChartApi = createChart(element, {
      autoSize: true,
      layout: { textColor: c.text, background: { color: c.background }, attributionLogo: false },
      grid: { vertLines: { color: c.grid }, horzLines: { color: c.grid } },
      timeScale: { timeVisible: true, secondsVisible: false },
      rightPriceScale: { borderVisible: false },
    });
    const series: ISeriesApi<'Line'> = chart.addSeries(LineSeries, { color: c.line, lineWidth: 2, priceLineVisible: false });
    const scheme = matchMedia('(prefers-color-scheme: dark)');
    const recolor = () => {
      const n = colors();
      chart.applyOptions({
        layout: { textColor: n.text, background: { color: n.background } },
        grid: { vertLines: { color: n.grid }, horzLines: { color: n.grid } },
      });
      series.applyOptions({ color: n.line });
    };
    scheme.addEventListener('change', recolor);

    let data: LineData[] = [];
    const show = (points: LineData[]) => {
      data = points;
      series.setData(points);
      element.dataset.points = String(points.length);
      element.dataset.first = String(points[0]?.time ?? '');
      element.dataset.last = String(points.at(-1)?.time ?? '');
    };

    async function read(window?: { start: number; end: number }): Promise<LineData[] | undefined> {
      for (let poll = 0; poll < LOADING_MAX_POLLS && alive; poll++) {
        reads++;
        element!.dataset.reads = String(reads);
        const answer = await api<ChartAnswer>('backtests/chart/read', {
          projectId: props.projectId,
          backtestId: props.backtestId,
          name: props.chartName,
          count: POINTS,
          ...window,
        });
        if (answer.chart) return toLine(answer.chart.series?.[props.seriesName]?.values ?? []);
        setStatus(`Preparing chart… ${Math.round((answer.progress ?? 0) * 100)}%`);
        await sleep(LOADING_POLL_MS);
      }
      return undefined;
    }

    // Zooming in: read the visible window at full count and splice it into the coarse line.
    let full: { start: number; end: number } | undefined;
    let pending: ReturnType<typeof setTimeout> | undefined;
    let applying = false;
    const onRange = () => {
      if (applying || !full) return;
      clearTimeout(pending);
      pending = setTimeout(async () => {
        const range = chart.timeScale().getVisibleRange();
        if (!range || !full || !alive) return;
        const start = Math.floor(Number(range.from));
        const end = Math.ceil(Number(range.to));
        try {
          const fine = await read({ start, end });
          if (!fine || !alive) return;
          applying = true;
          show([...data.filter((p) => Number(p.time) < start), ...fine, ...data.filter((p) => Number(p.time) > end)]);
          chart.timeScale().setVisibleRange(range);
          applying = false;
        } catch (err) {
          applying = false;
          if (!(err instanceof SignedOutError)) setStatus((err as Error).message);
        }
      }, 300);
    };

    read().then(
      (points) => {
        if (!alive) return;
        if (!points) return setStatus('The chart is not ready yet; reload later.');
        show(points);
        chart.timeScale().fitContent();
        setStatus(points.length ? '' : 'This chart has no points.');
        if (points.length) full = { start: Number(points[0]!.time), end: Number(points.at(-1)!.time) };
        chart.timeScale().subscribeVisibleTimeRangeChange(onRange);
      },
      (err: unknown) => alive && !(err instanceof SignedOutError) && setStatus((err as Error).message),
    );

    return () => {
      alive = false;
      clearTimeout(pending);
      scheme.removeEventListener('change', recolor);
      chart.remove();
    };
  }, [props.projectId, props.backtestId, props.chartName, props.seriesName]);

  return (
    <figure class="chart-figure">
      <div ref={box} class="chart" data-testid="equity-chart" role="img" aria-label={`${props.chartName}: ${props.seriesName}`} />
      {status && (
        <figcaption class="muted" aria-live="polite">
          {status}
        </figcaption>
      )}
    </figure>
  );
}
