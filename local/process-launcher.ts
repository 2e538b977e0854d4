import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LaunchRequest, LaunchResult, TaskEnd, TaskLauncher } from '../core/ports/task-runner';
import { LaunchRefused } from '../core/ports/task-runner';
import { seedFromImage } from './lean-data';

/**
 * Local mode's stand-in for ECS (design §10): each job runs the real runner as a child process
 * with the same environment a Fargate task gets. LEAN itself is started by the runner through
 * `LCS_LEAN_COMMAND` when set, otherwise through `docker run` when a Docker engine answers; with
 * neither, the job fails at once with a message saying what to install.
 */
const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LEAN_IMAGE = process.env.LCS_LEAN_IMAGE ?? 'quantconnect/lean:latest';
/** The docker client to use (tests point it at nothing to get the "no engine" behaviour anywhere). */
const DOCKER = process.env.LCS_DOCKER ?? 'docker';

export interface ProcessLauncherOptions {
  /** Folder for job work directories (one per task, removed by the runner when done). */
  jobsDir: string;
  /** LEAN's data folder (shared by local jobs; ApiDataProvider fills it through this API). */
  leanDataDir: string;
  apiUrl: string;
  /** Called when a runner exits, for the reconciler. */
  onEnd(end: TaskEnd): void;
  progressMs?: number;
}

let dockerAnswer: boolean | undefined;
function dockerAvailable(): boolean {
  dockerAnswer ??= spawnSync(DOCKER, ['info', '--format', '{{.ServerVersion}}'], { timeout: 5000, stdio: 'ignore' }).status === 0;
  return dockerAnswer;
}

/**
 * How a LEAN container reaches this API. On Linux the container shares the host's network, so
 * `localhost` works; Docker Desktop (macOS, Windows) runs containers in a VM where the host is
 * `host.docker.internal`, and forwards it to services listening on the host's loopback.
 */
export function dockerNetwork(platform: NodeJS.Platform = process.platform): { flags: string; apiHost?: string } {
  return platform === 'linux' ? { flags: '--network host' } : { flags: '--add-host=host.docker.internal:host-gateway', apiHost: 'host.docker.internal' };
}

/** The API address as LEAN inside a container must use it (unchanged when LEAN runs on the host). */
export function leanApiUrl(apiUrl: string, viaDocker: boolean, platform: NodeJS.Platform = process.platform): string {
  const host = dockerNetwork(platform).apiHost;
  if (!viaDocker || !host) return apiUrl;
  const url = new URL(apiUrl);
  if (['localhost', '127.0.0.1', '[::1]', '0.0.0.0'].includes(url.hostname)) url.hostname = host;
  return url.toString();
}

/** The name of the LEAN container of one job, so it can be killed and removed by name. */
export function leanContainerName(token: string): string {
  return `lcs-lean-${token.replace(/[^a-zA-Z0-9_.-]/g, '-')}`;
}

/**
 * After a job's LEAN container: `docker rm -f` by name (a SIGKILL of the runner, or of the
 * `docker run` client, leaves the container running otherwise), then, as LEAN runs as root in the
 * image (lean-runtime §1), give what it wrote in the job and data folders back to this user so
 * they can be cleaned up; both through the docker client.
 */
export function containerCleanup(name: string, dirs: string[], owner?: { uid: number; gid: number }): string[][] {
  const steps = [['rm', '-f', name]];
  if (owner && owner.uid !== 0) {
    const mounts = dirs.flatMap((dir) => ['-v', `${dir}:${dir}`]);
    steps.push(['run', '--rm', ...mounts, '--entrypoint', 'chown', LEAN_IMAGE, '-R', `${owner.uid}:${owner.gid}`, ...dirs]);
  }
  return steps;
}

function runDocker(args: string[], timeoutMs = 120_000): Promise<void> {
  return new Promise((done) => execFile(DOCKER, args, { timeout: timeoutMs }, () => done()));
}

