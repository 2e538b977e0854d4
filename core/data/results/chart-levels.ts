import type { Chart, ChartPoint, ChartSeries } from './result-model';

/**
 * How a chart is stored so that `backtests/chart/read` reads O(count) points whatever the size of
 * the backtest (design §7). Pure: no storage, no clock.
 *
 * A chart becomes an index (chart and series properties without values, the time range, and the
 * levels) plus value blocks. Level 0 holds every point; each coarser level has about
 * LEVEL_FACTOR times fewer points per series, down to one with at most COARSEST_MAX_POINTS per
 * series. Every level is cut into time blocks of at most BLOCK_MAX_POINTS points (all series
 * together), whose time span and point counts the index lists. A read picks the coarsest level that
 * still has `count` points in the window, reads only the blocks overlapping the window, and
 * down-samples what it read to `count` points per series.
 *
 * Points are `[t, v]`, `[t, o, h, l, c]` (candles) or `{x, y}`, ascending by time (unix seconds).
 * Down-sampling keeps the first point and, for each time bucket after it, the last point of the
 * bucket (lines, scatter) or the bucket's candle (open of the first, highest high, lowest low,
 * close of the last, time of the last), so the first and last times always survive.
 */
export const LEVEL_FACTOR = 4;
export const COARSEST_MAX_POINTS = 200;
export const BLOCK_MAX_POINTS = 2_000;

/** QuantConnect's candle series type (contract §4). */
const CANDLE_SERIES_TYPE = 2;

/** A series without its values (Omit would drop the named fields of a type with an index signature). */
export type SeriesMeta = Pick<ChartSeries, 'name' | 'unit' | 'index' | 'seriesType' | 'color' | 'scatterMarkerSymbol'> & Record<string, unknown>;

export interface IndexedSeries {
  /** The key of the series in the chart's `series` object. */
  key: string;
  meta: SeriesMeta;
  candle: boolean;
  /** Points at full resolution. */
  points: number;
}

export interface BlockRef {
  from: number;
  to: number;
  points: number;
  /** Points of each series in the block (series without points are left out). */
  perSeries: Record<string, number>;
}

export interface ChartLevel {
  /** Points of the longest series at this level. */
  maxSeriesPoints: number;
  points: number;
  blocks: BlockRef[];
}

export interface ChartIndex {
  name: string;
  /** Chart properties other than `series` (name, chartType, symbol, legendDisabled, …). */
  chart: Record<string, unknown>;
  series: IndexedSeries[];
  /** Time range of all points; null when the chart has none. */
  from: number | null;
  to: number | null;
  points: number;
  /** Level 0 first (full resolution), then coarser and coarser. */
  levels: ChartLevel[];
}

/** One stored block: the values of each series within the block's time span, in time order. */
export interface ChartBlock {
  values: Record<string, ChartPoint[]>;
}

export interface SplitChart {
  index: ChartIndex;
  /** `blocks[level][i]` is described by `index.levels[level].blocks[i]`. */
  blocks: ChartBlock[][];
}

export interface ChartRequest {
  /** At most this many points per series. */
  count: number;
  /** Window, unix seconds, both ends included; absent means open. */
  start?: number;
  end?: number;
}

export interface ReadPlan {
  level: number;
  blocks: number[];
}

export function timeOf(point: ChartPoint): number {
  const t = Array.isArray(point) ? point[0] : point?.x;
  return typeof t === 'number' ? t : Number(t);
}

function isCandle(series: ChartSeries): boolean {
  const first = series.values?.[0];
  return series.seriesType === CANDLE_SERIES_TYPE || (Array.isArray(first) && first.length >= 5);
}

