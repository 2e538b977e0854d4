import type { Chart, ChartPoint, InsightItem, LeanResults, OrderItem } from '../../core/data/results/result-model';

/**
 * LEAN results of any size, built in memory in the shapes of contract §4 (an order with its
 * events, an insight, line and candle chart series), for the result store's tests and benchmark.
 * Values are derived from the index, so a test can tell which item it got back.
 */
export const SYNTHETIC_T0 = 1_577_836_800; // 2020-01-01 00:00:00 UTC
const MINUTE = 60;

export function syntheticOrder(id: number, algorithmId = 'a'.repeat(32)): OrderItem {
  const time = SYNTHETIC_T0 + id * MINUTE;
  const iso = new Date(time * 1000).toISOString().replace('.000Z', 'Z');
  const buy = id % 2 === 1;
  const event = (n: number, status: string, fillQuantity: number) => ({
    id: `${algorithmId}-${id}-${n}`,
    algorithmId,
    orderId: id,
    orderEventId: n,
    symbol: 'SPY R735QTJ8XC9X',
    symbolValue: 'SPY',
    symbolPermtick: 'SPY',
    time,
    status,
    fillPrice: status === 'filled' ? 100 + (id % 50) : 0,
    fillPriceCurrency: 'USD',
    fillQuantity,
    direction: buy ? 'buy' : 'sell',
    message: null,
    isAssignment: false,
    quantity: buy ? 10 : -10,
  });
  return {
    type: 0,
    id,
    contingentId: 0,
    brokerId: [String(id)],
    symbol: { value: 'SPY', id: 'SPY R735QTJ8XC9X', permtick: 'SPY' },
    price: 100 + (id % 50),
    priceCurrency: 'USD',
    time: iso,
    createdTime: iso,
    lastFillTime: iso,
    quantity: buy ? 10 : -10,
    status: 3,
    tag: `order ${id}`,
    properties: { timeInForce: {} },
    securityType: 1,
    direction: buy ? 0 : 1,
    value: (buy ? 10 : -10) * (100 + (id % 50)),
    orderSubmissionData: { bidPrice: 99.99, askPrice: 100.01, lastPrice: 100 },
    isMarketable: true,
    priceAdjustmentMode: 1,
    events: [event(1, 'submitted', 0), event(2, 'filled', buy ? 10 : -10)],
  };
}

export function syntheticInsight(i: number): InsightItem {
  const generatedTime = SYNTHETIC_T0 + i * MINUTE;
  return {
    id: i.toString(16).padStart(32, '0'),
    groupId: null,
    sourceModel: 'synthetic',
    generatedTime,
    closeTime: generatedTime + 3600,
    symbol: 'SPY R735QTJ8XC9X',
    ticker: 'SPY',
    type: 'price',
    reference: 100,
    referenceFinal: 101,
    direction: i % 3 === 0 ? 'down' : 'up',
    period: 3600,
    magnitude: null,
    confidence: null,
    weight: null,
    scoreFinal: false,
    scoreDirection: 0,
    scoreMagnitude: 0,
    estimatedValue: 0,
    tag: `insight ${i}`,
  };
}

/** "Strategy Equity": an equity candle series and a return line, `points` each, a point per minute. */
export function syntheticEquityChart(points: number): Chart {
  const equity: ChartPoint[] = [];
  const ret: ChartPoint[] = [];
  for (let i = 0; i < points; i++) {
    const t = SYNTHETIC_T0 + i * MINUTE;
    const open = 100_000 + i;
    equity.push([t, open, open + 5 + (i % 7), open - 3 - (i % 5), open + 1]);
    ret.push([t, i / 100]);
  }
  return {
    name: 'Strategy Equity',
    chartType: 0,
    series: {
      Equity: { name: 'Equity', unit: '$', index: 0, seriesType: 2, color: '', scatterMarkerSymbol: 'none', values: equity },
      Return: { name: 'Return', unit: '%', index: 1, seriesType: 0, color: '', scatterMarkerSymbol: 'none', values: ret },
    },
  };
}

/** A backtest with `orders` orders, `insights` insights and charts of `points` points per series. */
export function syntheticResults(sizes: { orders: number; insights: number; points: number }): LeanResults {
  const benchmark: Chart = {
    name: 'Benchmark',
    chartType: 0,
    series: {
      Benchmark: {
        name: 'Benchmark',
        unit: '$',
        index: 0,
        seriesType: 0,
        color: '',
        scatterMarkerSymbol: 'none',
        values: Array.from({ length: sizes.points }, (_, i) => ({ x: SYNTHETIC_T0 + i * MINUTE, y: i % 10 === 0 ? null : 400 + i / 1000 })),
      },
    },
  };
  return {
    summary: {
      statistics: { 'Total Orders': String(sizes.orders), 'Net Profit': '1.5%' },
      runtimeStatistics: { Equity: '$101,500.00' },
      totalPerformance: null,
      rollingWindow: {},
      state: { Status: 'Completed', RuntimeError: '', StackTrace: '' },
      backtestStart: '2020-01-01 00:00:00',
      backtestEnd: '2020-02-01 00:00:00',
    },
    charts: [syntheticEquityChart(sizes.points), benchmark],
    orders: Array.from({ length: sizes.orders }, (_, i) => syntheticOrder(i + 1)),
    insights: Array.from({ length: sizes.insights }, (_, i) => syntheticInsight(i)),
    algorithmLog: '2020-01-01 00:00:00 Launching analysis\n2020-02-01 00:00:00 Algorithm completed\n',
  };
}
