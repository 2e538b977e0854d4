import { createChart, type IChartApi, type ISeriesApi, type LineData, LineSeries, type UTCTimestamp } from 'lightweight-charts';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, SignedOutError } from './api';

/**
 * Lines of a backtest's or a live deployment's charts drawn with lightweight-charts from
 * `backtests/chart/read` or `live/chart/read`. The result store keeps each chart in pre-split levels
 * (core/data/results/chart-levels.ts) and answers `count` points for any window from the coarsest
 * level that has them, so the whole run is one small read per chart, and zooming in reads the
 * visible window again at the same count: finer points, never the whole chart. While the store is
 * still splitting the results it answers the loading form (`status: "loading"`, `progress`), which
 * is polled.
 *
 * The container carries the drawn data for tests and tools: `data-points` (points of the first
 * line), `data-first` / `data-last` (their unix times), `data-reads` (reads of the first chart made)
 * and `data-other-points` (points of the other lines, comma-separated).
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

/** One line: a series of a stored chart, optionally derived (the drawdown of an equity line), on the right or left scale. */
export interface ChartLine {
  chart: string;
  series: string;
  title: string;
  derive?: (points: LineData[]) => LineData[];
  scale?: 'left' | 'right';
  /** A CSS custom property holding the line's colour. */
  color?: string;
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

/** The fall from the running peak, in percent (≤ 0), of an equity line. */
export function drawdownOf(points: LineData[]): LineData[] {
  let peak = Number.NEGATIVE_INFINITY;
  return points.map((p) => {
    peak = Math.max(peak, p.value);
    return { time: p.time, value: peak > 0 ? (p.value / peak - 1) * 100 : 0 };
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function colors() {
  const style = getComputedStyle(document.documentElement);
  const v = (name: string) => style.getPropertyValue(name).trim();
  return { text: v('--fg'), background: v('--bg'), grid: v('--grid'), line: v('--accent'), v };
}

export function EquityChart(props: {
  /** `backtests/chart/read` (with projectId and backtestId in `ids`) or `live/chart/read` (projectId). */
  endpoint: string;
  ids: Record<string, unknown>;
  lines: ChartLine[];
  label: string;
  testId?: string;
  /** A change re-reads the whole chart (live polling) without resetting the view. */
  refresh?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const reload = useRef<() => void>(() => {});
  const [status, setStatus] = useState('Loading chart…');
  const key = JSON.stringify([props.endpoint, props.ids, props.lines.map((l) => [l.chart, l.series, l.scale])]);

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    let alive = true;
    let reads = 0;
    const c = colors();
    const lineColor = (l: ChartLine) => (l.color ? c.v(l.color) : c.line);
    const chart: IChartApi = createChart(element, {
      autoSize: true,
      layout: { textColor: c.text, background: { color: c.background }, attributionLogo: false },
      grid: { vertLines: { color: c.grid }, horzLines: { color: c.grid } },
      timeScale: { timeVisible: true, secondsVisible: false },
      rightPriceScale: { borderVisible: false },
      leftPriceScale: { borderVisible: false, visible: props.lines.some((l) => l.scale === 'left') },
    });
    const series: ISeriesApi<'Line'>[] = props.lines.map((l, i) =>
      chart.addSeries(LineSeries, {
        color: lineColor(l),
        lineWidth: i === 0 ? 2 : 1,
        priceLineVisible: false,
        priceScaleId: l.scale ?? 'right',
        title: l.title,
      }),
    );
    const scheme = matchMedia('(prefers-color-scheme: dark)');
    const recolor = () => {
      const n = colors();
      chart.applyOptions({
        layout: { textColor: n.text, background: { color: n.background } },
        grid: { vertLines: { color: n.grid }, horzLines: { color: n.grid } },
      });
      for (const [i, l] of props.lines.entries()) series[i]?.applyOptions({ color: l.color ? n.v(l.color) : n.line });
    };
    scheme.addEventListener('change', recolor);

    let data: LineData[][] = props.lines.map(() => []);
    const show = (lines: LineData[][]) => {
      data = lines;
      for (const [i, points] of lines.entries()) series[i]?.setData(points);
      const first = lines[0] ?? [];
      element.dataset.points = String(first.length);
      element.dataset.first = String(first[0]?.time ?? '');
      element.dataset.last = String(first.at(-1)?.time ?? '');
      element.dataset.otherPoints = lines
        .slice(1)
        .map((l) => l.length)
        .join(',');
    };

    /** One read per distinct chart name; the lines are taken from the answers. */
    async function read(window?: { start: number; end: number }): Promise<LineData[][] | undefined> {
      const names = [...new Set(props.lines.map((l) => l.chart))];
      const answers = new Map<string, ChartAnswer['chart']>();
      for (const name of names) {
        let got: ChartAnswer['chart'] | undefined;
        for (let poll = 0; poll < LOADING_MAX_POLLS && alive && !got; poll++) {
          if (name === names[0]) element!.dataset.reads = String(++reads);
          const answer = await api<ChartAnswer>(props.endpoint, { ...props.ids, name, count: POINTS, ...window });
          got = answer.chart;
          if (!got) {
            setStatus(`Preparing chart… ${Math.round((answer.progress ?? 0) * 100)}%`);
            await sleep(LOADING_POLL_MS);
          }
        }
        if (!got) return undefined;
        answers.set(name, got);
      }
      return props.lines.map((l) => {
        const points = toLine(answers.get(l.chart)?.series?.[l.series]?.values ?? []);
        return l.derive ? l.derive(points) : points;
      });
    }

    // Zooming in: read the visible window at full count and splice it into the coarse lines.
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
          show(data.map((line, i) => [...line.filter((p) => Number(p.time) < start), ...(fine[i] ?? []), ...line.filter((p) => Number(p.time) > end)]));
          chart.timeScale().setVisibleRange(range);
          applying = false;
        } catch (err) {
          applying = false;
          if (!(err instanceof SignedOutError)) setStatus((err as Error).message);
        }
      }, 300);
    };

    const fail = (err: unknown) => alive && !(err instanceof SignedOutError) && setStatus((err as Error).message);
    read().then((lines) => {
      if (!alive) return;
      if (!lines) return setStatus('The chart is not ready yet; reload later.');
      show(lines);
      chart.timeScale().fitContent();
      const first = lines[0] ?? [];
      setStatus(first.length ? '' : 'This chart has no points.');
      if (first.length) full = { start: Number(first[0]!.time), end: Number(first.at(-1)!.time) };
      chart.timeScale().subscribeVisibleTimeRangeChange(onRange);
    }, fail);
    // A live chart grows: the whole chart is read again, and the zoomed view is kept.
    reload.current = () =>
      read().then((lines) => {
        if (!alive || !lines) return;
        const range = chart.timeScale().getVisibleRange();
        applying = true;
        show(lines);
        if (range && full) chart.timeScale().setVisibleRange(range);
        else chart.timeScale().fitContent();
        applying = false;
        const first = lines[0] ?? [];
        if (first.length) full = { start: Number(first[0]!.time), end: Number(first.at(-1)!.time) };
        setStatus(first.length ? '' : 'This chart has no points.');
      }, fail);

    return () => {
      alive = false;
      reload.current = () => {};
      clearTimeout(pending);
      scheme.removeEventListener('change', recolor);
      chart.remove();
    };
  }, [key]);

  useEffect(() => {
    if (props.refresh) reload.current();
  }, [props.refresh]);

  return (
    <figure class="chart-figure">
      <div ref={box} class="chart" data-testid={props.testId ?? 'equity-chart'} role="img" aria-label={props.label} />
      {status && (
        <figcaption class="muted" aria-live="polite">
          {status}
        </figcaption>
      )}
    </figure>
  );
}
