import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { createBacktest } from './backtest-model.mjs';
import { checkDataFolder } from './data-folder.mjs';
import { algorithmStamp, usDate, usDateTime } from './engine-log.mjs';
import { callLeanApi } from './lean-api.mjs';
import { writeFinal, writeIntermediate } from './result-files.mjs';

/**
 * One backtest, scenario by scenario, with LEAN's milestones in LEAN's order (lean-runtime §4.1,
 * §5): set-up, `Begin DataStream`, `Launching analysis` (Initialize done), intermediate results,
 * then the exit sequence with the final files and the STATISTICS block. Resolves to the exit code.
 */

export const INITIALIZE_PREFIX = 'During the algorithm initialization, the following exception has occurred:';

const PYTHON_RUNTIME_ERROR =
  'ZeroDivisionError : division by zero\n  at on_data\n    ratio = self.portfolio.total_profit / self.trades\n                                                 ^^^^^^^^^^^\n in main.py: line 27';
const PYTHON_INIT_ERROR =
  "Trying to perform a summation, subtraction, multiplication or division between 'NoneType' and 'int' objects throws a TypeError exception.\n  at initialize\n    self.set_cash(self.cash + 1)\n    ~~~~~~~~~~^~~\n in main.py: line 12";

export async function runBacktest(settings, log, control) {
  const run = { settings, model: createBacktest(settings), startedAt: new Date() };
  if (settings.envFile) dumpEnvironment(settings.envFile);
  const { model, scenario } = { model: run.model, scenario: settings.scenario };
  const algorithmTime = (fraction) => model.wallAt(fraction);

  log.trace(`Engine.Main(): LEAN ALGORITHMIC TRADING ENGINE v2.5.0.0 Mode: DEBUG (64bit) Host: ${hostname()}`);
  log.trace(`Engine.Main(): Started ${run.startedAt.toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' })}`);
  log.trace(`JobQueue.NextJob(): Selected ${settings.algorithmLocation}`);
  log.trace(`Engine.Run(): Resource limits '0' CPUs. 2147483647 MB RAM.`);
  if (settings.language === 'Python') {
    // Lean:`Common/Python/PythonInitializer.cs` ConfigurePythonPaths: a missing folder is skipped with an error.
    for (const path of settings.pythonAdditionalPaths) {
      if (!existsSync(path)) log.error(`PythonInitializer.ConfigurePythonPaths(): Unable to find python path: ${path}. Skipping.`);
    }
  }
  log.trace(`FakeLean: scenario ${scenario}; data folder ${settings.dataFolder}${existsSync(settings.dataFolder) ? '' : ' (missing)'}`);
  log.trace(`SetUp Backtesting: User: ${settings.userId} ProjectId: ${settings.projectId} AlgoId: ${settings.algorithmId}`);
  log.trace(`Dates: Start: ${usDate(model.startWall)} End: ${usDate(model.stopWall)} Cash: ¤100,000.00 MaximumRuntime: 100.00:00:00 MaxOrders: 2147483647`);

  // ApiDataProvider is built with the algorithm's handlers; a failed organizations/read leaves it
  // a null organization, and LEAN cannot start (Lean:Engine/DataFeeds/ApiDataProvider.cs).
  if (settings.apiFile && settings.apiUrl && /ApiDataProvider$/.test(settings.dataProvider ?? '')) {
    const calls = await callLeanApi(settings, log);
    if (!calls.find((c) => c.endpoint === 'organizations/read')?.success) {
      const message =
        'System.NullReferenceException: Object reference not set to an instance of an object.\n   at QuantConnect.Lean.Engine.DataFeeds.ApiDataProvider..ctor()';
      log.error(`Engine.Run(): ${message}`);
      return finish(run, log, control, 0, { status: 'RuntimeError', runtimeError: message, stackTrace: message }, 1);
    }
  }

  const missing = checkDataFolder(settings, log);
  if (missing) {
    const message = missing.initialize ? `${INITIALIZE_PREFIX} ${missing.message}` : missing.message;
    log.error(`Engine.Run(): ${message}`);
    return finish(run, log, control, 0, { status: 'RuntimeError', runtimeError: message, stackTrace: message }, 1);
  }

  if (scenario === 'init-error') {
    const message = `${INITIALIZE_PREFIX} ${PYTHON_INIT_ERROR}`;
    log.error(`BacktestingSetupHandler.Setup(): ${message}`);
    log.error(`Engine.Run(): Initialization failed: ${message}`);
    // The result handler prefixes the message with the algorithm's time (Lean:`Engine/Results/
    // BaseResultsHandler.cs` FormatMessage, `Common/Extensions.cs` PrefixWithAlgorithmTime).
    return finish(run, log, control, 0, { status: 'RuntimeError', runtimeError: `${algorithmStamp(model.startWall)} ${message}`, stackTrace: message }, 1);
  }

  log.trace(
    `AlgorithmManager.Run(): Begin DataStream - Start: ${usDateTime(model.startWall)} Stop: ${usDateTime(model.stopWall)} Time: ${usDateTime(model.startWall)} Warmup: False`,
  );
  log.algorithm('Debug', `Launching analysis for ${settings.algorithmId} with LEAN Engine v2.5.0.0`, algorithmTime(0));
  log.algorithm('Debug', 'Fake LEAN strategy initialized', algorithmTime(0));
  useObjectStore(settings, (text) => log.algorithm('Debug', text, algorithmTime(0)));
  // What LEAN logs when data/read answers 429 (Lean:Api/ApiConnection.cs TryRequest, Lean:Api/Api.cs
  // DownloadData); it then goes on without the file.
  for (let i = 0; i < settings.throttledReads; i++) {
    const file = join(settings.dataFolder, 'equity', 'usa', 'minute', 'spy', `2023010${(i % 9) + 1}_trade.zip`);
    const message = 'Too many requests for this organization; retry in 1 s.';
    log.error(
      `ApiConnect.TryRequest(http://localhost/api/v2/data/read): HTTP Error: 429 Too Many Requests. Content: {"success":false,"errors":["${message}"]}`,
    );
    log.trace(`Api.DownloadData(): Failed to get link for ${file}. Errors: ${message}`);
  }

  // Fractions of the period at which the intermediate `<id>.json` is rewritten.
  const steps = scenario === 'slow' ? Math.max(3, Math.ceil(settings.seconds * 2)) : 1;
  const pause = scenario === 'slow' ? (settings.seconds * 1000) / (steps + 1) : 0;
  let fraction = 0;
  for (let step = 1; step <= steps; step++) {
    if (await control.wait(pause)) break;
    fraction = scenario === 'slow' ? step / (steps + 1) : 0.5;
    if (scenario === 'runtime-error' || scenario === 'crash' || scenario === 'oom') fraction = 0.4;
    const orders = model.ordersAt(fraction);
    if (orders > 0) log.algorithm('Debug', `Orders so far: ${orders}, equity ${model.equityAt(model.pointsAt(fraction))}`, algorithmTime(fraction));
    if (settings.halfWriteMs > 0) {
      // LEAN rewrites the file in place: a reader may catch it half-written for a while.
      writeIntermediate(run, fraction, true);
      if (await control.wait(settings.halfWriteMs)) break;
    }
    writeIntermediate(run, fraction);
  }
  // Let the last intermediate file be seen before the final one replaces it.
  if (scenario === 'slow') await control.wait(pause);

  if (scenario === 'oom') return 137; // killed by the kernel: no more log lines, no final files
  if (scenario === 'crash') {
    const trace = 'System.AccessViolationException: Attempted to read or write protected memory.\n   at QuantConnect.Lean.Engine.AlgorithmManager.Run()';
    log.error(`Engine.Run(): ${trace}`);
    process.stderr.write(`Unhandled exception. ${trace}\n`);
    return 134;
  }
  if (scenario === 'runtime-error') {
    const at = new Date((algorithmTime(fraction) + 5 * 3600) * 1000).toISOString().slice(0, 19).replace('T', ' ');
    log.error(`Extensions.SetRuntimeError(): RuntimeError at ${at} UTC. Context: OnData System.Exception: ${PYTHON_RUNTIME_ERROR}`);
    log.algorithm('Log', `Runtime Error: ${PYTHON_RUNTIME_ERROR}`, algorithmTime(fraction));
    log.error(`AlgorithmManager.Run(): Stopping, encountered a runtime error at ${at} UTC. ${PYTHON_RUNTIME_ERROR}`);
    // Lean:`Engine/Engine.cs` HandleAlgorithmError: `Runtime Error: <message>`, prefixed with the
    // algorithm's time by the result handler; for Python the stack trace is the message alone.
    const runtimeError = `${algorithmStamp(algorithmTime(fraction))} Runtime Error: ${PYTHON_RUNTIME_ERROR}`;
    return finish(run, log, control, fraction, { status: 'RuntimeError', runtimeError, stackTrace: PYTHON_RUNTIME_ERROR }, 1);
  }
  if (scenario === 'hang') await control.untilStopped();
  if (!control.stopped) fraction = 1;
  return finish(run, log, control, fraction, { status: 'Completed' }, 0);
}

