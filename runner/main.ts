import { runBacktestJob } from './modes/backtest';
import { runBuildJob } from './modes/build';
import { runLiveJob } from './modes/live';
import { InvalidRunnerSettings, runnerSettings } from './settings';
import { stopRequested, TaskStopped, taskRef } from './task';

/**
 * The runner: the entry point of the job task (design §7). ECS starts it with the job in
 * `LCS_JOB`; local mode starts it as a child process with the same variables. It runs one job
 * and exits 0 whenever the job's outcome was recorded (a failed backtest is a recorded outcome);
 * a non-zero exit means the runner itself broke, and the reconciler records that instead.
 */
function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} runner: ${line}\n`);
}

async function main(): Promise<void> {
  const settings = runnerSettings();
  const { job, workDir } = settings;
  const stop = stopRequested();
  if (job.kind === 'build') {
    await runBuildJob(job, { workDir, ...settings.build });
    return;
  }
  if (job.kind === 'live') {
    const { leanCommand, leanCwd, dataDir, apiUrl, pipCommand, leanUser } = settings.backtest;
    await runLiveJob(job, {
      workDir,
      taskRef: await taskRef(settings.taskRef, settings.taskMetadataUrl),
      leanCommand,
      leanCwd,
      dataDir,
      apiUrl,
      pipCommand,
      leanUser,
      ...settings.live,
      log,
      stopSignal: stop,
    });
    return;
  }
  await runBacktestJob(job, {
    workDir,
    taskRef: await taskRef(settings.taskRef, settings.taskMetadataUrl),
    ...settings.backtest,
    log,
    stopSignal: stop,
  });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof TaskStopped) {
      log(err.message);
      process.exit(143);
    }
    // A settings problem is the deployment's, not the code's: its message says all, no stack.
    log(`failed: ${err instanceof InvalidRunnerSettings ? err.message : ((err as Error).stack ?? err)}`);
    process.exit(1);
  },
);
