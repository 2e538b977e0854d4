#!/usr/bin/env node
/**
 * Fake LEAN: a stand-in for `dotnet QuantConnect.Lean.Launcher.dll --config <file>` that follows
 * the fake-LEAN contract of lean-runtime §8. Plain Node, no dependencies, opens the network only
 * when a test asks for LEAN's own API calls (`fake-lean-api-file`, lean-api.mjs).
 *
 *   node test/support/fake-lean/fake-lean.mjs --config /job/config.json [--algorithm-id …] [--results-destination-folder …]
 *
 * The scenario (`ok`, `slow`, `runtime-error`, `init-error`, `crash`, `oom`, `hang`, `huge`) and the
 * tunables `fake-lean-seconds`, `fake-lean-orders`, `fake-lean-chart-points`, `fake-lean-insights`
 * come from the config key, else a `# fake-lean-<name>: <value>` line in the algorithm file, else
 * the algorithm's parameters. SIGINT stops the run gracefully (final files, status Completed,
 * exit 0), like Ctrl-C in LEAN; SIGTERM kills it without final files, as LEAN does not handle it.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBacktest } from './backtest.mjs';
import { openEngineLog } from './engine-log.mjs';
import { runLive } from './live.mjs';
import { loadSettings } from './options.mjs';

/** Stop requests (SIGINT) and the waits that end early because of them. */
function createControl(log) {
  const waiters = new Set();
  const control = {
    stopped: false,
    /** Sleeps `ms`; resolves `true` at once if a stop was requested meanwhile. */
    wait(ms) {
      if (control.stopped) return Promise.resolve(true);
      if (ms <= 0) return Promise.resolve(false);
      return new Promise((resolve) => {
        const waiter = () => {
          clearTimeout(timer);
          resolve(true);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          resolve(false);
        }, ms);
        waiters.add(waiter);
      });
    },
    untilStopped() {
      if (control.stopped) return Promise.resolve(true);
      // A long-lived timer keeps the event loop alive while nothing else is pending.
      return new Promise((resolve) => {
        const keepAlive = setInterval(() => {}, 60_000);
        waiters.add(() => {
          clearInterval(keepAlive);
          resolve(true);
        });
      });
    },
    untilKeyOrStop() {
      return new Promise((resolve) => {
        const done = () => {
          process.stdin.pause();
          resolve(true);
        };
        process.stdin.once('data', done);
        waiters.add(done);
        if (control.stopped) done();
      });
    },
  };
  process.on('SIGINT', () => {
    if (control.stopped) return;
    control.stopped = true;
    log.trace('Program.ExitKeyPress(): Lean instance has been cancelled, shutting down safely now');
    for (const waiter of waiters) waiter();
    waiters.clear();
  });
  process.on('SIGTERM', () => process.exit(143));
  return control;
}

/**
 * Where LEAN looks for its handler DLLs (Lean:`Common/Util/Composer.cs`): `composer-dll-directory`
 * when set (relative to the working directory), else the launcher's own folder when it holds
 * `QuantConnect.*.dll`, else the working directory's parent or the working directory. The fake's
 * "handlers" are its own scripts: a folder has them when it holds LEAN DLLs or `fake-lean.mjs`.
 * Returns the exception LEAN dies of when the folder has none.
 */
function handlerProblem(settings) {
  const launcherDir = dirname(fileURLToPath(import.meta.url));
  const hasHandlers = (dir) => {
    try {
      return readdirSync(dir).some((name) => name === 'fake-lean.mjs' || /^QuantConnect\..*\.dll$/.test(name));
    } catch {
      return false;
    }
  };
  let dir = settings.composerDllDirectory;
  if (!dir) {
    const parent = dirname(settings.cwd);
    dir = hasHandlers(launcherDir) ? launcherDir : hasHandlers(parent) ? parent : settings.cwd;
  }
  if (hasHandlers(dir)) return undefined;
  return `System.ArgumentException: Unable to locate any exports matching the requested typeName: CompositeLogHandler. Type: QuantConnect.Logging.ILogHandler (Parameter 'typeName') [composer-dll-directory ${resolve(dir)}]`;
}

async function main() {
  let settings;
  try {
    settings = loadSettings(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`fake LEAN: ${error.message}\n`);
    return 2;
  }
  const handlers = handlerProblem(settings);
  if (handlers) {
    // Lean:`Engine/Initializer.cs` Start → `Common/Util/Composer.cs` GetExportedValueByTypeName
    // throws before any log file exists; the launcher dies of the unhandled exception (abort).
    process.stderr.write(`Unhandled exception. ${handlers}\n`);
    return 134;
  }
  mkdirSync(settings.resultsDir, { recursive: true });
  const log = openEngineLog(settings.resultsDir);
  const control = createControl(log);
  try {
    if (settings.liveMode) return await runLive(settings, log, control);
    return await runBacktest(settings, log, control);
  } finally {
    log.close();
  }
}

process.exit(await main());