/** LEAN's exit sequence; these lines come after a runtime error too, so none of them proves success. */
async function finish(run, log, control, fraction, outcome, exitCode) {
  const { settings, model } = run;
  log.trace('Engine.Run(): Exiting Algorithm Manager');
  log.trace('BacktestingResultHandler.Exit(): starting...');
  log.trace('BacktestingResultHandler.Exit(): Saving logs...');
  const seconds = ((Date.now() - run.startedAt.getTime()) / 1000).toFixed(2);
  log.algorithm(
    'Debug',
    `Algorithm Id:(${settings.algorithmId}) completed in ${seconds} seconds at 1k data points per second. Processing total of 1,000 data points.`,
    model.wallAt(fraction),
  );
  // `fake-lean-kill-after-summary`: killed (SIGKILL) after the summary, before the final `<id>.json`.
  const afterSummary = settings.killAfterSummary ? () => process.kill(process.pid, 'SIGKILL') : undefined;
  const { statistics } = writeFinal(run, fraction, outcome, log.algorithmLog(), afterSummary);
  log.statistics(statistics);
  log.trace('BacktestingResultHandler.SendAnalysisResult(): Processed final packet');
  log.trace('Engine.Main(): Analysis Completed and Results Posted.');
  if (!settings.closeAutomatically) {
    // Without close-automatically LEAN blocks here (lean-runtime §2); so does the fake.
    log.trace('Engine.Main(): Press any key to continue.');
    await control.untilKeyOrStop();
  }
  return exitCode;
}

