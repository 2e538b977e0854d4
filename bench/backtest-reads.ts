import { randomBytes } from 'node:crypto';
import { SYNTHETIC_T0, syntheticResults } from '../test/support/synthetic-results';
import { qcHeaders, startBenchServer } from './local-server';
import { percentile } from './timing';

/**
 * Backtest result reads against backtest size (design §7: results are pre-split, so every read is
 * O(page)). A local server (DynamoDB Local and the S3 emulator included); a 100,000-order /
 * 50,000-point backtest and a 100-order / 100-point one written through the result store; then
 * SEQUENTIAL calls of each backtests/orders/read and backtests/chart/read case over HTTP, one at a
 * time, big and small alternately. Prints p50/p99 per case and the big/small ratio against the 1.5 target; asserts nothing.
 */
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 300);
const TARGET_RATIO = 1.5;
const MINUTE = 60; // the synthetic charts have one point per minute
const BIG = { orders: 100_000, insights: 1_000, points: 50_000 };
const SMALL = { orders: 100, insights: 100, points: 100 };

type Timing = { p50: number; p99: number };

/**
 * Times `a` and `b` alternately, n calls each, so that warm-up and machine noise drift over the
 * run affect both sides alike (the ratio is what matters here).
 */
async function timeAlternately(n: number, a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<[Timing, Timing]> {
  const samples: [number[], number[]] = [[], []];
  for (let i = 0; i < n; i++) {
    for (const [side, run] of [a, b].entries()) {
      const start = process.hrtime.bigint();
      await run();
      samples[side]!.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  return samples.map((s) => {
    s.sort((x, y) => x - y);
    return { p50: percentile(s, 50), p99: percentile(s, 99) };
  }) as [Timing, Timing];
}

export async function runBacktestReads(): Promise<void> {
  const bench = await startBenchServer('results');
  const { server, admin } = bench;
  try {
    const { resultStore } = await import('../core/data/results/result-store');
    const { backtestRepository } = await import('../core/data/backtests/backtest-repository');
    const { newBacktest } = await import('../core/domain/backtests/backtest-lifecycle');

    const headers = { ...qcHeaders(admin), 'content-type': 'application/json' };
    const post = async (endpoint: string, body: Record<string, unknown>) => {
      const answer = (await (await fetch(`${server.apiUrl}${endpoint}`, { method: 'POST', headers, body: JSON.stringify(body) })).json()) as Record<
        string,
        unknown
      >;
      if (answer.success !== true) throw new Error(`${endpoint} failed: ${JSON.stringify(answer).slice(0, 500)}`);
      return answer;
    };

    const created = await post('projects/create', {
      name: `bench-results-${randomBytes(3).toString('hex')}`,
      language: 'Py',
      organizationId: admin.organizationId,
    });
    const projectId = (created.projects as { projectId: number }[])[0]!.projectId;
    const store = async (sizes: typeof BIG) => {
      const backtestId = randomBytes(16).toString('hex');
      const started = process.hrtime.bigint();
      const written = await resultStore.writeResults(projectId, backtestId, syntheticResults(sizes));
      const writeMs = Number(process.hrtime.bigint() - started) / 1e6;
      await backtestRepository.put(
        newBacktest({
          backtestId,
          projectId,
          orgId: admin.organizationId,
          userId: admin.userId,
          compileId: `${'0'.repeat(32)}-${'1'.repeat(32)}`,
          name: `bench ${sizes.orders} orders`,
          phase: 'completed',
          progress: 1,
          resultsReady: true,
          ...written,
        }),
      );
      return { backtestId, writeMs };
    };
    const big = await store(BIG);
    const small = await store(SMALL);
    console.log(
      `\nwrote ${BIG.orders} orders / ${BIG.points} points per series in ${(big.writeMs / 1000).toFixed(1)} s; small backtest in ${small.writeMs.toFixed(0)} ms`,
    );

    const orders = (backtestId: string, start: number) => () => post('backtests/orders/read', { projectId, backtestId, start, end: start + 100 });
    const chart = (backtestId: string, extra: Record<string, number>) => () =>
      post('backtests/chart/read', { projectId, backtestId, name: 'Strategy Equity', ...extra });
    // The middle fifth of each backtest's time range.
    const middle = (points: number) => ({ start: SYNTHETIC_T0 + Math.floor(points * 0.4) * MINUTE, end: SYNTHETIC_T0 + Math.floor(points * 0.6) * MINUTE });
    const cases: { what: string; big: () => Promise<unknown>; small: () => Promise<unknown> }[] = [
      { what: 'orders/read 0..100', big: orders(big.backtestId, 0), small: orders(small.backtestId, 0) },
      { what: 'orders/read middle, one page (50,000..50,100 | 0..100)', big: orders(big.backtestId, 50_000), small: orders(small.backtestId, 0) },
      // Straddles two stored pages: the most a window of 100 ever reads (the small backtest has one page).
      { what: 'orders/read middle, two pages (50,050..50,150 | 0..100)', big: orders(big.backtestId, 50_050), small: orders(small.backtestId, 0) },
      { what: 'orders/read last (99,900..100,000 | 0..100)', big: orders(big.backtestId, 99_900), small: orders(small.backtestId, 0) },
      { what: 'chart/read count 100', big: chart(big.backtestId, { count: 100 }), small: chart(small.backtestId, { count: 100 }) },
      {
        what: 'chart/read count 100, middle fifth',
        big: chart(big.backtestId, { count: 100, ...middle(BIG.points) }),
        small: chart(small.backtestId, { count: 100, ...middle(SMALL.points) }),
      },
    ];

    const rows: Record<string, string>[] = [];
    let worst = 0;
    for (const c of cases) {
      await timeAlternately(50, c.big, c.small); // warm-up: handler import, SDK load, connections, JIT
      const [b, s] = await timeAlternately(SEQUENTIAL, c.big, c.small);
      const ratio = b.p50 / s.p50;
      worst = Math.max(worst, ratio);
      rows.push({
        case: c.what,
        'big p50 ms': b.p50.toFixed(2),
        'big p99 ms': b.p99.toFixed(2),
        'small p50 ms': s.p50.toFixed(2),
        'small p99 ms': s.p99.toFixed(2),
        'p50 big/small': ratio.toFixed(2),
        'p99 big/small': (b.p99 / s.p99).toFixed(2),
      });
    }
    console.log(
      `\nbacktest result reads, ${SEQUENTIAL} sequential calls per case and backtest, alternating big and small (QC hash, POST JSON); big = ${BIG.orders} orders / ${BIG.points} points, small = ${SMALL.orders} / ${SMALL.points}; server, DynamoDB Local and the S3 emulator share the machine`,
    );
    console.table(rows);
    console.log(`worst p50 ratio ${worst.toFixed(2)} (target ≤ ${TARGET_RATIO}): ${worst <= TARGET_RATIO ? 'met' : 'NOT met'}`);
  } finally {
    await bench.stop();
  }
}
