import { spawn } from 'node:child_process';

/** Shell commands the runner starts: builds, pip, LEAN's report generator, LEAN itself. */

/** One argument for `sh -c`, single-quoted so spaces and quotes in paths and names survive. */
export const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Runs a shell command to completion with a time limit (then SIGKILL), keeping the tail of its
 * combined output: builds, pip and report generation, where a runaway must not exhaust memory.
 */
export function runCommand(
  command: string,
  cwd: string,
  timeoutMs: number,
  /** The command's whole environment and user (pip for a user's requirements: see lean/environment.ts); default: the runner's. */
  as?: { env: Record<string, string>; uid?: number; gid?: number },
): Promise<{ code: number | null; output: string; timedOut: boolean }> {
  return new Promise((done, fail) => {
    const child = spawn(command, {
      cwd,
      shell: true,
      env: as?.env ?? { ...process.env, DOTNET_NOLOGO: 'true', DOTNET_CLI_TELEMETRY_OPTOUT: 'true' },
      ...(as?.uid !== undefined ? { uid: as.uid, gid: as.gid } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const take = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-2_000_000);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      fail(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, output, timedOut });
    });
  });
}
