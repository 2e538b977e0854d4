import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJobMessage } from '../core/data/jobs/job-queue';
import { config } from '../core/shared/config';
import { LEAN_IMAGE } from './lean/image';
import { runBacktestJob } from './modes/backtest';
import { runBuildJob } from './modes/build';
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
  const job = parseJobMessage(process.env.LCS_JOB ?? '');
  const stop = stopRequested();
  const workDir = process.env.LCS_WORK_DIR ?? join(tmpdir(), `lcs-job-${process.pid}`);
  if (job.kind === 'build') {
    await runBuildJob(job, { workDir, dotnetCommand: process.env.LCS_DOTNET_COMMAND ?? LEAN_IMAGE.dotnet });
    return;
  }
  await runBacktestJob(job, {
    workDir,
    taskRef: await taskRef(process.env.LCS_TASK_REF, process.env.ECS_CONTAINER_METADATA_URI_V4),
    leanCommand: process.env.LCS_LEAN_COMMAND ?? LEAN_IMAGE.launcher.command,
    leanCwd: process.env.LCS_LEAN_COMMAND ? undefined : LEAN_IMAGE.launcher.cwd,
    dataDir: process.env.LCS_LEAN_DATA_DIR ?? LEAN_IMAGE.dataDir,
    apiUrl: process.env.LCS_API_URL,
    maxSeconds: config().LCS_BACKTEST_MAX_SECONDS,
    pollMs: Number(process.env.LCS_PROGRESS_MS ?? 10_000),
    memoryMb: process.env.LCS_TASK_MEMORY_MB ? Number(process.env.LCS_TASK_MEMORY_MB) : undefined,
    // In the image (no LCS_LEAN_COMMAND) LEAN's report generator is there too.
    reportCommand: process.env.LCS_REPORT_COMMAND ?? (process.env.LCS_LEAN_COMMAND ? undefined : LEAN_IMAGE.report.command),
    reportCwd: process.env.LCS_REPORT_COMMAND ? undefined : LEAN_IMAGE.report.cwd,
    pipCommand: process.env.LCS_PIP_COMMAND ?? (process.env.LCS_LEAN_COMMAND ? undefined : LEAN_IMAGE.pip),
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
    log(`failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
