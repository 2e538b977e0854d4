import {
  assembleChart,
  BLOCK_MAX_POINTS,
  type ChartIndex,
  type ChartRequest,
  COARSEST_MAX_POINTS,
  downsample,
  planRead,
  type SplitChart,
  splitChart,
  timeOf,
} from '../../core/data/results/chart-levels';
import type { Chart, ChartPoint, ChartSeries } from '../../core/data/results/result-model';

/** Charts stored as levels of time blocks, and reads that touch O(count) points. */
const T0 = 1_600_000_000;
const HOUR = 3600;

function series(name: string, values: ChartPoint[], seriesType = 0): ChartSeries {
  return { name, unit: '$', index: 0, seriesType, color: '', scatterMarkerSymbol: 'none', values };
}

const line = (n: number, from = T0, step = HOUR): ChartPoint[] =>
  Array.from({ length: n }, (_, i) => [from + i * step, 100 + Math.sin(i / 50) * 10 + i / 1000]);

const candles = (n: number): ChartPoint[] =>
  Array.from({ length: n }, (_, i) => {
    const open = 100 + (i % 17);
    return [T0 + i * HOUR, open, open + 5 + (i % 7), open - 3 - (i % 5), open + 1];
  });

/** Reads a request the way the result store does: plan, fetch the named blocks, assemble. */
function read(split: SplitChart, request: ChartRequest): { chart: Chart; pointsRead: number } {
  const plan = planRead(split.index, request);
  const blocks = plan.blocks.map((b) => split.blocks[plan.level]![b]!);
  const pointsRead = plan.blocks.reduce((sum, b) => sum + split.index.levels[plan.level]!.blocks[b]!.points, 0);
  return { chart: assembleChart(split.index, blocks, request), pointsRead };
}

const times = (values: ChartPoint[]) => values.map(timeOf);

describe('downsample', () => {
  test('keeps at most max points, with the first and last, in time order', () => {
    const values = line(10_000);
    const out = downsample(values, 100, false);
    expect(out.length).toBeLessThanOrEqual(100);
    expect(out.length).toBeGreaterThan(90);
    expect(out[0]).toBe(values[0]);
    expect(out.at(-1)).toBe(values.at(-1));
    const ts = times(out);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    // Every kept point is one of the originals (last of its bucket), never an invented value.
    const originals = new Set(values);
    expect(out.every((p) => originals.has(p))).toBe(true);
  });

  test('returns values within max unchanged (the same array)', () => {
    const values = line(50);
    expect(downsample(values, 50, false)).toBe(values);
    expect(downsample(values, 1000, false)).toBe(values);
  });

  test('handles {x, y} points with null y', () => {
    const values: ChartPoint[] = Array.from({ length: 1000 }, (_, i) => ({ x: T0 + i, y: i % 3 === 0 ? null : i }));
    const out = downsample(values, 10, false);
    expect(out.length).toBeLessThanOrEqual(10);
    expect(out[0]).toEqual({ x: T0, y: null });
    expect(out.at(-1)).toEqual({ x: T0 + 999, y: null });
  });

  test('aggregates candles: open of the first, highest high, lowest low, close of the last', () => {
    const values = candles(1001);
    const out = downsample(values, 11, true);
    expect(out.length).toBe(11);
    expect(out[0]).toBe(values[0]);
    // The rest is 1000 candles in 10 buckets of 100 hours each.
    for (let b = 0; b < 10; b++) {
      const group = values.slice(1 + b * 100, 1 + (b + 1) * 100) as number[][];
      const merged = out[b + 1] as number[];
      expect(merged).toEqual([group.at(-1)![0], group[0]![1], Math.max(...group.map((c) => c[2]!)), Math.min(...group.map((c) => c[3]!)), group.at(-1)![4]]);
    }
    expect(timeOf(out.at(-1)!)).toBe(timeOf(values.at(-1)!));
  });

  test('max 1 keeps the last point, or one candle of everything', () => {
    expect(downsample(line(5), 1, false)).toEqual([line(5)[4]]);
    const all = candles(5) as number[][];
    expect(downsample(candles(5), 1, true)).toEqual([
      [all[4]![0], all[0]![1], Math.max(...all.map((c) => c[2]!)), Math.min(...all.map((c) => c[3]!)), all[4]![4]],
    ]);
  });
});

