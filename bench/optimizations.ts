import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LeanCli } from '../test/support/api';
import { algorithm, pythonProject } from '../test/support/backtests';
import { type BenchServer, qcHeaders, startBenchServer } from './local-server';
import { percentile, timeEach } from './timing';

/**
 * Optimizations: what the server itself spends per grid point, LEAN aside. A 500-point grid is
 * driven through the real dispatcher against DynamoDB Local and the S3 emulator: each point's
 * backtest is marked finished with stored results (as the runner leaves it), then its
 * "job finished" message is handled as the worker would (record the point, offer it as the best,
 * start the next one). Messages go to a queue of the benchmark's own, so the server's worker runs
 * nothing. Then `optimizations/read` over HTTP for that optimization and for a 5-point one.
 * Prints figures; asserts nothing.
 */
const POINTS = 500; // 25 × 20
const READS = Number(process.env.BENCH_OPTIMIZATION_READS ?? 200);
const SHARPE = 'TotalPerformance.PortfolioStatistics.SharpeRatio';

export async function runOptimizations(): Promise<void> {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true'; // the dispatcher's metric lines, printed to stdout otherwise
  const bench = await startBenchServer('optimizations');
  try {
    const cli = new LeanCli({ userId: bench.admin.userId, token: bench.admin.token }, bench.admin.organizationId);
    const project = await pythonProject(cli, 'Bench/Optimize', algorithm({ scenario: 'ok', orders: 1 }));
    await useOwnQueue();

    const big = await runGrid(bench, project, [
      { name: 'fast', min: 1, max: 25, step: 1 },
      { name: 'slow', min: 1, max: 20, step: 1 },
    ]);
    if (big.points !== POINTS) throw new Error(`expected ${POINTS} points, ran ${big.points}`);
    const small = await runGrid(bench, project, [{ name: 'fast', min: 1, max: 5, step: 1 }]);

    const perPoint = big.finishing;
    const scheduling = big.starting;
    console.log(`\nOptimization bookkeeping per grid point (${POINTS}-point grid, 6 parallel nodes, DynamoDB Local + S3 emulator on this machine)`);
    console.table([
      {
        what: 'job finished → point recorded, best offered, next point started',
        'p50 ms': perPoint.p50.toFixed(2),
        'p99 ms': perPoint.p99.toFixed(2),
        'mean ms': perPoint.mean.toFixed(2),
        'table reads / point': (big.reads / POINTS).toFixed(1),
        'table writes / point': (big.writes / POINTS).toFixed(1),
      },
      {
        what: 'optimization start (first 6 points queued)',
        'p50 ms': scheduling.toFixed(2),
        'p99 ms': '',
        'mean ms': '',
        'table reads / point': '',
        'table writes / point': '',
      },
    ]);

    const readBig = await timeReads(bench, big.optimizationId);
    const readSmall = await timeReads(bench, small.optimizationId);
    const { optimizationRepository } = await import('../core/data/optimizations/optimization-repository');
    const storedBig = await timeEach(READS / 4, () => optimizationRepository.getWithPoints(big.optimizationId));
    const storedSmall = await timeEach(READS / 4, () => optimizationRepository.getWithPoints(small.optimizationId));
    console.log(`optimizations/read over HTTP (${READS} reads each, one at a time)`);
    console.table([
      {
        optimization: `${POINTS} points`,
        'p50 ms': readBig.p50.toFixed(2),
        'p99 ms': readBig.p99.toFixed(2),
        'answer KB': (big.answerBytes / 1024).toFixed(0),
      },
      { optimization: '5 points', 'p50 ms': readSmall.p50.toFixed(2), 'p99 ms': readSmall.p99.toFixed(2), 'answer KB': (small.answerBytes / 1024).toFixed(1) },
    ]);
    console.log('of which the table read of the optimization and its points (this process, same storage)');
    console.table([
      { optimization: `${POINTS} points`, 'p50 ms': storedBig.p50.toFixed(2), 'p99 ms': storedBig.p99.toFixed(2) },
      { optimization: '5 points', 'p50 ms': storedSmall.p50.toFixed(2), 'p99 ms': storedSmall.p99.toFixed(2) },
    ]);
    console.log(`p50 ratio ${POINTS} points / 5 points: ${(readBig.p50 / readSmall.p50).toFixed(2)} (target ≤ 1.5)`);
  } finally {
    await bench.stop();
  }
}

interface GridRun {
  optimizationId: string;
  points: number;
  starting: number;
  finishing: { p50: number; p99: number; mean: number };
  reads: number;
  writes: number;
  answerBytes: number;
}