export function engineCommands(jobsDir: string, leanDataDir: string, token?: string): { lean?: string; dotnet?: string; leanInDocker: boolean } {
  const lean = process.env.LCS_LEAN_COMMAND;
  const dotnet = process.env.LCS_DOTNET_COMMAND;
  if (lean && dotnet) return { lean, dotnet, leanInDocker: false };
  if (!dockerAvailable()) return { lean, dotnet, leanInDocker: false };
  // The job folder and the data folder are mounted at the same paths, so the config's absolute
  // paths hold inside the container.
  const mounts = `-v '${jobsDir}:${jobsDir}' -v '${leanDataDir}:${leanDataDir}'`;
  const { flags } = dockerNetwork();
  return {
    lean: lean ?? `${DOCKER} run --rm${token ? ` --name ${leanContainerName(token)}` : ''} ${flags} ${mounts} -w /Lean/Launcher/bin/Debug ${LEAN_IMAGE}`,
    dotnet: dotnet ?? `${DOCKER} run --rm ${flags} ${mounts} --entrypoint dotnet ${LEAN_IMAGE}`,
    leanInDocker: !lean,
  };
}

/** One line for the start-up banner: how backtests will run here, or what to install. */
export function describeEngine(jobsDir: string, leanDataDir: string): string {
  const engines = engineCommands(jobsDir, leanDataDir);
  if (!engines.lean) return 'backtests: no LEAN engine found; install Docker or set LCS_LEAN_COMMAND (backtests fail until then)';
  const how = process.env.LCS_LEAN_COMMAND ? `LCS_LEAN_COMMAND (${process.env.LCS_LEAN_COMMAND})` : `Docker (${LEAN_IMAGE})`;
  return `backtests: LEAN runs through ${how}`;
}

/**
 * Starts the real runner as a child process for one job (a backtest, a build, a live deployment)
 * with the variables of a Fargate task's runner, checked by runner/settings.ts at start. The
 * server's own environment is the runner's too, but never LEAN's: the runner starts LEAN with a
 * minimal environment of its own (runner/lean/environment.ts), and a `docker run` passes none into
 * the container. `extraEnv` carries what a task definition would inject (a live deployment's secret).
 */