function numberAt(point: ChartPoint, i: number): number | null {
  const v = Array.isArray(point) ? point[i] : undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** One candle for `values[from..to)`: open of the first, highest high, lowest low, close of the last. */
function mergeCandles(values: ChartPoint[], from: number, to: number): ChartPoint {
  const first = values[from]!;
  const last = values[to - 1]!;
  if (!Array.isArray(first) || !Array.isArray(last)) return last;
  let high: number | null = null;
  let low: number | null = null;
  for (let i = from; i < to; i++) {
    const h = numberAt(values[i]!, 2);
    const l = numberAt(values[i]!, 3);
    if (h !== null && (high === null || h > high)) high = h;
    if (l !== null && (low === null || l < low)) low = l;
  }
  return [timeOf(last), first[1] ?? null, high, low, last[4] ?? null];
}

/**
 * At most `max` points: the first point, then one point per time bucket over the rest (its last
 * point, or the merged candle). Values already within `max` come back unchanged (same array).
 */
export function downsample(values: ChartPoint[], max: number, candle: boolean): ChartPoint[] {
  const n = values.length;
  if (n <= max) return values;
  if (max <= 0) return [];
  if (max === 1) return [candle ? mergeCandles(values, 0, n) : values[n - 1]!];
  const buckets = max - 1;
  const t0 = timeOf(values[1]!);
  const span = timeOf(values[n - 1]!) - t0;
  const out: ChartPoint[] = [values[0]!];
  let bucket = -1;
  let groupStart = 1;
  const flush = (end: number) => {
    if (end > groupStart) out.push(candle ? mergeCandles(values, groupStart, end) : values[end - 1]!);
    groupStart = end;
  };
  for (let i = 1; i < n; i++) {
    const t = timeOf(values[i]!);
    const raw = span > 0 && Number.isFinite(t) ? Math.floor(((t - t0) / span) * buckets) : 0;
    // Clamped and never going back, so out-of-order points cannot add buckets beyond `max`.
    const b = Math.max(bucket, Math.min(buckets - 1, Math.max(0, raw)));
    if (b !== bucket) {
      flush(i);
      bucket = b;
    }
  }
  flush(n);
  return out;
}

/** Cuts one level into blocks of ≤ BLOCK_MAX_POINTS by merging the series in time order. */
function cutBlocks(series: { key: string; values: ChartPoint[] }[]): { refs: BlockRef[]; blocks: ChartBlock[] } {
  const refs: BlockRef[] = [];
  const blocks: ChartBlock[] = [];
  const next = series.map(() => 0);
  let block: ChartBlock = { values: {} };
  let ref: BlockRef = { from: Number.POSITIVE_INFINITY, to: Number.NEGATIVE_INFINITY, points: 0, perSeries: {} };
  const close = () => {
    if (ref.points === 0) return;
    refs.push(ref);
    blocks.push(block);
    block = { values: {} };
    ref = { from: Number.POSITIVE_INFINITY, to: Number.NEGATIVE_INFINITY, points: 0, perSeries: {} };
  };
  for (;;) {
    // The earliest next point over all series; ties go to the earlier series.
    let pick = -1;
    let pickTime = Number.POSITIVE_INFINITY;
    for (let s = 0; s < series.length; s++) {
      const values = series[s]!.values;
      const i = next[s]!;
      if (i >= values.length) continue;
      const t = timeOf(values[i]!);
      const comparable = Number.isFinite(t) ? t : Number.NEGATIVE_INFINITY;
      if (pick < 0 || comparable < pickTime) {
        pick = s;
        pickTime = comparable;
      }
    }
    if (pick < 0) break;
    const { key, values } = series[pick]!;
    const point = values[next[pick]!]!;
    next[pick]! += 1;
    let list = block.values[key];
    if (!list) {
      list = [];
      block.values[key] = list;
    }
    list.push(point);
    ref.perSeries[key] = (ref.perSeries[key] ?? 0) + 1;
    ref.points += 1;
    const t = timeOf(point);
    if (Number.isFinite(t)) {
      ref.from = Math.min(ref.from, t);
      ref.to = Math.max(ref.to, t);
    }
    if (ref.points >= BLOCK_MAX_POINTS) close();
  }
  close();
  // A block whose points all lack a time still needs a span that windows can overlap.
  for (const r of refs) {
    if (!Number.isFinite(r.from)) r.from = Number.MIN_SAFE_INTEGER;
    if (!Number.isFinite(r.to)) r.to = Number.MAX_SAFE_INTEGER;
  }
  return { refs, blocks };
}

/** The stored form of a chart: its index and the value blocks of every level. */
export function splitChart(chart: Chart): SplitChart {
  const { series: seriesByKey, ...chartProps } = chart;
  const entries = Object.entries(seriesByKey ?? {});
  const indexed: IndexedSeries[] = entries.map(([key, s]) => {
    const { values, ...meta } = s;
    return { key, meta, candle: isCandle(s), points: values?.length ?? 0 };
  });
  const full = entries.map(([key, s]) => ({ key, values: s.values ?? [] }));
  const longest = Math.max(0, ...full.map((s) => s.values.length));

  const levelValues = [full];
  let previousLongest = longest;
  for (let k = 1; previousLongest > COARSEST_MAX_POINTS; k++) {
    const target = Math.ceil(longest / LEVEL_FACTOR ** k);
    const level = full.map((s, i) => ({ key: s.key, values: downsample(s.values, target, indexed[i]!.candle) }));
    const levelLongest = Math.max(0, ...level.map((s) => s.values.length));
    if (levelLongest >= previousLongest) break;
    levelValues.push(level);
    previousLongest = levelLongest;
  }

  const levels: ChartLevel[] = [];
  const blocks: ChartBlock[][] = [];
  for (const level of levelValues) {
    const cut = cutBlocks(level);
    levels.push({
      maxSeriesPoints: Math.max(0, ...level.map((s) => s.values.length)),
      points: level.reduce((sum, s) => sum + s.values.length, 0),
      blocks: cut.refs,
    });
    blocks.push(cut.blocks);
  }
  const refs = levels[0]!.blocks;
  return {
    index: {
      name: chart.name,
      chart: chartProps,
      series: indexed,
      from: refs.length ? Math.min(...refs.map((r) => r.from)) : null,
      to: refs.length ? Math.max(...refs.map((r) => r.to)) : null,
      points: levels[0]!.points,
      levels,
    },
    blocks,
  };
}

const overlaps = (ref: BlockRef, lo: number, hi: number) => ref.to >= lo && ref.from <= hi;

/** Share of a block's span inside the window (points assumed evenly spread: an estimate). */
function overlapShare(ref: BlockRef, lo: number, hi: number): number {
  if (!overlaps(ref, lo, hi)) return 0;
  const span = ref.to - ref.from;
  if (span <= 0) return 1;
  return Math.max(0, Math.min(1, (Math.min(hi, ref.to) - Math.max(lo, ref.from)) / span));
}

function windowOf(request: ChartRequest): [number, number] {
  return [request.start ?? Number.NEGATIVE_INFINITY, request.end ?? Number.POSITIVE_INFINITY];
}

/** Which level, and which of its blocks, a request reads. */
export function planRead(index: ChartIndex, request: ChartRequest): ReadPlan {
  const [lo, hi] = windowOf(request);
  let chosen = 0;
  for (let level = index.levels.length - 1; level > 0; level--) {
    const refs = index.levels[level]!.blocks;
    const inWindow = index.series.map((s) => refs.reduce((sum, r) => sum + (r.perSeries[s.key] ?? 0) * overlapShare(r, lo, hi), 0));
    if (Math.max(0, ...inWindow) >= request.count) {
      chosen = level;
      break;
    }
  }
  const refs = index.levels[chosen]?.blocks ?? [];
  const blocks = refs.flatMap((r, i) => (overlaps(r, lo, hi) ? [i] : []));
  return { level: chosen, blocks };
}

/** The wire chart (contract §4) from the blocks a plan named, in plan order. */
export function assembleChart(index: ChartIndex, blocks: ChartBlock[], request: ChartRequest): Chart {
  const [lo, hi] = windowOf(request);
  const windowed = request.start !== undefined || request.end !== undefined;
  const series: Record<string, ChartSeries> = {};
  for (const s of index.series) {
    let values = blocks.flatMap((b) => b.values[s.key] ?? []);
    if (windowed) {
      values = values.filter((p) => {
        const t = timeOf(p);
        return t >= lo && t <= hi;
      });
    }
    series[s.key] = { ...s.meta, values: downsample(values, request.count, s.candle) };
  }
  return { ...index.chart, name: index.name, series };
}
