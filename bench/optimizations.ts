import { LeanCli } from '../test/support/api';
import { algorithm, pythonProject } from '../test/support/backtests';
import { countCommands, readsAndWrites } from '../test/support/table-commands';
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

    const reads = await timeReads(bench, { big: big.optimizationId, small: small.optimizationId }, { big: big.answer, small: small.answer });
    const handlers = await timeHandler(bench, { big: big.optimizationId, small: small.optimizationId });
    const { optimizationRepository } = await import('../core/data/optimizations/optimization-repository');
    const storedBig = await timeEach(READS / 4, () => optimizationRepository.getWithPoints(big.optimizationId));
    const storedSmall = await timeEach(READS / 4, () => optimizationRepository.getWithPoints(small.optimizationId));
    const sizes = [
      { size: 'big', optimization: `${POINTS} points`, kb: (big.answerBytes / 1024).toFixed(0) },
      { size: 'small', optimization: '5 points', kb: (small.answerBytes / 1024).toFixed(1) },
    ] as const;
    console.log(
      `optimizations/read of ended optimizations over HTTP (${READS} reads each, one at a time, the two sizes and their floors in turn; request to last byte received)`,
    );
    console.log(
      'floor: the same answer text from a bare Node HTTP server in a process of its own, fetched in turn with the reads (the wire and the client for that many bytes, no server work)',
    );
    console.table(
      sizes.map(({ size, optimization, kb }) => ({
        optimization,
        'p50 ms': reads[size].p50.toFixed(2),
        'p99 ms': reads[size].p99.toFixed(2),
        'answer KB': kb,
        'floor p50 ms': reads.floor[size].p50.toFixed(2),
        "client's JSON.parse p50 ms (not counted)": reads.parseP50[size].toFixed(2),
      })),
    );
    console.log("the read's Lambda handler called in this process, as API Gateway invokes it (its billed duration: event in, answer text out)");
    console.table(
      sizes.map(({ size, optimization }) => ({
        optimization,
        'p50 ms': handlers[size].p50.toFixed(2),
        'p99 ms': handlers[size].p99.toFixed(2),
        'table reads / read': handlers.tableReads[size],
      })),
    );
    console.log('a running optimization builds its answer from its points instead: their table read alone (this process, same storage)');
    console.table([
      { optimization: `${POINTS} points`, 'p50 ms': storedBig.p50.toFixed(2), 'p99 ms': storedBig.p99.toFixed(2) },
      { optimization: '5 points', 'p50 ms': storedSmall.p50.toFixed(2), 'p99 ms': storedSmall.p99.toFixed(2) },
    ]);
    const ratio = (x: number, y: number) => `${x.toFixed(2)} / ${y.toFixed(2)} ms = ${(x / y).toFixed(2)}`;
    const server = (size: 'big' | 'small') => reads[size].p50 - reads.floor[size].p50;
    console.log(`p50 ratio ${POINTS} points / 5 points:`);
    console.log(`  handler duration (target ≤ 1.5): ${ratio(handlers.big.p50, handlers.small.p50)}`);
    console.log(`  over HTTP as measured:           ${ratio(reads.big.p50, reads.small.p50)}`);
    console.log(`  over HTTP minus the floor:       ${ratio(server('big'), server('small'))}`);
    console.log(`  the floor alone:                 ${ratio(reads.floor.big.p50, reads.floor.small.p50)}`);
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

  let finished = 0;
  const measured = { reads: 0, writes: 0 };
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
      const { reads, writes } = readsAndWrites(counter.since(before));
      measured.reads += reads;
      measured.writes += writes;
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
    ...measured,
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

type Size = 'big' | 'small';

/**
 * Runs each of `runs` once per round, `rounds` times, one call at a time: every kind of call sees
 * the same load on a shared machine. `check` gets each result after its time is taken.
 */
async function inTurn<K extends string, T>(rounds: number, runs: Record<K, () => Promise<T>>, check?: (key: K, result: T) => void) {
  const keys = Object.keys(runs) as K[];
  const samples = new Map<K, number[]>(keys.map((key) => [key, []]));
  for (let i = 0; i < rounds; i++) {
    // Each round starts one further along, so no call always follows the same other one.
    for (const key of keys.map((_, j) => keys[(i + j) % keys.length] as K)) {
      const started = performance.now();
      const result = await runs[key]();
      samples.get(key)?.push(performance.now() - started);
      check?.(key, result);
    }
  }
  const timed = {} as Record<K, { p50: number; p99: number }>;
  for (const [key, values] of samples) {
    values.sort((x, y) => x - y);
    timed[key] = { p50: percentile(values, 50), p99: percentile(values, 99) };
  }
  return timed;
}

/**
 * Times each read from request to the answer's last byte: what the server and the wire spend. The
 * client's own parse of the answer grows with its size whatever the server does, so it is timed
 * apart (and every answer is still checked). Each read takes its turn with a fetch of the same
 * text from a bare Node HTTP server (the floor: the wire and the client, no server work), and the
 * two sizes take turns, so all four see the same load.
 */
