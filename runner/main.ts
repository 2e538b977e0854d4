import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJobMessage } from '../core/data/jobs/job-queue';
import { config } from '../core/shared/config';
import { IMAGE_REPORT } from './lean/report';
import { runBacktestJob, TaskStopped } from './modes/backtest';
import { runBuildJob } from './modes/build';

/**
 * The runner: the entry point of the job task (design §7). ECS starts it with the job in
 * `LCS_JOB`; local mode starts it as a child process with the same variables. It runs one job
 * and exits 0 whenever the job's outcome was recorded (a failed backtest is a recorded outcome);
 * a non-zero exit means the runner itself broke, and the reconciler records that instead.
 */
const IMAGE_LEAN = 'dotnet QuantConnect.Lean.Launcher.dll';
const IMAGE_LEAN_CWD = '/Lean/Launcher/bin/Debug';

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} runner: ${line}\n`);
}

/** The ECS task ARN from the task metadata endpoint; local mode passes LCS_TASK_REF. */
async function taskRef(): Promise<string> {
  if (process.env.LCS_TASK_REF) return process.env.LCS_TASK_REF;
  const metadata = process.env.ECS_CONTAINER_METADATA_URI_V4;
  if (metadata) {
    const task = (await (await fetch(`${metadata}/task`)).json()) as { TaskARN?: string };
    if (task.TaskARN) return task.TaskARN;
  }
  return `pid:${process.pid}`;
}

async function main(): Promise<void> {
  const job = parseJobMessage(process.env.LCS_JOB ?? '');
  const stop = new Promise<void>((resolve) => {
    // ECS sends SIGTERM before killing the task (stopTimeout); local mode sends it on shutdown.
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  const workDir = process.env.LCS_WORK_DIR ?? join(tmpdir(), `lcs-job-${process.pid}`);
  if (job.kind === 'build') {
    await runBuildJob(job, { workDir, dotnetCommand: process.env.LCS_DOTNET_COMMAND ?? 'dotnet' });
    return;
  }
  await runBacktestJob(job, {
    workDir,
    taskRef: await taskRef(),
    leanCommand: process.env.LCS_LEAN_COMMAND ?? IMAGE_LEAN,
    leanCwd: process.env.LCS_LEAN_COMMAND ? undefined : IMAGE_LEAN_CWD,
    dataDir: process.env.LCS_LEAN_DATA_DIR ?? '/Lean/Data',
    apiUrl: process.env.LCS_API_URL,
    maxSeconds: config().LCS_BACKTEST_MAX_SECONDS,
    pollMs: Number(process.env.LCS_PROGRESS_MS ?? 10_000),
    memoryMb: process.env.LCS_TASK_MEMORY_MB ? Number(process.env.LCS_TASK_MEMORY_MB) : undefined,
    // In the image (no LCS_LEAN_COMMAND) LEAN's report generator is there too.
    reportCommand: process.env.LCS_REPORT_COMMAND ?? (process.env.LCS_LEAN_COMMAND ? undefined : IMAGE_REPORT.command),
    reportCwd: process.env.LCS_REPORT_COMMAND ? undefined : IMAGE_REPORT.cwd,
    pipCommand: process.env.LCS_PIP_COMMAND ?? (process.env.LCS_LEAN_COMMAND ? undefined : 'python -m pip'),
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