describe('splitChart', () => {
  const big: Chart = {
    name: 'Strategy Equity',
    chartType: 0,
    legendDisabled: false,
    series: {
      Equity: series('Equity', candles(50_000), 2),
      Return: series('Return', line(25_000, T0, 2 * HOUR)),
      Empty: series('Empty', []),
    },
  };
  const split = splitChart(big);

  test('level 0 holds every point; each coarser level ~4× fewer, the coarsest ≤ 200 per series', () => {
    const { levels } = split.index;
    expect(levels[0]!.points).toBe(75_000);
    expect(split.index.points).toBe(75_000);
    expect(levels.length).toBeGreaterThanOrEqual(4);
    for (let l = 1; l < levels.length; l++) {
      const ratio = levels[l - 1]!.maxSeriesPoints / levels[l]!.maxSeriesPoints;
      expect(ratio).toBeGreaterThan(3);
      expect(ratio).toBeLessThan(5);
    }
    expect(levels.at(-1)!.maxSeriesPoints).toBeLessThanOrEqual(COARSEST_MAX_POINTS);
    expect(levels.at(-2)!.maxSeriesPoints).toBeGreaterThan(COARSEST_MAX_POINTS);
  });

  test('blocks hold ≤ 2,000 points, cover their stated time span, and add up to the level', () => {
    split.index.levels.forEach((level, l) => {
      const blocks = split.blocks[l]!;
      expect(blocks).toHaveLength(level.blocks.length);
      let total = 0;
      level.blocks.forEach((ref, b) => {
        expect(ref.points).toBeLessThanOrEqual(BLOCK_MAX_POINTS);
        const ts = times(Object.values(blocks[b]!.values).flat());
        expect(ts).toHaveLength(ref.points);
        expect(ts.reduce((a, t) => Math.min(a, t))).toBe(ref.from);
        expect(ts.reduce((a, t) => Math.max(a, t))).toBe(ref.to);
        total += ref.points;
      });
      expect(total).toBe(level.points);
    });
  });

  test('the index keeps chart and series properties, but no values', () => {
    const index: ChartIndex = JSON.parse(JSON.stringify(split.index));
    expect(index.chart).toEqual({ name: 'Strategy Equity', chartType: 0, legendDisabled: false });
    expect(index.series.map((s) => s.key)).toEqual(['Equity', 'Return', 'Empty']);
    expect(index.series[0]!.meta).toEqual({ name: 'Equity', unit: '$', index: 0, seriesType: 2, color: '', scatterMarkerSymbol: 'none' });
    expect(index.series[0]!.candle).toBe(true);
    expect(index.from).toBe(T0);
    expect(index.to).toBe(T0 + 49_999 * HOUR);
    // Small enough to read on every request.
    expect(JSON.stringify(index).length).toBeLessThan(30_000);
  });

  test('a chart read whole with count ≥ all points returns every point unchanged', () => {
    const { chart } = read(split, { count: 50_000 });
    expect(chart.name).toBe('Strategy Equity');
    expect(chart.chartType).toBe(0);
    expect(chart.legendDisabled).toBe(false);
    expect(chart.series.Equity!.values).toEqual(big.series.Equity!.values);
    expect(chart.series.Return!.values).toEqual(big.series.Return!.values);
    expect(chart.series.Empty!.values).toEqual([]);
    expect(chart.series.Equity!.seriesType).toBe(2);
  });

  test('count 100 reads one coarse block, keeps first and last times, ≤ 100 points per series', () => {
    const { chart, pointsRead } = read(split, { count: 100 });
    for (const key of ['Equity', 'Return'] as const) {
      const values = chart.series[key]!.values;
      expect(values.length).toBeLessThanOrEqual(100);
      expect(values.length).toBeGreaterThan(50);
      expect(timeOf(values[0]!)).toBe(timeOf(big.series[key]!.values[0]!));
      expect(timeOf(values.at(-1)!)).toBe(timeOf(big.series[key]!.values.at(-1)!));
    }
    expect(pointsRead).toBeLessThanOrEqual(4 * 100 * 2 + 2 * BLOCK_MAX_POINTS);
    // Candles stay candles after down-sampling: high ≥ open, close and low ≤ them.
    for (const c of chart.series.Equity!.values as number[][]) {
      expect(c).toHaveLength(5);
      expect(c[2]!).toBeGreaterThanOrEqual(Math.max(c[1]!, c[4]!));
      expect(c[3]!).toBeLessThanOrEqual(Math.min(c[1]!, c[4]!));
    }
  });

  test('the points read stay O(count) for any count and window', () => {
    const span = 49_999 * HOUR;
    for (const count of [10, 100, 500, 2_000, 10_000]) {
      for (const [a, b] of [
        [0, 1],
        [0.5, 0.6],
        [0.9, 0.901],
        [0.25, 0.75],
      ] as const) {
        const request = { count, start: Math.floor(T0 + a * span), end: Math.floor(T0 + b * span) };
        const { chart, pointsRead } = read(split, request);
        expect(pointsRead).toBeLessThanOrEqual(4 * 2 * count + 2 * BLOCK_MAX_POINTS);
        for (const s of Object.values(chart.series)) expect(s.values.length).toBeLessThanOrEqual(count);
      }
    }
  });

  test('a window returns only points inside it, at full resolution when count allows', () => {
    const start = T0 + 1_000 * HOUR;
    const end = T0 + 1_049 * HOUR;
    const { chart } = read(split, { count: 100, start, end });
    const expected = (big.series.Equity!.values as number[][]).filter((p) => p[0]! >= start && p[0]! <= end);
    expect(expected).toHaveLength(50);
    expect(chart.series.Equity!.values).toEqual(expected);
    for (const t of times(chart.series.Return!.values)) {
      expect(t).toBeGreaterThanOrEqual(start);
      expect(t).toBeLessThanOrEqual(end);
    }
    expect(chart.series.Return!.values).toHaveLength(25);
  });

  test('a window in the middle of a big chart down-samples to count with its own first and last points', () => {
    const start = T0 + 10_000 * HOUR;
    const end = T0 + 30_000 * HOUR;
    const { chart } = read(split, { count: 100, start, end });
    const values = chart.series.Return!.values;
    expect(values.length).toBeLessThanOrEqual(100);
    expect(values.length).toBeGreaterThan(50);
    // Read from a coarse level: the edges are as close as one output bucket, never outside.
    const bucket = (end - start) / 99;
    expect(timeOf(values[0]!)).toBeGreaterThanOrEqual(start);
    expect(timeOf(values[0]!)).toBeLessThan(start + bucket);
    expect(timeOf(values.at(-1)!)).toBeLessThanOrEqual(end);
    expect(timeOf(values.at(-1)!)).toBeGreaterThan(end - bucket);
  });

  test('a window with no points, and an open-ended window', () => {
    expect(read(split, { count: 100, start: T0 - 10 * HOUR, end: T0 - HOUR }).chart.series.Equity!.values).toEqual([]);
    const tail = read(split, { count: 1_000, start: T0 + 49_990 * HOUR }).chart.series.Equity!.values;
    expect(times(tail)).toEqual(Array.from({ length: 10 }, (_, i) => T0 + (49_990 + i) * HOUR));
  });
});

describe('small and empty charts', () => {
  test('a 100-point chart has a single level and block', () => {
    const split = splitChart({ name: 'Benchmark', chartType: 0, series: { Benchmark: series('Benchmark', line(100)) } });
    expect(split.index.levels).toHaveLength(1);
    expect(split.index.levels[0]!.blocks).toHaveLength(1);
    expect(read(split, { count: 100 }).chart.series.Benchmark!.values).toEqual(line(100));
    expect(read(split, { count: 10 }).chart.series.Benchmark!.values.length).toBeLessThanOrEqual(10);
  });

  test('a chart without points reads as its series with empty values', () => {
    const split = splitChart({ name: 'Nothing', series: { A: series('A', []) } });
    expect(split.index.from).toBeNull();
    expect(read(split, { count: 100 }).chart).toEqual({ name: 'Nothing', series: { A: series('A', []) } });
  });
});
