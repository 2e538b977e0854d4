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

    const readBig = await timeReads(bench, big.optimizationId, big.answer);
    const readSmall = await timeReads(bench, small.optimizationId, small.answer);
    const handlerBig = await timeHandler(bench, big.optimizationId);
    const handlerSmall = await timeHandler(bench, small.optimizationId);
    const { optimizationRepository } = await import('../core/data/optimizations/optimization-repository');
    const storedBig = await timeEach(READS / 4, () => optimizationRepository.getWithPoints(big.optimizationId));
    const storedSmall = await timeEach(READS / 4, () => optimizationRepository.getWithPoints(small.optimizationId));
    console.log(`optimizations/read of ended optimizations over HTTP (${READS} reads each, one at a time; request to last byte received)`);
    console.table([
      {
        optimization: `${POINTS} points`,
        'p50 ms': readBig.p50.toFixed(2),
        'p99 ms': readBig.p99.toFixed(2),
        'answer KB': (big.answerBytes / 1024).toFixed(0),
        "client's JSON.parse p50 ms (not counted)": readBig.parseP50.toFixed(2),
      },
      {
        optimization: '5 points',
        'p50 ms': readSmall.p50.toFixed(2),
        'p99 ms': readSmall.p99.toFixed(2),
        'answer KB': (small.answerBytes / 1024).toFixed(1),
        "client's JSON.parse p50 ms (not counted)": readSmall.parseP50.toFixed(2),
      },
    ]);
    console.log('a running optimization builds its answer from its points instead: their table read alone (this process, same storage)');
    console.table([
      { optimization: `${POINTS} points`, 'p50 ms': storedBig.p50.toFixed(2), 'p99 ms': storedBig.p99.toFixed(2) },
      { optimization: '5 points', 'p50 ms': storedSmall.p50.toFixed(2), 'p99 ms': storedSmall.p99.toFixed(2) },
    ]);
    console.log(
      'floor: the same answers as fixed text from a bare Node HTTP server in this process, fetched alternately with the reads (the wire and the client, no server work)',
    );
    console.table([
      { answer: `${POINTS} points`, 'p50 ms': readBig.floorP50.toFixed(2) },
      { answer: '5 points', 'p50 ms': readSmall.floorP50.toFixed(2) },
    ]);
    const serverBig = readBig.p50 - readBig.floorP50;
    const serverSmall = readSmall.p50 - readSmall.floorP50;
    console.log("the read's Lambda handler called in this process, as API Gateway invokes it (its billed duration: event in, answer text out)");
    console.table([
      { optimization: `${POINTS} points`, 'p50 ms': handlerBig.p50.toFixed(2), 'p99 ms': handlerBig.p99.toFixed(2) },
      { optimization: '5 points', 'p50 ms': handlerSmall.p50.toFixed(2), 'p99 ms': handlerSmall.p99.toFixed(2) },
    ]);
    console.log(`p50 ratio ${POINTS} points / 5 points, handler duration: ${(handlerBig.p50 / handlerSmall.p50).toFixed(2)} (target ≤ 1.5)`);
    console.log(`p50 ratio ${POINTS} points / 5 points, over HTTP as measured: ${(readBig.p50 / readSmall.p50).toFixed(2)}`);
    console.log(
      `p50 ratio ${POINTS} points / 5 points, over HTTP minus the floor: ${serverBig.toFixed(2)} / ${serverSmall.toFixed(2)} ms = ${(serverBig / serverSmall).toFixed(2)}`,
    );
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
  answer: string;
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
    ...(await answer.text().then((text) => ({ answer: text, answerBytes: Buffer.byteLength(text) }))),
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

/**
 * Times each read from request to the answer's last byte: what the server and the wire spend. The
 * client's own parse of the answer grows with its size whatever the server does, so it is timed
 * apart (and every answer is still checked). Each read alternates with a fetch of the same text
 * from a bare Node HTTP server in this process (the floor: the wire and the client, no server
 * work), so both see the same load on a shared machine.
 */
async function timeReads(bench: BenchServer, optimizationId: string, sameText: string) {
  const headers = { ...qcHeaders(bench.admin), 'content-type': 'application/json' };
  const body = JSON.stringify({ optimizationId });
  const { createServer } = await import('node:http');
  const bare = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(sameText);
  });
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const { port } = bare.address() as { port: number };
  const parses: number[] = [];
  const floors: number[] = [];
  try {
    const read = async () => {
      const started = performance.now();
      await (await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers, body })).text();
      floors.push(performance.now() - started);
      return (await fetch(`${bench.server.apiUrl}optimizations/read`, { method: 'POST', headers, body })).text();
    };
    const timed = await timeEach(READS, read, (text) => {
      const started = performance.now();
      const json = JSON.parse(text) as { success: boolean };
      parses.push(performance.now() - started);
      if (!json.success) throw new Error('optimizations/read failed');
    });
    const p50 = (samples: number[]) =>
      percentile(
        samples.sort((x, y) => x - y),
        50,
      );
    return { ...timed, floorP50: p50(floors), parseP50: p50(parses) };
  } finally {
    bare.close();
  }
}

/** The read's handler in this process, with the event the local server (and API Gateway) would build. */
async function timeHandler(bench: BenchServer, optimizationId: string) {
  const { handler } = await import('../lambdas/api/optimizations/read-optimization.handler');
  const { toProxyEvent, lambdaContext } = await import('../local/proxy-event');
  const { principalToContext } = await import('../core/shared/principal');
  const orgId = bench.admin.organizationId;
  const authorizer = principalToContext({ userId: bench.admin.userId, authMethod: 'qc-hash', credentialId: 'bench', memberships: [{ orgId, role: 'admin' }] });
  const body = Buffer.from(JSON.stringify({ optimizationId }));
  const call = () =>
    handler(
      toProxyEvent(
        { method: 'POST', url: '/api/v2/optimizations/read', headers: { 'content-type': 'application/json' }, body, sourceIp: '127.0.0.1', requestId: 'bench' },
        'optimizations/read',
        authorizer,
      ),
      lambdaContext('bench', 'bench-optimizations-read'),
    );
  return timeEach(READS, call, (answer) => {
    if (!answer.body.includes('"success":true')) throw new Error('optimizations/read failed');
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
