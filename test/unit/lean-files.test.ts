import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EngineLogTail, parseEngineLog, parseUsDateTime } from '../../runner/lean/engine-log';
import { buildReport } from '../../runner/lean/fallback-report';
import { readLeanResults } from '../../runner/lean/final-results';
import { progressFrom, progressPoller, readIntermediate } from '../../runner/lean/progress';
import { camelKey } from '../../runner/lean/result-json';
import { classifyRun, failureFromFiles } from '../../runner/lean/run-outcome';
import { cleanUpRuns, readResultJson, runFakeLean, startFakeLean, waitFor } from '../support/fake-lean/run-fake-lean';

/** The runner's reading of LEAN's files, on the fake LEAN's output and on trimmed real fixtures. */

const FIXTURES = resolve(__dirname, '../fixtures/lean');
const INIT_PREFIX = 'During the algorithm initialization, the following exception has occurred:';
const track = cleanUpRuns();

describe('ok run', () => {
  let run: Awaited<ReturnType<typeof runFakeLean>>;
  beforeAll(async () => {
    run = track(await runFakeLean({ config: { parameters: { 'ema-fast': '10' } } }));
  });

  test('orders in id order, each with its events in time order', async () => {
    const results = (await readLeanResults(run.resultsDir, run.algorithmId))!;
    expect(results.orders.map((o) => o.id)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (const order of results.orders) {
      const events = order.events as { orderId: number; status: string }[];
      expect(events.map((e) => [e.orderId, e.status])).toEqual([
        [order.id, 'submitted'],
        [order.id, 'filled'],
      ]);
    }
  });

  test('charts normalised, values as written; insights; algorithm log', async () => {
    const results = (await readLeanResults(run.resultsDir, run.algorithmId))!;
    expect(results.charts.map((c) => c.name)).toEqual(['Strategy Equity', 'Drawdown', 'Benchmark']);
    const equity = results.charts[0]!.series.Equity!;
    // LEAN leaves color and marker out of candle series; the reader fills the contract's defaults.
    expect(equity).toMatchObject({ name: 'Equity', unit: '$', index: 0, seriesType: 2, color: '', scatterMarkerSymbol: 'none' });
    expect(equity.values).toHaveLength(50);
    expect(equity.values[0]).toEqual([Date.UTC(2023, 0, 1, 5) / 1000, 100000, 100000, 100000, 100000]);
    expect(results.charts[0]!.chartType).toBe(0);
    expect(results.insights).toHaveLength(10);
    expect(results.insights[0]).toMatchObject({ ticker: 'SPY', type: 'price', direction: 'up' });
    expect(results.algorithmLog).toContain(`Launching analysis for ${run.algorithmId}`);
  });

  test('summary with period, state and parameters as written', async () => {
    const { summary } = (await readLeanResults(run.resultsDir, run.algorithmId))!;
    expect(summary).toMatchObject({ backtestStart: '2023-01-01 00:00:00', backtestEnd: '2023-01-31 23:59:59' });
    expect(summary.state).toMatchObject({ Status: 'Completed', RuntimeError: '' });
    expect(summary.statistics['Total Orders']).toBe('20');
    expect(summary.runtimeStatistics.Equity).toMatch(/^\$\d{2,3},\d{3}\.\d{2}$/);
    expect(summary.algorithmConfiguration?.parameters).toEqual({ 'ema-fast': '10' });
    expect(Object.keys(summary.totalPerformance!)).toEqual(['tradeStatistics', 'portfolioStatistics', 'closedTrades']);
    expect(Object.keys(summary.rollingWindow)).toEqual(['M1_20230131', 'M3_20230131', 'M6_20230131', 'M12_20230131']);
  });

  test('classified completed only with exit 0, the summary and status Completed', async () => {
    const results = await readLeanResults(run.resultsDir, run.algorithmId);
    const logText = run.log();
    expect(classifyRun({ exitCode: 0, results, logText })).toEqual({ outcome: 'completed', hasInitializeError: false });
    expect(classifyRun({ exitCode: 1, results, logText })).toMatchObject({ outcome: 'failed', error: 'LEAN exited with code 1 (status Completed)' });
    expect(classifyRun({ exitCode: 0, results: undefined, logText }).outcome).toBe('failed');
    const stopped = { ...results!, summary: { ...results!.summary, state: { ...results!.summary.state, Status: 'Stopped' } } };
    expect(classifyRun({ exitCode: 0, results: stopped, logText }).outcome).toBe('failed');
  });

  test('engine log: data stream period, initialized, no errors', () => {
    const facts = parseEngineLog(run.log());
    expect(facts).toEqual({
      initialized: true,
      errorLines: [],
      dataStreamStart: new Date(Date.UTC(2023, 0, 1)),
      dataStreamStop: new Date(Date.UTC(2023, 0, 31, 23, 59, 59)),
    });
  });
});

describe('failed runs', () => {
  test('runtime error: failed with the state error and stack trace; partial results still read', async () => {
    const run = track(await runFakeLean({ config: { 'fake-lean-scenario': 'runtime-error' } }));
    const results = await readLeanResults(run.resultsDir, run.algorithmId);
    expect(results?.orders).toHaveLength(8);
    // A runtime error in the state wins whatever the exit code.
    for (const exitCode of [1, 0]) {
      const outcome = classifyRun({ exitCode, results, logText: run.log() });
      expect(outcome).toMatchObject({ outcome: 'failed', hasInitializeError: false });
      // LEAN's algorithm-time prefix is stripped; HandleAlgorithmError's `Runtime Error: ` stays.
      expect(outcome.error).toMatch(/^Runtime Error: ZeroDivisionError : division by zero/);
      expect(outcome.stacktrace).toContain('in main.py: line 27');
    }
  });

  test('init error: the message keeps the prefix and is flagged', async () => {
    const run = track(await runFakeLean({ config: { 'fake-lean-scenario': 'init-error' } }));
    const results = await readLeanResults(run.resultsDir, run.algorithmId);
    expect(results?.orders).toEqual([]);
    const outcome = classifyRun({ exitCode: run.code, results, logText: run.log() });
    expect(outcome.outcome).toBe('failed');
    expect(outcome.error?.startsWith(INIT_PREFIX)).toBe(true);
    expect(outcome.hasInitializeError).toBe(true);
    expect(parseEngineLog(run.log()).initialized).toBe(false);
  });

  test('state.RuntimeError as LEAN writes it: the algorithm-time prefix is parsed and stripped', () => {
    const state = (RuntimeError: string) =>
      ({ summary: { state: { Status: 'RuntimeError', RuntimeError, StackTrace: 'trace' } } }) as unknown as Parameters<typeof classifyRun>[0]['results'];
    const init = classifyRun({ exitCode: 1, results: state(`2024-03-04 09:31:00 ${INIT_PREFIX} boom`) });
    expect(init).toEqual({ outcome: 'failed', error: `${INIT_PREFIX} boom`, stacktrace: 'trace', hasInitializeError: true });
    const old = classifyRun({ exitCode: 1, results: state('2024-03-04 09:31:00 Algorithm.Initialize() Error: x Stack Trace: y') });
    expect(old).toMatchObject({ error: 'Algorithm.Initialize() Error: x Stack Trace: y', hasInitializeError: true });
    expect(classifyRun({ exitCode: 1, results: state('2024-03-04 09:31:00 Runtime Error: x') })).toMatchObject({
      error: 'Runtime Error: x',
      hasInitializeError: false,
    });
    // Only a leading time is LEAN's; an older build without it is read as is.
    expect(classifyRun({ exitCode: 1, results: state('Runtime Error: 2024-03-04 09:31:00 x') }).error).toBe('Runtime Error: 2024-03-04 09:31:00 x');
  });

  test('killed after the summary, before the final <id>.json: the summary statistics stand, not the intermediate {}', async () => {
    const run = track(await runFakeLean({ config: { 'fake-lean-scenario': 'ok', 'fake-lean-kill-after-summary': true } }));
    expect(run.signal).toBe('SIGKILL');
    // What LEAN left: the summary next to the last intermediate <id>.json.
    expect(readResultJson(run, `${run.algorithmId}.json`).statistics).toEqual({});
    const results = (await readLeanResults(run.resultsDir, run.algorithmId))!;
    expect(results.summary.statistics['Total Orders']).toBe('20');
    expect(results.summary.runtimeStatistics.Equity).toMatch(/^\$/);
    expect(results.summary.state).toMatchObject({ Status: 'Completed' });
    expect(results.summary.backtestStart).toBe('2023-01-01 00:00:00');
    expect(results.charts.map((c) => c.name)).toEqual(['Strategy Equity']);
    expect(results.orders.length).toBeGreaterThan(0);
    expect(results.algorithmLog).toContain('LEAN stopped after writing its summary and before its final results');
    // Killed: a failure, whatever the summary says.
    expect(classifyRun({ exitCode: null, signal: run.signal, results, logText: run.log() }).outcome).toBe('failed');
  });

  test('crash: no results; the last ERROR lines, stderr as the trace', async () => {
    const run = track(await runFakeLean({ config: { 'fake-lean-scenario': 'crash' } }));
    const results = await readLeanResults(run.resultsDir, run.algorithmId);
    expect(results).toBeUndefined();
    const outcome = classifyRun({ exitCode: run.code, results, logText: run.log(), stderrTail: run.output.stderr });
    expect(outcome.outcome).toBe('failed');
    expect(outcome.error).toBe(
      'Engine.Run(): System.AccessViolationException: Attempted to read or write protected memory.\n   at QuantConnect.Lean.Engine.AlgorithmManager.Run()',
    );
    expect(outcome.stacktrace).toContain('Unhandled exception. System.AccessViolationException');
    // The same crash seen as a signal (no shell in between): SIGABRT is 134.
    expect(classifyRun({ exitCode: null, signal: 'SIGABRT', logText: '' }).error).toBe('LEAN exited with code 134');
  });

  test('out of memory: exit 137 or SIGKILL names the limit', async () => {
    const run = track(await runFakeLean({ config: { 'fake-lean-scenario': 'oom' } }));
    const results = await readLeanResults(run.resultsDir, run.algorithmId);
    expect(results).toBeUndefined();
    expect(classifyRun({ exitCode: run.code, results, logText: run.log(), memoryMb: 8192 })).toEqual({
      outcome: 'failed',
      error: 'out of memory (limit 8192 MB)',
      hasInitializeError: false,
    });
    expect(classifyRun({ exitCode: null, signal: 'SIGKILL', memoryMb: 4096 }).error).toBe('out of memory (limit 4096 MB)');
  });

  test('timeout: failed even though LEAN, stopped by SIGINT, ends Completed with exit 0', async () => {
    const run = track(startFakeLean({ config: { 'fake-lean-scenario': 'hang' } }));
    await waitFor(() => run.log().includes('Launching analysis'));
    run.child.kill('SIGINT');
    const { code } = await run.exited;
    const results = await readLeanResults(run.resultsDir, run.algorithmId);
    expect(code).toBe(0);
    expect(classifyRun({ exitCode: code, results, logText: run.log() }).outcome).toBe('completed');
    expect(classifyRun({ exitCode: code, results, logText: run.log(), timedOut: true, maxRuntimeSeconds: 3600 })).toEqual({
      outcome: 'failed',
      error: 'exceeded maximum runtime (3600 s)',
      hasInitializeError: false,
    });
  });

  test('no log errors: stderr tail, else the exit code', () => {
    expect(failureFromFiles({ exitCode: 1, logText: 'x', stderrTail: '  boom\n' })).toEqual({ error: 'boom' });
    expect(failureFromFiles({ exitCode: 3 })).toEqual({ error: 'LEAN exited with code 3' });
  });
});

describe('slow run: progress while LEAN runs', () => {
  test('intermediate files give rising progress within [0, 0.99]', async () => {
    const run = track(startFakeLean({ config: { 'fake-lean-scenario': 'slow', 'fake-lean-seconds': 1.5 } }));
    let done = false;
    run.exited.then(() => {
      done = true;
    });
    const seen: number[] = [];
    const equityTimes = new Set<number>();
    while (!done) {
      const intermediate = await readIntermediate(run.resultsDir, run.algorithmId);
      if (intermediate?.equityTime !== undefined && !existsSummary(run)) {
        equityTimes.add(intermediate.equityTime);
        seen.push(progressFrom(parseEngineLog(run.log()), intermediate));
        expect(intermediate.runtimeStatistics?.Equity).toMatch(/^\$/);
      }
      await new Promise((r) => setTimeout(r, 40));
    }
    expect((await run.exited).code).toBe(0);
    expect(equityTimes.size).toBeGreaterThanOrEqual(3);
    const distinct = [...new Set(seen)];
    expect(distinct.length).toBeGreaterThanOrEqual(3);
    expect(distinct).toEqual([...distinct].sort((a, b) => a - b));
    expect(Math.min(...distinct)).toBeGreaterThan(0);
    expect(Math.max(...distinct)).toBeLessThanOrEqual(0.99);
  }, 20_000);
});

describe('progress while LEAN rewrites <id>.json in place', () => {
  test('a half-written file keeps the last good progress instead of dropping to 0', async () => {
    const run = track(startFakeLean({ config: { 'fake-lean-scenario': 'slow', 'fake-lean-seconds': 2, 'fake-lean-half-write-ms': 120 } }));
    const poller = progressPoller(run.resultsDir, run.algorithmId);
    let done = false;
    run.exited.then(() => {
      done = true;
    });
    const seen: number[] = [];
    let halfSeen = 0;
    while (!done) {
      const exists = existsSync(join(run.resultsDir, `${run.algorithmId}.json`));
      if (exists && !existsSummary(run) && (await readIntermediate(run.resultsDir, run.algorithmId)) === undefined) halfSeen++;
      const { progress } = await poller.poll();
      if (!existsSummary(run)) seen.push(progress);
      await new Promise((r) => setTimeout(r, 25));
    }
    expect((await run.exited).code).toBe(0);
    expect(halfSeen).toBeGreaterThan(0);
    const firstGood = seen.findIndex((p) => p > 0);
    expect(firstGood).toBeGreaterThanOrEqual(0);
    const after = seen.slice(firstGood);
    expect(after).toEqual([...after].sort((a, b) => a - b));
    expect(Math.min(...after)).toBeGreaterThan(0);
  }, 20_000);

  test('the poller keeps its reading when the file is torn, and takes the next good one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lean-progress-'));
    try {
      const file = join(dir, 'x.json');
      const good = (t: number) =>
        JSON.stringify({
          charts: {
            'Strategy Equity': {
              series: {
                Equity: {
                  values: [
                    [Date.UTC(2023, 0, 1, 5) / 1000, 1],
                    [t, 1],
                  ],
                },
              },
            },
          },
          runtimeStatistics: { Equity: '$1' },
        });
      writeFileSync(join(dir, 'log.txt'), readFileSync(join(FIXTURES, 'engine-log.txt')));
      const poller = progressPoller(dir, 'x');
      writeFileSync(file, good(Date.UTC(2023, 0, 16, 5) / 1000));
      const first = await poller.poll();
      expect(first.progress).toBeGreaterThan(0.4);
      expect(first.runtimeStatistics).toEqual({ Equity: '$1' });
      writeFileSync(file, good(Date.UTC(2023, 0, 24, 5) / 1000).slice(0, 60));
      expect(await poller.poll()).toEqual(first);
      writeFileSync(file, good(Date.UTC(2023, 0, 24, 5) / 1000));
      expect((await poller.poll()).progress).toBeGreaterThan(first.progress);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function existsSummary(run: { resultsDir: string; algorithmId: string }): boolean {
  try {
    readFileSync(join(run.resultsDir, `${run.algorithmId}-summary.json`));
    return true;
  } catch {
    return false;
  }
}

describe('huge run', () => {
  test('100,000 orders with events and a 50,000-point equity chart, written and read in seconds', async () => {
    const run = track(await runFakeLean({ config: { 'fake-lean-scenario': 'huge' } }));
    expect(run.code).toBe(0);
    const started = performance.now();
    const results = (await readLeanResults(run.resultsDir, run.algorithmId))!;
    const parseMs = performance.now() - started;
    const reportStarted = performance.now();
    const html = buildReport(results, { name: 'huge', projectId: 1, backtestId: run.algorithmId });
    const reportMs = performance.now() - reportStarted;
    console.log(`fake LEAN huge: wrote in ${run.ms} ms (process run), read in ${Math.round(parseMs)} ms, report in ${Math.round(reportMs)} ms`);

    expect(results.orders).toHaveLength(100_000);
    // One expect per order would dominate the test's time: collect the misfits instead.
    const wrong = results.orders.filter((order, i) => {
      const events = order.events as { orderId: number }[];
      return order.id !== i + 1 || events.length !== 2 || events.some((event) => event.orderId !== i + 1);
    });
    expect(wrong).toEqual([]);
    expect(results.charts.find((c) => c.name === 'Strategy Equity')?.series.Equity?.values).toHaveLength(50_000);
    expect(results.summary.totalPerformance?.closedTrades).toHaveLength(1_000);
    // Guards against a slowdown by an order of magnitude (both take 3–6 s on an idle two-core
    // machine), not a benchmark: with the whole suite running beside it on two cores each took
    // 15–17 s, which failed the earlier 15 s and 10 s bounds.
    expect(run.ms).toBeLessThan(40_000);
    expect(parseMs).toBeLessThan(40_000);
    expect(html.length).toBeLessThan(500_000);
  }, 120_000);
});

describe('older PascalCase files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lean-files-'));
    copyFileSync(join(FIXTURES, 'pascal-case-result.json'), join(dir, 'old.json'));
    copyFileSync(join(FIXTURES, 'pascal-case-summary.json'), join(dir, 'old-summary.json'));
    copyFileSync(join(FIXTURES, 'pascal-case-order-events.json'), join(dir, 'old-order-events.json'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('field names camelCased, dictionary keys kept', async () => {
    const results = (await readLeanResults(dir, 'old'))!;
    expect(results.summary.statistics['Total Orders']).toBeDefined();
    expect(results.summary.statistics['Probabilistic Sharpe Ratio']).toBe('80.811%');
    expect(results.summary.state.Status).toBe('Completed');
    expect(results.summary.totalPerformance?.tradeStatistics).toMatchObject({ averageMAE: '-104.1144', totalNumberOfTrades: 150 });
    expect(results.summary.algorithmConfiguration).toMatchObject({ accountCurrency: 'USD', parameters: { 'ema-fast': '10', 'EMA Slow': '30' } });
    expect(results.summary.backtestStart).toBe('2021-01-04 00:00:00');
    expect(results.orders[0]).toMatchObject({
      id: 1,
      symbol: { value: 'BTCUSD', id: 'BTCUSD XJ', permtick: 'BTCUSD' },
      orderSubmissionData: { bidPrice: 32840.47 },
    });
    expect(results.insights).toEqual([]);
    expect(results.algorithmLog).toBe('');
  });

  test('events joined by orderId and sorted by time; orders without events get []', async () => {
    const results = (await readLeanResults(dir, 'old'))!;
    const events = results.orders.map((o) => (o.events as { orderEventId: number }[]).map((e) => e.orderEventId));
    expect(events).toEqual([[1, 2], [], [1, 2]]);
    expect((results.orders[0]!.events as Record<string, unknown>[])[1]).toMatchObject({ status: 'filled', fillPrice: 32843.35 });
  });

  test('charts: PascalCase series normalised, {x, y} values kept', async () => {
    const results = (await readLeanResults(dir, 'old'))!;
    const chart = results.charts.find((c) => c.name === 'Strategy Equity')!;
    expect(chart.chartType).toBe(0);
    expect(chart.series['Daily Performance']).toMatchObject({ name: 'Daily Performance', unit: '%', index: 1, seriesType: 3 });
    expect(chart.series.Equity!.values[0]).toEqual({ x: 1609736400, y: 1000000.0 });
    expect('Values' in chart.series.Equity!).toBe(false);
  });
});

describe('half-written and missing files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lean-files-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('readIntermediate: undefined while missing or unparseable', async () => {
    expect(await readIntermediate(dir, 'x')).toBeUndefined();
    writeFileSync(join(dir, 'x.json'), '{"charts":{"Strategy Equity":{"series":{"Equity":{"values":[[1672549200,1,1,1,1],[16725');
    expect(await readIntermediate(dir, 'x')).toBeUndefined();
    writeFileSync(
      join(dir, 'x.json'),
      '{"Charts":{"Strategy Equity":{"Series":{"Equity":{"Values":[{"x":1672549200,"y":1},{"x":1672635600,"y":2}]}}}},"RuntimeStatistics":[]}',
    );
    expect(await readIntermediate(dir, 'x')).toEqual({ equityStart: 1672549200, equityTime: 1672635600, runtimeStatistics: {} });
  });

  test('readLeanResults: undefined without a summary, even with a final <id>.json', async () => {
    mkdirSync(join(dir, 'r'));
    writeFileSync(join(dir, 'r', 'y.json'), '{"state":{"Status":"Completed"}}');
    expect(await readLeanResults(join(dir, 'r'), 'y')).toBeUndefined();
  });
});

