import { spawn } from 'node:child_process';
import { shellQuote } from '../shell';
import { type LeanUser, leanEnvironment } from './environment';

/**
 * Runs the LEAN launcher (or any command honouring its config and files) and keeps what the
 * runner needs: the exit code, the tail of stderr, and whether it was stopped or timed out.
 * LEAN treats SIGINT like Ctrl-C (a graceful stop that still writes results); SIGTERM is not
 * graceful, so stops are always SIGINT first, SIGKILL after the grace period (lean-runtime §6).
 */
export interface LeanRun {
  /** Resolves when the process has exited. */
  done: Promise<{ exitCode: number | null; signal: NodeJS.Signals | null; stderrTail: string; timedOut: boolean; stopped: boolean }>;
  /** Asks LEAN to stop (SIGINT), then kills it after `graceMs`. */
  stop(graceMs?: number): void;
  pid: number | undefined;
}

const TAIL_BYTES = 8_000;

export function startLean(options: {
  command: string;
  configFile: string;
  cwd: string;
  /** Infinity for no limit. */
  maxSeconds: number;
  /** LEAN's whole environment (never the runner's: see environment.ts); default: leanEnvironment(process.env). */
  env?: Record<string, string>;
  /** Another user to run LEAN as (environment.ts leanUser); default: the runner's. */
  user?: LeanUser;
  /** Where LEAN's console goes (the task's log stream). */
  echo?: (chunk: string) => void;
}): LeanRun {
  // The command may carry arguments (`dotnet QuantConnect.Lean.Launcher.dll`, `docker run …`);
  // the config path is quoted for the shell. `exec` makes LEAN the child itself: otherwise the
  // shell dies of the SIGINT at once while LEAN is still writing its final files, and the runner
  // would read them too early.
  const child = spawn(`exec ${options.command} --config ${shellQuote(options.configFile)}`, {
    cwd: options.cwd,
    shell: true,
    env: options.env ?? leanEnvironment(process.env),
    ...(options.user ? { uid: options.user.uid, gid: options.user.gid } : {}),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so a stop reaches the shell's children too
  });
  let stderrTail = '';
  let timedOut = false;
  let stopped = false;
  let killTimer: NodeJS.Timeout | undefined;
  child.stdout?.on('data', (d: Buffer) => options.echo?.(d.toString()));
  child.stderr?.on('data', (d: Buffer) => {
    const text = d.toString();
    options.echo?.(text);
    stderrTail = (stderrTail + text).slice(-TAIL_BYTES);
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const stop = (graceMs = 60_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    stopped = true;
    signalGroup('SIGINT');
    killTimer ??= setTimeout(() => signalGroup('SIGKILL'), graceMs);
  };
  // Infinity (a live deployment): no limit; a timer that long would overflow and fire at once.
  const limit = Number.isFinite(options.maxSeconds)
    ? setTimeout(() => {
        timedOut = true;
        stop();
      }, options.maxSeconds * 1000)
    : undefined;
  const done = new Promise<Awaited<LeanRun['done']>>((resolve) => {
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(limit);
      if (killTimer) clearTimeout(killTimer);
      resolve({ exitCode, signal, stderrTail, timedOut, stopped });
    };
    child.once('exit', finish);
    child.once('error', (err) => {
      stderrTail += `\n${err.message}`;
      finish(127, null);
    });
  });
  return { done, stop, pid: child.pid };
}
