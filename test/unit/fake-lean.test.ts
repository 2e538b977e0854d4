import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newYorkDay } from '../../runner/map-factor-files';
import { cleanUpRuns, readResultJson, runFakeLean, startFakeLean, waitFor } from '../support/fake-lean/run-fake-lean';
import { seedLeanData } from '../support/lean-data';

/** The fake LEAN keeps the contract of lean-runtime §8: LEAN's files, milestones and exit codes. */

const INIT_PREFIX = 'During the algorithm initialization, the following exception has occurred:';
const track = cleanUpRuns();

describe('ok', () => {
  let run: Awaited<ReturnType<typeof runFakeLean>>;
  beforeAll(async () => {
    run = track(await runFakeLean({ config: { parameters: { 'ema-fast': '10' }, 'project-id': 42 } }));
  });

  test('exits 0 and writes every final file', () => {
    expect(run.code).toBe(0);
    for (const name of [
      'log.txt',
      `${run.algorithmId}.json`,
      `${run.algorithmId}-order-events.json`,
      `${run.algorithmId}-summary.json`,
      `${run.algorithmId}-log.txt`,
    ]) {
      expect(existsSync(join(run.resultsDir, name))).toBe(true);
    }
    expect(readResultJson(run, join(run.algorithmId, 'alpha-results.json'))).toHaveLength(10);
  });

  test('the final <id>.json has LEAN shapes: orders keyed by id without events, candles, state, configuration', () => {
    const result = readResultJson(run, `${run.algorithmId}.json`);
    expect(Object.keys(result.orders)).toEqual(Array.from({ length: 20 }, (_, i) => String(i + 1)));
    expect(result.orders['1']).toMatchObject({ id: 1, symbol: { value: 'SPY', id: 'SPY R735QTJ8XC9X' }, status: 3, direction: 0 });
    expect(result.orders['2'].direction).toBe(1);
    expect(Object.values(result.orders).some((order) => 'events' in (order as object))).toBe(false);
    const equity = result.charts['Strategy Equity'].series.Equity;
    expect(equity).toMatchObject({ name: 'Equity', unit: '$', seriesType: 2 });
    expect(equity.values).toHaveLength(50);
    expect(equity.values[0]).toHaveLength(5);
    expect(equity.values[0][0]).toBe(Date.UTC(2023, 0, 1, 5) / 1000); // New York midnight as a UTC instant
    expect(result.charts.Drawdown.series['Equity Drawdown'].values[3]).toHaveLength(2);
    expect(result.state).toMatchObject({ Status: 'Completed', RuntimeError: '', StackTrace: '', OrderCount: '20' });
    expect(result.state.EndTime).not.toBe('');
    expect(result.totalPerformance.closedTrades).toHaveLength(10);
    expect(result.totalPerformance.closedTrades[0].orderIds).toEqual([1, 2]);
    expect(result.algorithmConfiguration).toMatchObject({
      parameters: { 'ema-fast': '10' },
      startDate: '2023-01-01T00:00:00Z',
      endDate: '2023-01-31T23:59:59Z',
    });
    expect(result.statistics['Total Orders']).toBe('20');
  });

  test('events: two per order, LEAN ids, unix-second times', () => {
    const events = readResultJson(run, `${run.algorithmId}-order-events.json`);
    expect(events).toHaveLength(40);
    expect(events[0]).toMatchObject({ id: `${run.algorithmId}-1-1`, orderId: 1, orderEventId: 1, status: 'submitted' });
    expect(events[1]).toMatchObject({ id: `${run.algorithmId}-1-2`, status: 'filled', fillQuantity: 248, orderFeeAmount: 1.24 });
    expect(typeof events[0].time).toBe('number');
  });

  test('summary: statistics and a down-sampled Strategy Equity only', () => {
    const summary = readResultJson(run, `${run.algorithmId}-summary.json`);
    expect(Object.keys(summary.charts)).toEqual(['Strategy Equity']);
    expect(summary.charts['Strategy Equity'].series.Equity.values.length).toBeLessThanOrEqual(10);
    expect(summary.totalPerformance.closedTrades).toEqual([]);
    expect(summary.state.Status).toBe('Completed');
  });

  test('log.txt has the milestones in LEAN format; stdout echoes them', () => {
    const log = run.log();
    expect(log).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z TRACE:: Engine\.Main\(\)/);
    expect(log).toContain(`SetUp Backtesting: User: 0 ProjectId: 42 AlgoId: ${run.algorithmId}`);
    expect(log).toContain('AlgorithmManager.Run(): Begin DataStream - Start: 1/1/2023 12:00:00 AM Stop: 1/31/2023 11:59:59 PM');
    expect(log).toContain(`Debug: Launching analysis for ${run.algorithmId} with LEAN Engine`);
    expect(log).toContain('\nSTATISTICS:: Total Orders 20\n');
    expect(log).not.toContain('ERROR::');
    expect(log.indexOf('Begin DataStream')).toBeLessThan(log.indexOf('Launching analysis'));
    expect(run.output.stdout).toMatch(/^\d{8} \d{2}:\d{2}:\d{2}\.\d{3} TRACE:: /m);
    expect(run.output.stdout).toContain('Launching analysis');
  });

  test('<id>-log.txt holds the algorithm lines stamped with algorithm time', () => {
    const algorithmLog = readFileSync(join(run.resultsDir, `${run.algorithmId}-log.txt`), 'utf8');
    expect(algorithmLog).toMatch(/^2023-01-01 00:00:00 Launching analysis for /);
    expect(algorithmLog).toMatch(/\n2023-01-31 23:59:59 Algorithm Id:\(\w+\) completed in /);
  });
});