/** Creates a grid optimization and finishes its points one by one until it completes. */
async function runGrid(
  bench: BenchServer,
  project: { projectId: number; compileId: string },
  parameters: { name: string; min: number; max: number; step: number }[],
): Promise<GridRun> {
  const { optimizationService } = await import('../core/domain/optimizations/optimization-service');
  const { optimizationRepository } = await import('../core/data/optimizations/optimization-repository');
  const { dispatchJob } = await import('../core/domain/jobs/job-dispatcher');
  const { documentClient } = await import('../core/data/table/clients');
  const counter = countCommands(documentClient());
  const orgId = bench.admin.organizationId;
  const principal = { userId: bench.admin.userId, authMethod: 'qc-hash' as const, credentialId: 'bench', memberships: [{ orgId, role: 'admin' as const }] };
  const created = await optimizationService.create(principal, {
    ...project,
    name: `Bench ${parameters.length}`,
    target: SHARPE,
    targetTo: 'max',
    parameters,
    constraints: [],
    nodeType: 'O2-8',
    parallelNodes: 6,
  });
  const optimizationId = created.optimization.optimizationId;
  const deps = { launcher: { launch: async () => ({ taskRef: 'bench' }), stop: async () => undefined }, requeue: async () => undefined };
  const started = performance.now();
  await dispatchJob({ kind: 'optimization-start', orgId, projectId: project.projectId, optimizationId, attempt: 1 }, deps);
  const starting = performance.now() - started;

  counter.reset();
  let finished = 0;
  const timings: number[] = [];
  for (;;) {
    const { points } = await optimizationRepository.getWithPoints(optimizationId);
    const running = points.filter((p) => p.phase === 'running');
    if (!running.length) break;
    for (const point of running) {
      await finishBacktest(project.projectId, point.backtestId, point.parameterSet);
      const before = counter.snapshot();
      const t0 = performance.now();
      await dispatchJob({ kind: 'job-finished', orgId, projectId: project.projectId, optimizationId, backtestId: point.backtestId, attempt: 1 }, deps);
      timings.push(performance.now() - t0);
      counter.addSince(before);
      finished++;
    }
  }
  const done = await optimizationRepository.get(optimizationId);
  if (done?.status !== 'completed') throw new Error(`optimization ended ${done?.status}`);
  timings.sort((a, b) => a - b);
  const answer = await fetch(`${bench.server.apiUrl}optimizations/read`, {
    method: 'POST',
    headers: { ...qcHeaders(bench.admin), 'content-type': 'application/json' },
    body: JSON.stringify({ optimizationId }),
  });
  return {
    optimizationId,
    points: finished,
    starting,
    finishing: { p50: percentile(timings, 50), p99: percentile(timings, 99), mean: timings.reduce((a, b) => a + b, 0) / timings.length },
    ...counter.measured(),
    answerBytes: (await answer.arrayBuffer()).byteLength,
  };
}

/** What the runner leaves when a point's backtest completes: stored results, then the item marked completed. */
async function finishBacktest(projectId: number, backtestId: string, parameters: Record<string, string>): Promise<void> {
  const { resultStore } = await import('../core/data/results/result-store');
  const { backtestRepository } = await import('../core/data/backtests/backtest-repository');
  const sharpe = (2 - Object.values(parameters).reduce((s, v) => s + ((Number(v) - 10) / 10) ** 2, 0)).toFixed(3);
  const t0 = 1_700_000_000;
  const equity = Array.from({ length: 60 }, (_, i) => [t0 + i * 86_400, 100_000 + i, 100_000 + i + 5, 100_000 + i - 5, 100_000 + i + 1]);
  await resultStore.writeResults(projectId, backtestId, {
    summary: {
      statistics: { 'Sharpe Ratio': sharpe, Drawdown: '5%' },
      runtimeStatistics: { Equity: '$100,060' },
      totalPerformance: { PortfolioStatistics: { SharpeRatio: sharpe, Drawdown: '0.05' } },
      rollingWindow: {},
      state: { Status: 'Completed' },
    },
    charts: [
      {
        name: 'Strategy Equity',
        series: { Equity: { name: 'Equity', unit: '$', index: 0, seriesType: 2, color: '', scatterMarkerSymbol: 'none', values: equity } },
      },
    ],
    orders: [],
    insights: [],
    algorithmLog: '',
  });
  const now = new Date().toISOString();
  await backtestRepository.update(projectId, backtestId, {
    phase: 'completed',
    progress: 1,
    started: now,
    finished: now,
    statistics: { 'Sharpe Ratio': sharpe },
  });
}

async function timeReads(bench: BenchServer, optimizationId: string) {
  const headers = { ...qcHeaders(bench.admin), 'content-type': 'application/json' };
  const body = JSON.stringify({ optimizationId });
  return timeEach(READS, async () => {
    const answer = await fetch(`${bench.server.apiUrl}optimizations/read`, { method: 'POST', headers, body });
    const json = (await answer.json()) as { success: boolean };
    if (!json.success) throw new Error('optimizations/read failed');
  });
}

/** Points this process's job queue at a queue of its own, so the server's worker consumes nothing it sends. */
async function useOwnQueue(): Promise<void> {
  const { sqs } = await import('../core/data/jobs/job-queue');
  const { client, sdk } = await sqs();
  const made = await client.send(new sdk.CreateQueueCommand({ QueueName: `bench-optimizations-${Date.now()}` }));
  process.env.JOBS_QUEUE_URL = made.QueueUrl;
  (await import('../core/shared/config')).resetConfig();
}

// The document client's commands reach the middleware under the low-level client's names.
const READ_COMMANDS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand', 'TransactGetItemsCommand']);

/** Table commands this process sent, counted once by a middleware on the shared document client. */
const counts = { reads: 0, writes: 0 };
let counting = false;

function countCommands(client: DynamoDBDocumentClient) {
  if (!counting) {
    counting = true;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (READ_COMMANDS.has(context.commandName ?? '')) counts.reads++;
        else counts.writes++;
        return next(args);
      },
      { step: 'initialize', name: 'benchCommandCounter' },
    );
  }
  let sum = { reads: 0, writes: 0 };
  return {
    reset: () => {
      sum = { reads: 0, writes: 0 };
    },
    snapshot: () => ({ ...counts }),
    addSince: (before: { reads: number; writes: number }) => {
      sum = { reads: sum.reads + counts.reads - before.reads, writes: sum.writes + counts.writes - before.writes };
    },
    measured: () => ({ ...sum }),
  };
}