async function timeReads(bench: BenchServer, ids: Record<Size, string>, sameText: Record<Size, string>) {
  const headers = { ...qcHeaders(bench.admin), 'content-type': 'application/json' };
  const bare = await startBareServer(bench.dir, sameText);
  const port = bare.port;
  const post = async (url: string, optimizationId: string) => (await fetch(url, { method: 'POST', headers, body: JSON.stringify({ optimizationId }) })).text();
  const read = (size: Size) => () => post(`${bench.server.apiUrl}optimizations/read`, ids[size]);
  const floor = (size: Size) => () => post(`http://127.0.0.1:${port}/${size}`, ids[size]);
  const parses: Record<Size, number[]> = { big: [], small: [] };
  try {
    const timed = await inTurn(READS, { big: read('big'), bigFloor: floor('big'), small: read('small'), smallFloor: floor('small') }, (key, text) => {
      if (key !== 'big' && key !== 'small') return;
      const started = performance.now();
      const json = JSON.parse(text) as { success: boolean };
      parses[key].push(performance.now() - started);
      if (!json.success) throw new Error('optimizations/read failed');
    });
    const p50 = (samples: number[]) =>
      percentile(
        samples.sort((x, y) => x - y),
        50,
      );
    return {
      big: timed.big,
      small: timed.small,
      floor: { big: timed.bigFloor, small: timed.smallFloor },
      parseP50: { big: p50(parses.big), small: p50(parses.small) },
    };
  } finally {
    bare.stop();
  }
}

/**
 * The floor's server: fixed answer text from a bare Node HTTP server in a process of its own, as
 * the local server is (in the benchmark's process it would take turns with the client that reads
 * it, and a large answer would count twice against one event loop).
 */
async function startBareServer(dir: string, texts: Record<Size, string>): Promise<{ port: number; stop(): void }> {
  const { spawn } = await import('node:child_process');
  const { writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const files = (['big', 'small'] as const).map((size) => {
    const file = join(dir, `floor-${size}.json`);
    writeFileSync(file, texts[size]);
    return file;
  });
  const script = `
    const texts = { '/big': require('node:fs').readFileSync(process.argv[1], 'utf8'), '/small': require('node:fs').readFileSync(process.argv[2], 'utf8') };
    const server = require('node:http').createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(texts[req.url] ?? '{}');
      });
    });
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;
  const child = spawn(process.execPath, ['-e', script, ...files], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the floor's server exited (${code})`)));
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
  });
  return { port, stop: () => child.kill() };
}

/**
 * The read's handler in this process, with the event the local server (and API Gateway) would
 * build, the two sizes in turn; and the table reads one call makes (the same however many points).
 */
async function timeHandler(bench: BenchServer, ids: Record<Size, string>) {
  const { handler } = await import('../lambdas/api/optimizations/read-optimization.handler');
  const { toProxyEvent, lambdaContext } = await import('../local/proxy-event');
  const { principalToContext } = await import('../core/shared/principal');
  const { documentClient } = await import('../core/data/table/clients');
  const orgId = bench.admin.organizationId;
  const authorizer = principalToContext({ userId: bench.admin.userId, authMethod: 'qc-hash', credentialId: 'bench', memberships: [{ orgId, role: 'admin' }] });
  const call = (size: Size) => () =>
    handler(
      toProxyEvent(
        {
          method: 'POST',
          url: '/api/v2/optimizations/read',
          headers: { 'content-type': 'application/json' },
          body: Buffer.from(JSON.stringify({ optimizationId: ids[size] })),
          sourceIp: '127.0.0.1',
          requestId: 'bench',
        },
        'optimizations/read',
        authorizer,
      ),
      lambdaContext('bench', 'bench-optimizations-read'),
    );
  const counter = countCommands(documentClient());
  const tableReads = async (size: Size) => {
    const before = counter.snapshot();
    await call(size)();
    return readsAndWrites(counter.since(before)).reads;
  };
  const timed = await inTurn(READS, { big: call('big'), small: call('small') }, (_size, answer) => {
    if (!answer.body.includes('"success":true')) throw new Error('optimizations/read failed');
  });
  return { ...timed, tableReads: { big: await tableReads('big'), small: await tableReads('small') } };
}

/** Points this process's job queue at a queue of its own, so the server's worker consumes nothing it sends. */
async function useOwnQueue(): Promise<void> {
  const { sqs } = await import('../core/data/jobs/job-queue');
  const { client, sdk } = await sqs();
  const made = await client.send(new sdk.CreateQueueCommand({ QueueName: `bench-optimizations-${Date.now()}` }));
  process.env.JOBS_QUEUE_URL = made.QueueUrl;
  (await import('../core/shared/config')).resetConfig();
}
