import { readFileSync } from 'node:fs';
import { objectiveOf, objectivePortfolioStatistics, objectiveStatistics } from './objective.mjs';

/**
 * The synthetic backtest the fake LEAN reports: an equity curve, orders with their events, closed
 * trades and insights, all generated on demand from the index (deterministic per algorithm id) so
 * that the `huge` scenario can stream 100,000 orders without holding them. Shapes are the real
 * ones, filled from templates trimmed from a real run (test/fixtures/lean/templates.json).
 */

export const templates = JSON.parse(readFileSync(new URL('../../fixtures/lean/templates.json', import.meta.url), 'utf8'));

/** The algorithm's period in its own time zone (New York; January, so UTC-5 throughout). */
const START_WALL = Date.UTC(2023, 0, 1) / 1000;
const STOP_WALL = Date.UTC(2023, 0, 31, 23, 59, 59) / 1000;
const ZONE_OFFSET = 5 * 3600;
const START_EQUITY = 100_000;
const FEE = 1.24;
const QUANTITY = 248;

/** mulberry32: small, fast, seedable. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hash(text) {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

const round = (value, digits) => Math.round(value * 10 ** digits) / 10 ** digits;
const isoSeconds = (unixSeconds) => `${new Date(unixSeconds * 1000).toISOString().slice(0, 19)}Z`;
const money = (value) => `$${Math.abs(value).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

export function createBacktest(settings) {
  const algorithmId = settings.algorithmId;
  const seed = hash(algorithmId);
  const startInstant = START_WALL + ZONE_OFFSET;
  const span = STOP_WALL - START_WALL;
  const points = settings.chartPoints;
  const orderCount = settings.orders;
  const insightCount = settings.insights;

  // One walk for the equity candles; order prices come from a second, index-addressed one.
  const next = random(seed);
  const closes = new Float64Array(points);
  let equity = START_EQUITY;
  for (let i = 0; i < points; i++) {
    if (i > 0) equity *= 1 + (next() - 0.5) * 0.004;
    closes[i] = round(equity, 2);
  }
  const pointTime = (i) => startInstant + Math.floor((i * span) / points);
  const priceAt = (i) => round(380 + 20 * Math.sin(i / 997) + random(seed ^ i)() * 2, 2);
  const orderTime = (id) => startInstant + Math.floor(((id - 0.5) * span) / Math.max(1, orderCount));
  const objective = objectiveOf(settings.optimum, settings.parameters);

  const model = {
    algorithmId,
    startWall: START_WALL,
    stopWall: STOP_WALL,
    startInstant,
    /** Algorithm wall-clock time (encoded as UTC) at a fraction of the run. */
    wallAt: (fraction) => START_WALL + Math.floor(fraction * span),
    pointsAt: (fraction) => Math.min(points, Math.ceil(fraction * points)),
    ordersAt: (fraction) => Math.min(orderCount, Math.floor(fraction * orderCount + 0.5)),
    insightsAt: (fraction) => Math.min(insightCount, Math.floor(fraction * insightCount + 0.5)),
    equityAt: (pointCount) => (pointCount > 0 ? closes[pointCount - 1] : START_EQUITY),

    charts(pointCount) {
      const candles = new Array(pointCount);
      const returns = new Array(pointCount);
      const drawdown = new Array(pointCount);
      const benchmark = new Array(pointCount);
      let peak = START_EQUITY;
      for (let i = 0; i < pointCount; i++) {
        const t = pointTime(i);
        const close = closes[i];
        const open = i > 0 ? closes[i - 1] : close;
        const wick = i > 0 ? 0.0005 : 0; // the first sample is flat, as in LEAN
        candles[i] = [t, open, round(Math.max(open, close) * (1 + wick), 2), round(Math.min(open, close) * (1 - wick), 2), close];
        returns[i] = [t, round(((close - open) / open) * 100, 4)];
        peak = Math.max(peak, close);
        drawdown[i] = [t, round(((close - peak) / peak) * 100, 2)];
        benchmark[i] = [t, priceAt(i)];
      }
      const line = (name, unit, index, seriesType, values) => ({ ...templates.chartSeries, name, unit, index, seriesType, values });
      return {
        'Strategy Equity': {
          name: 'Strategy Equity',
          chartType: 0,
          series: { Equity: { ...templates.equitySeries, values: candles }, Return: line('Return', '%', 1, 3, returns) },
        },
        Drawdown: { name: 'Drawdown', chartType: 0, series: { 'Equity Drawdown': line('Equity Drawdown', '%', 0, 0, drawdown) } },
        Benchmark: { name: 'Benchmark', chartType: 0, series: { Benchmark: line('Benchmark', '$', 0, 0, benchmark) } },
      };
    },

    /** Order `id` (1-based) as `<id>.json` holds it: no events. Odd ids buy, even ids sell back. */
    order(id) {
      const buy = id % 2 === 1;
      const price = priceAt(id);
      const time = isoSeconds(orderTime(id));
      const quantity = buy ? QUANTITY : -QUANTITY;
      return {
        ...templates.order,
        id,
        brokerId: [String(id)],
        price,
        time,
        createdTime: time,
        lastFillTime: time,
        quantity,
        status: 3,
        tag: buy ? '' : 'Liquidated',
        direction: buy ? 0 : 1,
        value: round(price * quantity, 2),
        orderSubmissionData: { bidPrice: round(price - 0.02, 2), askPrice: price, lastPrice: round(price - 0.01, 2) },
      };
    },

    /** The order's events as `<id>-order-events.json` holds them: submitted, then filled. */
    events(id) {
      const buy = id % 2 === 1;
      const price = priceAt(id);
      const time = orderTime(id);
      const quantity = buy ? QUANTITY : -QUANTITY;
      const common = { algorithmId, orderId: id, time, direction: buy ? 'buy' : 'sell', quantity };
      return [
        { ...templates.submittedEvent, ...common, id: `${algorithmId}-${id}-1`, orderEventId: 1 },
        {
          ...templates.filledEvent,
          ...common,
          id: `${algorithmId}-${id}-2`,
          orderEventId: 2,
          orderFeeAmount: FEE,
          fillPrice: price,
          fillQuantity: quantity,
        },
      ];
    },

    /** Closed trade `k` (1-based): bought by order 2k-1, sold by order 2k. */
    closedTrade(k) {
      const entry = 2 * k - 1;
      const exit = 2 * k;
      const entryPrice = priceAt(entry);
      const exitPrice = priceAt(exit);
      const profitLoss = round((exitPrice - entryPrice) * QUANTITY, 2);
      const seconds = orderTime(exit) - orderTime(entry);
      const hh = String(Math.floor(seconds / 3600) % 24).padStart(2, '0');
      const mm = String(Math.floor(seconds / 60) % 60).padStart(2, '0');
      const ss = String(seconds % 60).padStart(2, '0');
      const days = Math.floor(seconds / 86400);
      return {
        ...templates.closedTrade,
        entryTime: isoSeconds(orderTime(entry)),
        entryPrice,
        exitTime: isoSeconds(orderTime(exit)),
        exitPrice,
        profitLoss,
        totalFees: 2 * FEE,
        mae: Math.min(0, profitLoss),
        mfe: Math.max(0, profitLoss),
        duration: `${days > 0 ? `${days}.` : ''}${hh}:${mm}:${ss}`,
        isWin: profitLoss > 0,
        orderIds: [entry, exit],
      };
    },

    insight(k) {
      const generatedTime = startInstant + Math.floor(((k - 0.5) * span) / Math.max(1, insightCount));
      const reference = priceAt(k * 7);
      return {
        ...templates.insight,
        id: (hash(`${algorithmId}-insight-${k}`).toString(16) + seed.toString(16)).padStart(32, '0').slice(0, 32),
        generatedTime,
        closeTime: generatedTime + templates.insight.period,
        reference,
        referenceFinal: priceAt(k * 7 + 1),
        direction: k % 2 === 1 ? 'up' : 'down',
      };
    },

    /** `statistics` (QC display strings) after `orders` orders with the equity at `endEquity`. */
    statistics(orders, endEquity) {
      const net = (endEquity - START_EQUITY) / START_EQUITY;
      return {
        ...templates.statistics,
        'Total Orders': String(orders),
        'Start Equity': String(START_EQUITY),
        'End Equity': String(endEquity),
        'Net Profit': `${round(net * 100, 3).toFixed(3)}%`,
        'Total Fees': money(orders * FEE),
        ...objectiveStatistics(objective),
      };
    },

    /** `totalPerformance.portfolioStatistics` (LEAN's decimals, as strings). */
    portfolioStatistics() {
      return { ...templates.portfolioStatistics, ...objectivePortfolioStatistics(objective) };
    },

    runtimeStatistics(orders, endEquity) {
      const net = endEquity - START_EQUITY;
      return {
        ...templates.runtimeStatistics,
        Equity: money(endEquity),
        Fees: `-${money(orders * FEE)}`,
        'Net Profit': `$${net < 0 ? '-' : ''}${money(net).slice(1)}`,
        Return: `${((net / START_EQUITY) * 100).toFixed(2)} %`,
      };
    },

    algorithmConfiguration() {
      return {
        ...templates.algorithmConfiguration,
        name: settings.backtestName,
        parameters: settings.parameters,
        startDate: isoSeconds(START_WALL),
        endDate: isoSeconds(STOP_WALL),
      };
    },
  };
  return model;
}