/**
 * What an algorithm does with `self.object_store`: LEAN's LocalObjectStore is a plain folder, so
 * the fake lists what it finds there, saves one key and deletes one key when asked to.
 */
function useObjectStore(settings, say) {
  const root = settings.objectStoreRoot;
  if (!root) return;
  const found = existsSync(root) ? readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()) : [];
  const keys = found.map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/')).sort();
  say(`Object store keys: ${keys.join(', ') || '(none)'}`);
  if (settings.storeWrite) {
    const target = join(root, ...String(settings.storeWrite).split('/'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, `saved by ${settings.algorithmId}\n`);
  }
  if (settings.storeDelete) rmSync(join(root, ...String(settings.storeDelete).split('/')), { force: true });
}

/**
 * Test-only (`fake-lean-env-file`): what an algorithm could learn of its host. The environment
 * LEAN was started with, its user, and whether it can read its parent's (the runner's) environment
 * through /proc, as any process of the same user can.
 */
function dumpEnvironment(file) {
  let parentEnviron;
  try {
    parentEnviron = readFileSync(`/proc/${process.ppid}/environ`, 'utf8').split('\0').filter(Boolean);
  } catch (error) {
    parentEnviron = error.code;
  }
  const seen = { env: process.env, uid: process.getuid?.(), gid: process.getgid?.(), parentEnviron };
  writeFileSync(file, JSON.stringify(seen));
}
