import type { LeanResults } from '../../core/data/results/result-model';
import { buildReport, downSample, escapeHtml, MAX_CHART_POINTS, type Point } from '../../runner/lean/fallback-report';

/** The runner's HTML report: self-contained, escaped, charts as decodable inline SVG. */

const DAY = 86_400;
const T0 = Date.UTC(2023, 0, 2, 5) / 1000;

function results(points: number, overrides: Partial<LeanResults['summary']> = {}): LeanResults {
  // Rises to 120,000, falls 25 % to 90,000 at the middle, recovers to 110,000.
  const half = Math.floor(points / 2);
  const values = Array.from({ length: points }, (_, i) => {
    const v =
      i < half / 2
        ? 100_000 + (20_000 * i) / (half / 2)
        : i <= half
          ? 120_000 - (30_000 * (i - half / 2)) / (half / 2)
          : 90_000 + (20_000 * (i - half)) / (points - half);
    return [T0 + i * DAY, v, v, v, v];
  });
  return {
    summary: {
      statistics: { 'Sharpe Ratio': '1.234', 'Net Profit': '10.000%', '<b>odd</b> name': 'x & y' },
      runtimeStatistics: { Equity: '$110,000.00', Fees: '-$12.40' },
      totalPerformance: null,
      rollingWindow: {},
      state: { Status: 'Completed', RuntimeError: '' },
      backtestStart: '2023-01-02 00:00:00',
      backtestEnd: '2023-12-29 23:59:59',
      ...overrides,
    },
    charts: [
      { name: 'Strategy Equity', series: { Equity: { name: 'Equity', unit: '$', index: 0, seriesType: 2, color: '', scatterMarkerSymbol: 'none', values } } },
    ],
    orders: [
      {
        id: 1,
        symbol: { value: 'SPY', id: 'SPY R735QTJ8XC9X' },
        direction: 0,
        status: 3,
        value: 38_000,
        events: [{ orderFeeAmount: 1.24 }, { orderFeeAmount: 1 }],
      },
      { id: 2, symbol: { value: 'SPY', id: 'SPY R735QTJ8XC9X' }, direction: 1, status: 3, value: -38_500, events: [{ orderFeeAmount: 1.24 }] },
      { id: 3, symbol: { value: '<AAPL>', id: 'AAPL R735QTJ8XC9X' }, direction: 0, status: 5, value: 1_000, events: [] },
    ],
    insights: [],
    algorithmLog: '',
  };
}

const images = (html: string) =>
  [...html.matchAll(/<img alt="[^"]*" src="data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)">/g)].map((m) => Buffer.from(m[1]!, 'base64').toString('utf8'));
const polylinePoints = (svg: string) => /<polyline [^>]*points="([^"]*)"/.exec(svg)![1]!.split(' ');

test('title, period, statistics and runtime statistics', () => {
  const html = buildReport(results(300), { name: 'Smooth Tan Lion', projectId: 17, backtestId: 'abc123' });
  expect(html).toMatch(/^<!DOCTYPE html>/);
  expect(html).toContain('<title>Smooth Tan Lion — backtest report</title>');
  expect(html).toContain('Project 17 · backtest abc123 · 2023-01-02 00:00:00 to 2023-12-29 23:59:59 · status Completed');
  expect(html).toContain('<tr><th>Sharpe Ratio</th><td>1.234</td></tr>');
  expect(html).toContain('<tr><th>Fees</th><td>-$12.40</td></tr>');
  expect(html).toContain('<tr><th>&lt;b&gt;odd&lt;/b&gt; name</th><td>x &amp; y</td></tr>');
});

test('no external assets: every src is a data URI, no link or script tags', () => {
  const html = buildReport(results(300), { name: 'n', projectId: 1, backtestId: 'b' });
  expect([...html.matchAll(/\ssrc="([^"]*)"/g)].every((m) => m[1]!.startsWith('data:'))).toBe(true);
  expect(html).not.toMatch(/<link|<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
});

test('equity and drawdown as decodable SVG, down-sampled to at most 1,000 points', () => {
  const html = buildReport(results(5_000), { name: 'n', projectId: 1, backtestId: 'b' });
  const [equity, drawdown] = images(html);
  expect(equity).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  expect(equity).toContain('<title>Equity</title>');
  const points = polylinePoints(equity!);
  expect(points.length).toBeLessThanOrEqual(MAX_CHART_POINTS);
  expect(points.length).toBeGreaterThan(500);
  expect(equity).toContain('>120,000.00<');
  expect(equity).toContain('>90,000.00<');
  expect(drawdown).toContain('<title>Drawdown</title>');
  expect(polylinePoints(drawdown!).length).toBeLessThanOrEqual(MAX_CHART_POINTS);
  // The trough (90,000 after a 120,000 peak) survives down-sampling.
  expect(drawdown).toContain('>-25.00%<');
  expect(drawdown).toContain('>0.00%<');
});

test('orders summarised per symbol, names escaped', () => {
  const html = buildReport(results(10), { name: 'n', projectId: 1, backtestId: 'b' });
  expect(html).toContain('<p>3 orders.</p>');
  expect(html).toContain('<tr><th>SPY</th><td>2</td><td>1</td><td>1</td><td>2</td><td>76,500.00</td><td>3.48</td></tr>');
  expect(html).toContain('<tr><th>&lt;AAPL&gt;</th><td>1</td><td>1</td><td>0</td><td>0</td><td>1,000.00</td><td>0.00</td></tr>');
});

test('script in the backtest name or the runtime error is escaped', () => {
  const html = buildReport(results(10, { state: { Status: 'RuntimeError', RuntimeError: '<img src=x onerror=alert(1)>' } }), {
    name: '<script>alert("x")</script>',
    projectId: 1,
    backtestId: 'b',
  });
  expect(html).not.toContain('<script>');
  expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  expect(html).not.toContain('<img src=x');
  expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
});

test('no equity chart: placeholders instead of images that fail', () => {
  const empty = { ...results(10), charts: [], orders: [] };
  const html = buildReport(empty, { name: 'n', projectId: 1, backtestId: 'b' });
  const svgs = images(html);
  expect(svgs).toHaveLength(2);
  for (const svg of svgs) expect(svg).toContain('>no data<');
  expect(html).toContain('No orders.');
});

test('downSample keeps the first and last points and every extreme', () => {
  const input: Point[] = Array.from({ length: 2_345 }, (_, i) => [i, Math.sin(i / 10) * (i === 1_234 ? 5 : 1)]);
  const out = downSample(input);
  expect(out.length).toBeLessThanOrEqual(MAX_CHART_POINTS);
  expect(out[0]).toEqual(input[0]);
  expect(out[out.length - 1]).toEqual(input[2_344]);
  expect(out.map(([t]) => t)).toEqual([...out.map(([t]) => t)].sort((a, b) => a - b));
  expect(Math.min(...out.map(([, v]) => v))).toBe(Math.min(...input.map(([, v]) => v)));
  expect(Math.max(...out.map(([, v]) => v))).toBe(Math.max(...input.map(([, v]) => v)));
  const few: Point[] = [
    [1, 1],
    [2, 2],
  ];
  expect(downSample(few)).toBe(few);
});

test('escapeHtml', () => {
  expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});
