import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { seedLeanData } from '../lean-data';

/** Runs the fake LEAN as a child process in a fresh temporary folder, as the runner starts LEAN (runner/lean/process.ts). */

export const FAKE_LEAN = resolve(__dirname, 'fake-lean.mjs');

export interface FakeLeanOptions {
  /** Config keys, merged over the defaults (algorithm id, results folder, close-automatically). */
  config?: Record<string, unknown>;
  /** Source of `main.py`, e.g. with a `# fake-lean-scenario: slow` marker. */
  algorithm?: string;
  /** Extra command-line options after `--config <file>`. */
  args?: string[];
}

export interface FakeLeanProcess {
  dir: string;
  resultsDir: string;
  algorithmId: string;
  child: ChildProcess;
  output: { stdout: string; stderr: string };
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
  /** `log.txt` so far ('' before it exists). */
  log(): string;
}

export function startFakeLean(options: FakeLeanOptions = {}): FakeLeanProcess {
  const dir = mkdtempSync(join(tmpdir(), 'fake-lean-'));
  const algorithmId = randomBytes(16).toString('hex');
  const resultsDir = join(dir, 'results');
  writeFileSync(join(dir, 'main.py'), options.algorithm ?? 'from AlgorithmImports import *\n');
  // LEAN's own data (market hours, symbol properties), as the image has it.
  seedLeanData(join(dir, 'data'));
  const config = {
    environment: 'backtesting',
    'algorithm-id': algorithmId,
    'algorithm-language': 'Python',
    'algorithm-location': join(dir, 'main.py'),
    'results-destination-folder': resultsDir,
    'data-folder': join(dir, 'data'),
    'close-automatically': true,
    ...options.config,
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  const started = Date.now();
  const child = spawn(process.execPath, [FAKE_LEAN, '--config', join(dir, 'config.json'), ...(options.args ?? [])], { cwd: dir, stdio: 'pipe' });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => {
    output.stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output.stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>((done, fail) => {
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, ms: Date.now() - started }));
  });
  const logPath = join(resultsDir, 'log.txt');
  return { dir, resultsDir, algorithmId, child, output, exited, log: () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '') };
}

/** Starts the fake LEAN and waits for it to exit. */
export async function runFakeLean(options: FakeLeanOptions = {}) {
  const run = startFakeLean(options);
  return { ...run, ...(await run.exited) };
}

/** Polls until `predicate` holds (or fails after `timeoutMs`). */
export async function waitFor(predicate: () => boolean, timeoutMs = 10_000, everyMs = 25): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('timed out waiting for the fake LEAN');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function removeRun(run: { dir: string }): void {
  rmSync(run.dir, { recursive: true, force: true });
}

/** Registers an `afterAll` that removes every run passed through the returned `track`. */
export function cleanUpRuns(): <T extends { dir: string }>(run: T) => T {
  const runs: { dir: string }[] = [];
  afterAll(() => {
    for (const run of runs) removeRun(run);
  });
  return (run) => {
    runs.push(run);
    return run;
  };
}

/** Raw LEAN JSON, loosely typed: tests walk into it freely. */
// biome-ignore lint/suspicious/noExplicitAny: raw LEAN output in tests
export type RawJson = any;

export function readResultJson(run: { resultsDir: string }, name: string): RawJson {
  return JSON.parse(readFileSync(join(run.resultsDir, name), 'utf8'));
}