describe('engine log', () => {
  const realLog = readFileSync(join(FIXTURES, 'engine-log.txt'), 'utf8');

  test('a real LEAN log: period and initialization', () => {
    const facts = parseEngineLog(realLog);
    expect(facts.dataStreamStart).toEqual(new Date(Date.UTC(2023, 0, 1, 0, 0, 0)));
    expect(facts.dataStreamStop).toEqual(new Date(Date.UTC(2023, 0, 31, 23, 59, 59)));
    expect(facts.initialized).toBe(true);
    expect(facts.errorLines).toEqual([]);
  });

  test('ERROR entries keep their continuation lines', () => {
    const log = [
      '2025-01-01T00:00:00.0000000Z TRACE:: one',
      '2025-01-01T00:00:01.0000000Z ERROR:: first error',
      '2025-01-01T00:00:02.0000000Z ERROR:: second error',
      '   at Some.Method()',
      '   at Other.Method()',
      '2025-01-01T00:00:03.0000000Z TRACE:: after',
      'STATISTICS:: not an error',
    ].join('\n');
    expect(parseEngineLog(log).errorLines).toEqual(['first error', 'second error\n   at Some.Method()\n   at Other.Method()']);
    expect(parseEngineLog(log).initialized).toBe(false);
  });

  test('EngineLogTail reads only what was appended, and parses like parseEngineLog', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lean-log-tail-'));
    try {
      const tail = new EngineLogTail(dir);
      expect(await tail.read()).toEqual({ initialized: false, errorLines: [] });
      // Cut the real log at awkward places: mid-line, mid-timestamp, inside a multi-byte character.
      const text = `${realLog}2025-01-01T00:00:01.0000000Z ERROR:: café ☕ failed\n   at Some.Method()\n`;
      const bytes = Buffer.from(text);
      const cuts = [0, 17, 1000, bytes.indexOf(Buffer.from('☕')) + 1, bytes.length - 5, bytes.length];
      const path = join(dir, 'log.txt');
      writeFileSync(path, '');
      for (let i = 1; i < cuts.length; i++) {
        appendFileSync(path, bytes.subarray(cuts[i - 1], cuts[i]));
        await tail.read();
      }
      const facts = await tail.read();
      expect(facts).toEqual(parseEngineLog(text));
      expect(facts.errorLines).toEqual(['café ☕ failed\n   at Some.Method()']);
      // Each byte read once, however many polls.
      expect(tail.bytesRead).toBe(bytes.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each([
    ['1/1/2023 12:00:00 AM', Date.UTC(2023, 0, 1, 0, 0, 0)],
    ['1/5/2023 12:30:05 PM', Date.UTC(2023, 0, 5, 12, 30, 5)],
    ['12/31/2024 11:59:59 PM', Date.UTC(2024, 11, 31, 23, 59, 59)],
    ['3/4/2024 9:31:00 AM', Date.UTC(2024, 2, 4, 9, 31, 0)],
  ])('US date %s', (text, expected) => {
    expect(parseUsDateTime(text)?.getTime()).toBe(expected);
  });
});

describe('progressFrom', () => {
  const log = parseEngineLog(readFileSync(join(FIXTURES, 'engine-log.txt'), 'utf8'));
  // The real run: New York algorithm, first equity point at local midnight = 05:00 UTC.
  const first = Date.UTC(2023, 0, 1, 5) / 1000;
  const total = (Date.UTC(2023, 0, 31, 23, 59, 59) - Date.UTC(2023, 0, 1)) / 1000;

  test('elapsed over total, with the zone offset taken from the first equity point', () => {
    expect(progressFrom(log, { equityStart: first, equityTime: first + total / 2 })).toBeCloseTo(0.5, 6);
    expect(progressFrom(log, { equityStart: first, equityTime: first + total / 4 })).toBeCloseTo(0.25, 6);
  });

  test('clamped to [0, 0.99]; 0 without the data stream line or an equity point', () => {
    expect(progressFrom(log, { equityStart: first, equityTime: first + total * 2 })).toBe(0.99);
    expect(progressFrom(log, { equityStart: first, equityTime: first - 3600 })).toBe(0);
    expect(progressFrom(log, undefined)).toBe(0);
    expect(progressFrom(log, { runtimeStatistics: {} })).toBe(0);
    expect(progressFrom(parseEngineLog('2025-01-01T00:00:00.0000000Z TRACE:: hello'), { equityStart: first, equityTime: first + 10 })).toBe(0);
  });

  test('an implausible offset (over 14 h) is ignored', () => {
    const far = first + 20 * 3600;
    expect(progressFrom(log, { equityStart: far, equityTime: far })).toBeCloseTo((far - Date.UTC(2023, 0, 1) / 1000) / total, 6);
  });
});

test.each([
  ['Status', 'status'],
  ['ID', 'id'],
  ['AverageMAE', 'averageMAE'],
  ['source-model', 'sourceModel'],
  ['orderId', 'orderId'],
])('camelKey %s → %s', (key, expected) => {
  expect(camelKey(key)).toBe(expected);
});
