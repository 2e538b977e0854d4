import { chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { backtestRepository } from '../../core/data/backtests/backtest-repository';
import { resultStore } from '../../core/data/results/result-store';
import { backtestLifecycle } from '../../core/domain/backtests/backtest-lifecycle';
import { type Backtest, isFinal } from '../../core/domain/backtests/types';
import type { JobMessage } from '../../core/ports/task-runner';
import { MetricUnit, recordEvent } from '../../core/shared/metrics';
import { jobCredentials, type LeanApiCredential } from '../job-credentials';
import { leanConfig } from '../lean/config';
import { readEngineLog } from '../lean/engine-log';
import { giveTo, type LeanUser, leanEnvironment, leanUser } from '../lean/environment';
import { readLeanResults } from '../lean/final-results';
import { startLean } from '../lean/process';
import { progressPoller } from '../lean/progress';
import { makeReport } from '../lean/report';
import { classifyRun } from '../lean/run-outcome';
import { pullObjects, pushObjects } from '../object-store-sync';
import { installRequirements, prepareAssembly } from '../project-setup';
import { TaskStopped } from '../task';
import { materialiseSnapshot } from '../workspace';

export interface BacktestJobOptions {
  workDir: string;
  taskRef: string;
  leanCommand: string;
  leanCwd?: string;
  dataDir: string;
  apiUrl?: string;
  maxSeconds: number;
  /** How often progress and the heartbeat are written, ms. */
  pollMs: number;
  memoryMb?: number;
  /** LEAN's report generator (in the image); unset: the runner's own HTML report. */
  reportCommand?: string;
  reportCwd?: string;
  log: (line: string) => void;
  /** Resolves when the task is told to stop (SIGTERM from ECS, or the local worker shutting down). */
  stopSignal: Promise<void>;
  /**
   * Installs a Python project's requirements.txt before LEAN starts (`python -m pip` in the
   * image); unset: requirements are not installed and the job log says so.
   */
  pipCommand?: string;
  /**
   * The unprivileged user LEAN (and pip) run as when the runner is root (the runner image's
   * `lean`); the job folder is handed over to it. Unset, or a runner that is not root: LEAN runs
   * as the runner, with the clean environment only (lean/environment.ts).
   */
  leanUser?: LeanUser;
}

type BacktestJob = Extract<JobMessage, { kind: 'backtest' }>;

/**
 * One backtest, start to finish (lean-runtime §8): materialise the compile snapshot, write LEAN's
 * config, run LEAN, publish progress while it runs, then store the pre-split results and the
 * final status. Whatever happens, the backtest ends in a final phase and its node is freed.
 */
export async function runBacktestJob(job: BacktestJob, options: BacktestJobOptions): Promise<void> {
  const initial = await backtestRepository.get(job.projectId, job.backtestId);
  if (!initial || isFinal(initial) || initial.attempt !== job.attempt) {
    options.log(`backtest ${job.backtestId}: nothing to run (${initial ? initial.phase : 'deleted'})`);
    return;
  }
  const backtest = await backtestLifecycle.running(initial, options.taskRef);
  if (!backtest) {
    options.log(`backtest ${job.backtestId}: no longer wanted`);
    return;
  }
  const dirs = {
    project: join(options.workDir, 'project'),
    results: join(options.workDir, 'results'),
    storage: join(options.workDir, 'storage'),
  };
  for (const dir of Object.values(dirs)) await mkdir(dir, { recursive: true });
  await mkdir(options.dataDir, { recursive: true });

  let credentials: LeanApiCredential | undefined;
  try {
    const { manifest, files } = await materialiseSnapshot(backtest.projectId, backtest.compileId, dirs.project);
    const language = manifest.language;
    const assembly = language === 'C#' ? await prepareAssembly(backtest, files, options.workDir, options.leanCwd) : undefined;
    // LEAN and pip: LEAN's user when the runner can switch, and never the runner's environment.
    // `pip install --user` goes to the job folder's PYTHONUSERBASE, where LEAN's Python finds it.
    const user = leanUser(options.leanUser);
    const pythonUserBase = join(options.workDir, 'python');
    const env = leanEnvironment(process.env, { ...(user?.home ? { HOME: user.home } : {}), PYTHONUSERBASE: pythonUserBase });
    if (user) await giveTo(options.workDir, user);
    const as = { env, uid: user?.uid, gid: user?.gid };
    const pipProblem = language === 'Py' ? await installRequirements(dirs.project, files, options, as) : undefined;
    if (pipProblem) {
      await backtestLifecycle.failed(backtest, pipProblem, '');
      return;
    }
    const objects = await pullObjects(backtest.orgId, dirs.storage);
    // LEAN's own credential for this backtest, never the user's token (runner/job-credentials.ts).
    credentials = options.apiUrl
      ? await jobCredentials({
          orgId: backtest.orgId,
          projectId: backtest.projectId,
          userId: backtest.userId,
          job: { kind: 'backtest', id: backtest.backtestId },
          maxSeconds: options.maxSeconds,
        })
      : undefined;
    // Loaded here, not at start-up: the runner marks the backtest running as early as it can.
    await (await import('../map-factor-files')).provideMapFactorFiles(options.dataDir, options.log);
    const configFile = join(options.workDir, 'config.json');
    const config = leanConfig({
      backtest,
      language,
      projectDir: dirs.project,
      resultsDir: dirs.results,
      storageDir: dirs.storage,
      dataDir: options.dataDir,
      apiUrl: options.apiUrl,
      credentials,
      assembly,
    });
    await writeFile(configFile, JSON.stringify(config, null, 2), { mode: 0o600 });
    // What was written after the hand-over above: the object store pulled and the config.
    if (user) {
      await giveTo(dirs.storage, user);
      await chown(configFile, user.uid, user.gid);
    }

    const lean = startLean({
      command: options.leanCommand,
      configFile,
      cwd: options.leanCwd ?? options.workDir,
      maxSeconds: options.maxSeconds,
      env,
      user,
      echo: (text) => process.stdout.write(text),
    });
    options.log(`backtest ${backtest.backtestId}: LEAN started (pid ${lean.pid})`);
    // Queue wait, node, task start (image pull on Fargate), snapshot and config: what users wait for.
    recordEvent('RunnerStartLatency', { kind: 'backtest' }, Date.now() - Date.parse(backtest.created), MetricUnit.Milliseconds);
    let stoppedFromOutside = false;
    void options.stopSignal.then(() => {
      stoppedFromOutside = true;
      lean.stop();
    });

    const poller = progressPoller(dirs.results, backtest.backtestId);
    const poll = setInterval(() => {
      void (async () => {
        const { progress, runtimeStatistics } = await poller.poll();
        const progressed = await backtestLifecycle.progress(backtest, progress, runtimeStatistics ? { runtimeStatistics } : {});
        // Deleted, or stopped by someone else: stop LEAN (its results are not wanted).
        if (!progressed) lean.stop(10_000);
      })().catch((err: unknown) => options.log(`progress update failed: ${(err as Error).message}`));
    }, options.pollMs);

    const exit = await lean.done;
    clearInterval(poll);
    options.log(`backtest ${backtest.backtestId}: LEAN exited (code ${exit.exitCode ?? exit.signal})`);
    if (stoppedFromOutside) {
      // The task itself is being stopped (Spot reclaim, scale-in, local shutdown). Unless a user
      // asked for it (delete), the outcome is the reconciler's to record: it retries a Spot
      // interruption once and fails anything else with the task's stop reason.
      const now = await backtestRepository.get(backtest.projectId, backtest.backtestId);
      if (now && !now.stopRequested) throw new TaskStopped('backtest');
    }
    const synced = await pushObjects(backtest.orgId, dirs.storage, objects);
    options.log(`backtest ${backtest.backtestId}: object store: ${synced.stored} stored, ${synced.removed} removed`);
    await finish(backtest, dirs.results, exit, options, synced.problems);
  } catch (err) {
    if (err instanceof TaskStopped) throw err;
    options.log(`backtest ${backtest.backtestId}: runner error: ${(err as Error).stack ?? err}`);
    await backtestLifecycle.failed(backtest, `The backtest runner failed: ${(err as Error).message}`, '');
  } finally {
    // The job is over, however it ended: its credential must not outlive it.
    await credentials
      ?.revoke()
      .catch((err: unknown) => options.log(`backtest ${backtest.backtestId}: could not revoke its job credential: ${(err as Error).message}`));
    await rm(options.workDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

async function finish(
  backtest: Backtest,
  resultsDir: string,
  exit: Awaited<ReturnType<typeof startLean>['done']>,
  options: BacktestJobOptions,
  notes: string[],
): Promise<void> {
  const logText = await readEngineLog(resultsDir);
  const { throttledDataReads, throttledNote } = await import('../data-reads');
  const throttled = throttledNote(throttledDataReads(logText));
  if (throttled) options.log(`backtest ${backtest.backtestId}: ${throttled}`);
  const logNotes = throttled ? [...notes, throttled] : notes;
  const results = await readLeanResults(resultsDir, backtest.backtestId);
  const verdict = classifyRun({
    exitCode: exit.exitCode,
    signal: exit.signal,
    maxRuntimeSeconds: options.maxSeconds,
    results,
    logText,
    stderrTail: exit.stderrTail,
    timedOut: exit.timedOut,
    memoryMb: options.memoryMb,
  });
  let stored: Partial<Backtest> = {};
  if (results) {
    // What the algorithm saved but could not be kept (quota, bad keys) belongs in its log.
    if (logNotes.length) results.algorithmLog += `${logNotes.map((n) => `${new Date().toISOString()} ${n}`).join('\n')}\n`;
    const written = await resultStore.writeResults(backtest.projectId, backtest.backtestId, results);
    const report = await makeReport(results, {
      command: options.reportCommand,
      cwd: options.reportCwd,
      resultsDir,
      meta: { name: backtest.name, projectId: backtest.projectId, backtestId: backtest.backtestId },
      log: options.log,
    });
    await resultStore.writeReport(backtest.projectId, backtest.backtestId, report.html);
    stored = {
      ...written,
      resultsReady: true,
      reportReady: true,
      statistics: results.summary.statistics,
      runtimeStatistics: results.summary.runtimeStatistics,
      backtestStart: results.summary.backtestStart,
      backtestEnd: results.summary.backtestEnd,
    };
  }
  recordEvent('BacktestsEnded', { outcome: verdict.outcome });
  const ended =
    verdict.outcome === 'completed'
      ? await backtestLifecycle.completed(backtest, stored)
      : await backtestLifecycle.failed(backtest, verdict.error ?? 'Runtime Error', verdict.stacktrace ?? '', stored);
  // Deleted while it ran: nothing may be left behind.
  if (!ended && !(await backtestRepository.get(backtest.projectId, backtest.backtestId))) {
    await resultStore.deleteResults(backtest.projectId, backtest.backtestId);
  }
}