export function spawnRunner(
  options: Pick<ProcessLauncherOptions, 'jobsDir' | 'leanDataDir' | 'apiUrl' | 'progressMs'>,
  job: unknown,
  token: string,
  engines = engineCommands(options.jobsDir, options.leanDataDir, token),
  extraEnv: Record<string, string> = {},
) {
  const workDir = join(options.jobsDir, token);
  mkdirSync(workDir, { recursive: true });
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'runner', 'main.ts')], {
    cwd: projectRoot,
    env: {
      ...process.env,
      LCS_JOB: JSON.stringify(job),
      LCS_TASK_REF: `local:${token}`,
      LCS_WORK_DIR: workDir,
      LCS_LEAN_DATA_DIR: options.leanDataDir,
      LCS_API_URL: leanApiUrl(options.apiUrl, engines.leanInDocker),
      LCS_PROGRESS_MS: String(options.progressMs ?? 2000),
      ...(engines.lean ? { LCS_LEAN_COMMAND: engines.lean } : {}),
      ...(engines.dotnet ? { LCS_DOTNET_COMMAND: engines.dotnet } : {}),
      // LEAN's working directory is inside its container: a live runner hands it commands with `docker exec`.
      ...(engines.leanInDocker ? { LCS_LEAN_CONTAINER: leanContainerName(token), LCS_DOCKER: DOCKER } : {}),
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { child, workDir, engines };
}

export function processLauncher(options: ProcessLauncherOptions) {
  const running = new Map<string, ChildProcess>();
  let shuttingDown = false;
  const exits = new Map<string, Promise<void>>();
  // One copy out of the image at a time; each backtest checks the image id (cheap) first.
  let seeding: Promise<boolean> | undefined;
  const seedLeanData = async (pull = true): Promise<boolean> => {
    // Started at start-up without pulling: a launch waits for that copy, then checks again.
    if (seeding) await seeding.catch(() => undefined);
    seeding ??= seedFromImage(options.leanDataDir, LEAN_IMAGE, DOCKER, { pull }).finally(() => {
      seeding = undefined;
    });
    return seeding;
  };
  // An image already here is copied from at once, so the first backtest does not wait for it.
  if (!process.env.LCS_LEAN_COMMAND && dockerAvailable()) void seedLeanData(false).catch(() => undefined);

  const launcher: TaskLauncher = {
    async launch(request: LaunchRequest): Promise<LaunchResult> {
      const taskRef = `local:${request.token}`;
      if (running.has(taskRef)) return { taskRef }; // the same token never starts a second task
      const engines = engineCommands(options.jobsDir, options.leanDataDir, request.token);
      if (request.job.kind === 'backtest' && !engines.lean) {
        throw new LaunchRefused(
          'No LEAN engine is available to run backtests: install Docker (the worker then runs the quantconnect/lean image) or set LCS_LEAN_COMMAND to a LEAN launcher command, and restart the server.',
        );
      }
      if (request.job.kind === 'build' && !engines.dotnet) {
        throw new LaunchRefused(
          'C# projects are built with .NET: install Docker (the worker then builds inside the quantconnect/lean image) or set LCS_DOTNET_COMMAND, and restart the server.',
        );
      }
      if (request.job.kind === 'backtest' && engines.leanInDocker) {
        // LEAN reads market hours and symbol properties from its data folder before any download.
        await seedLeanData().catch((err: unknown) => {
          throw new LaunchRefused(`Could not copy LEAN's data folder out of ${LEAN_IMAGE} into ${options.leanDataDir}: ${(err as Error).message}`);
        });
      }
      const { child, workDir } = spawnRunner(options, request.job, request.token, engines);
      let tail = '';
      const keep = (d: Buffer) => {
        tail = (tail + d.toString()).slice(-4000);
        if (process.env.LCS_RUNNER_ECHO) process.stdout.write(d);
      };
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      running.set(taskRef, child);
      exits.set(
        taskRef,
        new Promise((done) => {
          child.once('exit', async (code, signal) => {
            if (request.job.kind === 'backtest' && engines.leanInDocker) {
              const owner = process.getuid && process.getgid ? { uid: process.getuid(), gid: process.getgid() } : undefined;
              for (const step of containerCleanup(leanContainerName(request.token), [workDir, options.leanDataDir], owner)) await runDocker(step);
              try {
                rmSync(workDir, { recursive: true, force: true });
              } catch {
                // Left for the operator; the job's end is recorded regardless.
              }
            }
            running.delete(taskRef);
            const lastLine = tail.trim().split('\n').slice(-3).join(' ');
            options.onEnd({
              taskRef,
              job: request.job,
              exitCode: code ?? (signal === 'SIGKILL' ? 137 : undefined),
              stopCode: 'exited',
              reason: shuttingDown
                ? 'the local server was stopped while the job ran'
                : signal
                  ? `runner killed by ${signal}`
                  : `runner exited with code ${code}. ${lastLine}`,
            });
            done();
          });
        }),
      );
      return { taskRef };
    },

    async stop(taskRef: string): Promise<void> {
      running.get(taskRef)?.kill('SIGTERM');
    },
  };

  return {
    launcher,
    isRunning: (taskRef: string) => running.has(taskRef),
    /** Stops every runner (SIGTERM: LEAN gets SIGINT) and waits up to `timeoutMs`, then kills what is left. */
    async stopAll(timeoutMs = 30_000): Promise<void> {
      shuttingDown = true;
      for (const child of running.values()) child.kill('SIGTERM');
      const all = Promise.all(exits.values());
      await Promise.race([all, new Promise((r) => setTimeout(r, timeoutMs))]);
      for (const child of running.values()) child.kill('SIGKILL');
      // The exit handlers remove LEAN containers the killed runners leave behind (`docker rm -f`).
      await Promise.race([all, new Promise((r) => setTimeout(r, 15_000))]);
    },
  };
}