describe('settings', () => {
  test('config key beats the algorithm marker, which beats the parameter', async () => {
    const config = track(
      await runFakeLean({ config: { 'fake-lean-orders': 4, parameters: { 'fake-lean-orders': '8' } }, algorithm: '# fake-lean-orders: 6\n' }),
    );
    const marker = track(await runFakeLean({ config: { parameters: { 'fake-lean-orders': '8' } }, algorithm: '// fake-lean-orders: 6\n' }));
    const parameter = track(await runFakeLean({ config: { parameters: { 'fake-lean-orders': '8' } } }));
    const orders = (run: { resultsDir: string; algorithmId: string }) => Object.keys(readResultJson(run, `${run.algorithmId}.json`).orders).length;
    expect([orders(config), orders(marker), orders(parameter)]).toEqual([4, 6, 8]);
  });

  test('command-line options override the config file', async () => {
    const run = track(
      await runFakeLean({ args: ['--algorithm-id', 'cli-id', '--parameters', 'a:1,b:two', '--fake-lean-orders=2'], config: { parameters: { a: 'x' } } }),
    );
    expect(run.code).toBe(0);
    const result = readResultJson(run, 'cli-id.json');
    expect(result.algorithmConfiguration.parameters).toEqual({ a: '1', b: 'two' });
    expect(Object.keys(result.orders)).toHaveLength(2);
    expect(existsSync(join(run.resultsDir, `${run.algorithmId}.json`))).toBe(false);
  });

  test('an unknown scenario is refused with exit 2', async () => {
    const run = track(await runFakeLean({ config: { 'fake-lean-scenario': 'nope' } }));
    expect(run.code).toBe(2);
    expect(run.output.stderr).toContain("unknown fake-lean-scenario 'nope'");
  });

  test('without close-automatically it waits for a key, as LEAN does', async () => {
    const run = track(startFakeLean({ config: { 'close-automatically': false } }));
    await waitFor(() => run.output.stdout.includes('Press any key to continue'));
    let exited = false;
    run.exited.then(() => {
      exited = true;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(exited).toBe(false);
    run.child.stdin?.write('\n');
    expect((await run.exited).code).toBe(0);
  });
});

describe('failures', () => {
  test('composer-dll-directory without LEAN handlers: exits like LEAN that cannot load them (134, no log)', async () => {
    const run = track(await runFakeLean({ config: { 'composer-dll-directory': '.' } }));
    expect(run.code).toBe(134);
    expect(run.output.stderr).toMatch(
      /^Unhandled exception\. System\.ArgumentException: Unable to locate any exports matching the requested typeName: CompositeLogHandler/,
    );
    expect(run.log()).toBe('');
    // Without the key, the launcher's own folder: it starts wherever it runs.
    expect(track(await runFakeLean()).code).toBe(0);
  });

  test('runtime-error: final files with the error in state, exit 1', async () => {
    const run = track(await runFakeLean({ config: { 'fake-lean-scenario': 'runtime-error' } }));
    expect(run.code).toBe(1);
    const summary = readResultJson(run, `${run.algorithmId}-summary.json`);
    expect(summary.state.Status).toBe('RuntimeError');
    // As LEAN writes it: the algorithm's time, then HandleAlgorithmError's `Runtime Error: ` and the message.
    expect(summary.state.RuntimeError).toMatch(/^2023-01-1\d \d\d:\d\d:\d\d Runtime Error: ZeroDivisionError : division by zero/);
    expect(summary.state.StackTrace).toContain('in main.py: line 27');
    const log = run.log();
    expect(log).toMatch(/ERROR:: Extensions\.SetRuntimeError\(\): RuntimeError at .* UTC\. Context: OnData/);
    expect(log).toContain('TRACE:: Log: Runtime Error: ZeroDivisionError');
    // LEAN prints these after a runtime error too.
    expect(log).toContain('Engine.Main(): Analysis Completed and Results Posted.');
    expect(log).toContain('STATISTICS:: Total Orders 8');
  });

  test('init-error: the initialization prefix, no data stream, exit 1', async () => {
    const run = track(await runFakeLean({ algorithm: '# fake-lean-scenario: init-error\n' }));
    expect(run.code).toBe(1);
    const result = readResultJson(run, `${run.algorithmId}.json`);
    expect(result.state.Status).toBe('RuntimeError');
    expect(result.state.RuntimeError.startsWith(`2023-01-01 00:00:00 ${INIT_PREFIX}`)).toBe(true);
    expect(Object.keys(result.orders)).toHaveLength(0);
    expect(run.log()).not.toContain('Begin DataStream');
    expect(run.log()).not.toContain('Launching analysis');
    expect(run.log()).toContain(`ERROR:: BacktestingSetupHandler.Setup(): ${INIT_PREFIX}`);
  });

  test.each([
    ['crash', 134],
    ['oom', 137],
  ])('%s: exit %d, an intermediate result but no final files', async (scenario, code) => {
    const run = track(await runFakeLean({ config: { parameters: { 'fake-lean-scenario': scenario } } }));
    expect(run.code).toBe(code);
    expect(existsSync(join(run.resultsDir, `${run.algorithmId}-summary.json`))).toBe(false);
    expect(existsSync(join(run.resultsDir, `${run.algorithmId}-log.txt`))).toBe(false);
    expect(readResultJson(run, `${run.algorithmId}.json`).state.Status).toBe('Running');
    if (scenario === 'crash') {
      expect(run.log()).toContain('ERROR:: Engine.Run(): System.AccessViolationException');
      expect(run.output.stderr).toContain('Unhandled exception.');
    } else {
      expect(run.log()).not.toContain('ERROR::');
    }
  });
});

describe('hang', () => {
  test('SIGINT: final files with status Completed, exit 0', async () => {
    const run = track(startFakeLean({ config: { 'fake-lean-scenario': 'hang' } }));
    await waitFor(() => existsSync(join(run.resultsDir, `${run.algorithmId}.json`)));
    await new Promise((r) => setTimeout(r, 300));
    expect(run.child.exitCode).toBeNull();
    run.child.kill('SIGINT');
    const { code } = await run.exited;
    expect(code).toBe(0);
    const summary = readResultJson(run, `${run.algorithmId}-summary.json`);
    expect(summary.state.Status).toBe('Completed');
    expect(summary.statistics['Total Orders']).toBe('10'); // stopped half way
    expect(run.log()).toContain('Lean instance has been cancelled');
  });

  test('SIGTERM: killed without final files (LEAN does not handle it)', async () => {
    const run = track(startFakeLean({ config: { 'fake-lean-scenario': 'hang' } }));
    await waitFor(() => run.log().includes('Launching analysis'));
    run.child.kill('SIGTERM');
    const { code } = await run.exited;
    expect(code).toBe(143);
    expect(existsSync(join(run.resultsDir, `${run.algorithmId}-summary.json`))).toBe(false);
  });
});

describe('live mode (lean-runtime §4.3, §6)', () => {
  const live = (config: Record<string, unknown> = {}) =>
    track(
      startFakeLean({
        config: {
          environment: 'live-paper',
          environments: { 'live-paper': { 'live-mode': true } },
          'fake-lean-live-interval-ms': 40,
          ...config,
        },
      }),
    );
  const minuteFiles = (run: { resultsDir: string; algorithmId: string }) =>
    (existsSync(run.resultsDir) ? readdirSync(run.resultsDir) : []).filter((n) => n.startsWith(`${run.algorithmId}-`) && n.endsWith('_minute.json'));
  const writeCommand = (run: { dir: string }, command: Record<string, unknown>) => {
    // As the runner does: a temporary name LEAN ignores, then the rename.
    writeFileSync(join(run.dir, 'tmp-command.json'), JSON.stringify(command));
    renameSync(join(run.dir, 'tmp-command.json'), join(run.dir, `command-${Date.now()}.json`));
  };

  test('rewrites the minute and status files, order events by UTC day, insights, and appends the algorithm log', async () => {
    const run = live({ 'fake-lean-live-hours-per-tick': 8 });
    await waitFor(() => minuteFiles(run).length >= 3);
    run.child.kill('SIGINT');
    expect((await run.exited).code).toBe(0);
    const days = minuteFiles(run).sort();
    // An earlier day's file, last written while running (the newest one is the final packet).
    const today = readResultJson(run, days[0]!);
    expect(today).toMatchObject({ accountCurrency: 'USD', cash: { USD: { symbol: 'USD', currencySymbol: '$' } }, state: { Status: 'Running' } });
    // Only orders touched that UTC day are in a minute file.
    for (const order of Object.values(today.orders) as { lastFillTime: string }[])
      expect(order.lastFillTime.slice(0, 10)).toBe(days[0]!.slice(run.algorithmId.length + 1, run.algorithmId.length + 11));
    const status = readResultJson(run, `${run.algorithmId}.json`);
    expect(status.state.Status).toBe('Completed'); // after a stop LEAN reports Completed
    expect(Object.keys(status.orders).length).toBeGreaterThan(Object.keys(today.orders).length);
    const eventFiles = readdirSync(run.resultsDir).filter((n) => n.endsWith('-order-events.json'));
    expect(eventFiles.length).toBeGreaterThan(1);
    expect(readResultJson(run, join(run.algorithmId, 'alpha-results.json')).length).toBeGreaterThan(0);
    expect(readFileSync(join(run.resultsDir, `${run.algorithmId}-log.txt`), 'utf8')).toMatch(/Debug: update 1 SPY/);
    expect(run.log()).toContain(`Launching analysis for ${run.algorithmId}`);
  });

  test('reads command files, deletes them and acknowledges each command that has an Id', async () => {
    const run = live();
    await waitFor(() => minuteFiles(run).length > 0);
    writeCommand(run, { $type: '', text: 'hello', Id: 'c1' });
    await waitFor(() => existsSync(join(run.dir, 'result-command-c1.json')));
    expect(JSON.parse(readFileSync(join(run.dir, 'result-command-c1.json'), 'utf8'))).toEqual({
      CommandName: 'CallbackCommand',
      Success: true,
      Type: 'CommandResult',
      Channel: '',
    });
    expect(readdirSync(run.dir).filter((n) => n.startsWith('command'))).toEqual([]);
    writeCommand(run, { $type: 'QuantConnect.Commands.AlgorithmStatusCommand, QuantConnect.Common', Status: 'Stopped', Id: 'c2' });
    expect((await run.exited).code).toBe(0);
    expect(readResultJson(run, `${run.algorithmId}.json`).state.Status).toBe('Completed');
  });

  test('Liquidated closes the position before it stops', async () => {
    const run = live();
    // Invested after the second update (a fill every other update).
    const algorithmLog = join(run.resultsDir, `${run.algorithmId}-log.txt`);
    await waitFor(() => existsSync(algorithmLog) && readFileSync(algorithmLog, 'utf8').includes('filled: 10 SPY'));
    writeCommand(run, { $type: 'QuantConnect.Commands.AlgorithmStatusCommand, QuantConnect.Common', Status: 'Liquidated', Id: 'l1' });
    expect((await run.exited).code).toBe(0);
    expect(readResultJson(run, `${run.algorithmId}.json`).holdings).toEqual({});
  });

  test('SIGTERM: killed without final files', async () => {
    const run = live();
    await waitFor(() => minuteFiles(run).length > 0);
    rmSync(join(run.resultsDir, `${run.algorithmId}.json`), { force: true });
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(143);
    expect(existsSync(join(run.resultsDir, `${run.algorithmId}.json`))).toBe(false);
  });

  test('the crash switch: the first run in a folder aborts with 134 and no final files, the next runs', async () => {
    const run = live({ 'fake-lean-scenario': 'crash', 'fake-lean-seconds': 0.3 });
    expect((await run.exited).code).toBe(134);
    expect(run.output.stderr).toContain('Unhandled exception');
    expect(readResultJson(run, `${run.algorithmId}.json`).state.Status).toBe('Running');
  });
});

describe("LEAN's data folder", () => {
  const LOCAL_ZIP = {
    'map-file-provider': 'QuantConnect.Data.Auxiliary.LocalZipMapFileProvider',
    'factor-file-provider': 'QuantConnect.Data.Auxiliary.LocalZipFactorFileProvider',
  };

  test.each([
    ['market-hours', 'market-hours-database.json'],
    ['symbol-properties', 'symbol-properties-database.csv'],
  ])('without %s LEAN cannot create the algorithm: Algorithm.Initialize() Error, exit 1', async (folder, file) => {
    const empty = mkdtempSync(join(tmpdir(), 'fake-lean-data-'));
    seedLeanData(empty, folder === 'market-hours' ? ['symbol-properties'] : ['market-hours']);
    const run = track(await runFakeLean({ config: { 'data-folder': empty } }));
    rmSync(empty, { recursive: true, force: true });
    expect(run.code).toBe(1);
    const summary = readResultJson(run, `${run.algorithmId}-summary.json`);
    expect(summary.state.RuntimeError).toBe(`Algorithm.Initialize() Error: Could not find file '${join(empty, folder, file)}'.`);
    expect(run.log()).not.toContain('Launching analysis');
  });

  test('LocalZipMapFileProvider with no map_files zip from the last 30 days: an initialization error, as LEAN throws', async () => {
    const run = track(await runFakeLean({ config: LOCAL_ZIP }));
    expect(run.code).toBe(1);
    const summary = readResultJson(run, `${run.algorithmId}-summary.json`);
    expect(summary.state.RuntimeError).toMatch(
      /^During the algorithm initialization, the following exception has occurred: LocalZipMapFileProvider couldn't find any map files going all the way back to \d\d\/\d\d\/\d{4} for usa$/,
    );
  });

  test('a map_files zip from yesterday − 30 days is found; a day older is not; a missing factor zip is only an error line', async () => {
    const data = mkdtempSync(join(tmpdir(), 'fake-lean-data-'));
    seedLeanData(data);
    const mapDir = join(data, 'equity', 'usa', 'map_files');
    writeFileSync(join(mapDir, `map_files_${newYorkDay(31)}.zip`), 'zip');
    const found = track(await runFakeLean({ config: { ...LOCAL_ZIP, 'data-folder': data } }));
    expect(found.code).toBe(0);
    expect(found.log()).toContain(`LocalZipMapFileProvider.Get(usa): Fetched map files from ${join(mapDir, `map_files_${newYorkDay(31)}.zip`)}`);
    expect(found.log()).toContain('ERROR:: LocalZipFactorFileProvider.Get(SPY R735QTJ8XC9X): No factor file found.');
    rmSync(join(mapDir, `map_files_${newYorkDay(31)}.zip`));
    writeFileSync(join(mapDir, `map_files_${newYorkDay(32)}.zip`), 'zip');
    const tooOld = track(await runFakeLean({ config: { ...LOCAL_ZIP, 'data-folder': data } }));
    expect(tooOld.code).toBe(1);
    rmSync(data, { recursive: true, force: true });
  });

  test('the default providers (LocalDisk*) need no zip', async () => {
    const run = track(await runFakeLean());
    expect(run.code).toBe(0);
  });
});
