import type { ChartPoint, LeanResults, OrderItem } from '../../core/data/results/result-model';

/**
 * The runner's own backtest report (`backtests/read/report`): one self-contained HTML page, no
 * external assets, charts as inline base64 SVG images. LEAN's report generator needs .NET and
 * Python packages the runner cannot rely on, so this is a lighter stand-in built from the results.
 */

/** Charts are drawn from at most this many points. */
export const MAX_CHART_POINTS = 1_000;
const WIDTH = 800;
const HEIGHT = 240;
const PAD = { left: 70, right: 16, top: 16, bottom: 28 };

export function escapeHtml(text: unknown): string {
  return String(text ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

export type Point = [time: number, value: number];

/** `[t, v]`, `[t, o, h, l, c]` (the close) or `{x, y}`; null values are skipped. */
function toPoint(point: ChartPoint): Point | undefined {
  if (Array.isArray(point)) {
    const t = point[0];
    const v = point.length >= 5 ? point[4] : point[1];
    return typeof t === 'number' && typeof v === 'number' ? [t, v] : undefined;
  }
  return typeof point?.x === 'number' && typeof point.y === 'number' ? [point.x, point.y] : undefined;
}

/**
 * At most `max` points: the first, the last, and each bucket's lowest and highest in time order,
 * so peaks and troughs (the drawdown's worst point) survive.
 */
export function downSample(points: Point[], max = MAX_CHART_POINTS): Point[] {
  if (points.length <= max) return points;
  const buckets = Math.floor((max - 2) / 2);
  const size = Math.ceil((points.length - 2) / buckets);
  const out: Point[] = [points[0]!];
  for (let start = 1; start < points.length - 1; start += size) {
    const end = Math.min(points.length - 1, start + size);
    let lo = start;
    let hi = start;
    for (let i = start + 1; i < end; i++) {
      if (points[i]![1] < points[lo]![1]) lo = i;
      if (points[i]![1] > points[hi]![1]) hi = i;
    }
    out.push(points[Math.min(lo, hi)]!);
    if (lo !== hi) out.push(points[Math.max(lo, hi)]!);
  }
  out.push(points[points.length - 1]!);
  return out;
}

export function equityPoints(results: LeanResults): Point[] {
  const chart = results.charts.find((c) => c.name === 'Strategy Equity');
  const values = chart?.series.Equity?.values ?? [];
  const points: Point[] = [];
  for (const value of values) {
    const point = toPoint(value);
    if (point) points.push(point);
  }
  return points;
}

/** Percentage below the running peak, from the full curve (before down-sampling, so no trough is missed). */
function drawdownPoints(equity: Point[]): Point[] {
  let peak = Number.NEGATIVE_INFINITY;
  return equity.map(([t, v]) => {
    peak = Math.max(peak, v);
    return [t, peak > 0 ? ((v - peak) / peak) * 100 : 0];
  });
}

const day = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString().slice(0, 10);
const number = (value: number, digits = 2) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** A line chart as an SVG document: the polyline, min/max labels and the first and last dates. */
export function lineChartSvg(points: Point[], options: { title: string; color: string; unit: string }): string {
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const text = (x: number, y: number, anchor: string, label: string) =>
    `<text x="${x}" y="${y}" text-anchor="${anchor}" font-family="sans-serif" font-size="11" fill="#555">${escapeHtml(label)}</text>`;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">`,
    `<title>${escapeHtml(options.title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    `<rect x="${PAD.left}" y="${PAD.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#ddd"/>`,
  ];
  if (points.length === 0) {
    parts.push(text(WIDTH / 2, HEIGHT / 2, 'middle', 'no data'));
  } else {
    const t0 = points[0]![0];
    const t1 = points[points.length - 1]![0];
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const [, v] of points) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const spanT = t1 - t0 || 1;
    const spanV = hi - lo || Math.abs(hi) || 1;
    const xy = points.map(([t, v]) => {
      const x = PAD.left + ((t - t0) / spanT) * plotW;
      const y = PAD.top + (1 - (v - lo) / spanV) * plotH;
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    });
    parts.push(`<polyline fill="none" stroke="${options.color}" stroke-width="1.5" points="${xy.join(' ')}"/>`);
    parts.push(text(PAD.left - 6, PAD.top + 10, 'end', `${number(hi)}${options.unit}`));
    parts.push(text(PAD.left - 6, PAD.top + plotH, 'end', `${number(lo)}${options.unit}`));
    parts.push(text(PAD.left, HEIGHT - 8, 'start', day(t0)));
    parts.push(text(WIDTH - PAD.right, HEIGHT - 8, 'end', day(t1)));
  }
  parts.push('</svg>');
  return parts.join('');
}

const svgImage = (svg: string, alt: string) => `<img alt="${escapeHtml(alt)}" src="data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}">`;

function table(rows: [string, string][], empty: string): string {
  if (rows.length === 0) return `<p class="empty">${escapeHtml(empty)}</p>`;
  return `<table>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`;
}

interface SymbolSummary {
  orders: number;
  buys: number;
  sells: number;
  filled: number;
  volume: number;
  fees: number;
}

function symbolOf(order: OrderItem): string {
  const symbol = order.symbol as { value?: unknown } | string | undefined;
  if (typeof symbol === 'string') return symbol;
  return typeof symbol?.value === 'string' ? symbol.value : '?';
}

/** Orders per symbol: count, direction, fills, traded value and fees from the joined events. */
export function orderSummary(orders: OrderItem[]): Map<string, SymbolSummary> {
  const bySymbol = new Map<string, SymbolSummary>();
  for (const order of orders) {
    const name = symbolOf(order);
    let row = bySymbol.get(name);
    if (!row) {
      row = { orders: 0, buys: 0, sells: 0, filled: 0, volume: 0, fees: 0 };
      bySymbol.set(name, row);
    }
    row.orders++;
    if (order.direction === 0) row.buys++;
    if (order.direction === 1) row.sells++;
    if (order.status === 3) row.filled++;
    if (typeof order.value === 'number') row.volume += Math.abs(order.value);
    for (const event of (order.events as OrderItem[] | undefined) ?? []) {
      if (typeof event.orderFeeAmount === 'number') row.fees += event.orderFeeAmount;
    }
  }
  return bySymbol;
}

function ordersTable(orders: OrderItem[]): string {
  if (orders.length === 0) return '<p class="empty">No orders.</p>';
  const rows = [...orderSummary(orders)].sort(([a], [b]) => a.localeCompare(b));
  const body = rows
    .map(
      ([name, r]) =>
        `<tr><th>${escapeHtml(name)}</th><td>${r.orders}</td><td>${r.buys}</td><td>${r.sells}</td><td>${r.filled}</td><td>${escapeHtml(number(r.volume))}</td><td>${escapeHtml(number(r.fees))}</td></tr>`,
    )
    .join('');
  return `<p>${orders.length} orders.</p><table class="orders"><tr><th>Symbol</th><th>Orders</th><th>Buy</th><th>Sell</th><th>Filled</th><th>Traded value</th><th>Fees</th></tr>${body}</table>`;
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:24px auto;max-width:860px;color:#222}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
.meta{color:#666;font-size:13px}table{border-collapse:collapse;font-size:13px}th,td{padding:3px 10px;border-bottom:1px solid #eee;text-align:left}
td{text-align:right}.columns{display:flex;gap:32px;flex-wrap:wrap}.empty{color:#888}img{max-width:100%}`;

export function buildReport(results: LeanResults, meta: { name: string; projectId: number; backtestId: string }): string {
  const { summary } = results;
  const equity = equityPoints(results);
  const drawdown = downSample(drawdownPoints(equity));
  const period = summary.backtestStart && summary.backtestEnd ? `${summary.backtestStart} to ${summary.backtestEnd}` : 'unknown period';
  const status = summary.state.Status || 'unknown';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(meta.name)} — backtest report</title><style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(meta.name)}</h1>
<p class="meta">Project ${escapeHtml(meta.projectId)} · backtest ${escapeHtml(meta.backtestId)} · ${escapeHtml(period)} · status ${escapeHtml(status)}</p>
${summary.state.RuntimeError ? `<p class="error">${escapeHtml(summary.state.RuntimeError)}</p>` : ''}
<h2>Equity</h2>
${svgImage(lineChartSvg(downSample(equity), { title: 'Equity', color: '#1f77b4', unit: '' }), 'Equity curve')}
<h2>Drawdown</h2>
${svgImage(lineChartSvg(drawdown, { title: 'Drawdown', color: '#d62728', unit: '%' }), 'Drawdown')}
<div class="columns">
<section><h2>Statistics</h2>${table(Object.entries(summary.statistics), 'No statistics.')}</section>
<section><h2>Runtime statistics</h2>${table(Object.entries(summary.runtimeStatistics), 'No runtime statistics.')}</section>
</div>
<h2>Orders</h2>
${ordersTable(results.orders)}
</body></html>
`;
}
