import { constants } from 'node:os';
import type { LeanResults } from '../../core/data/results/result-model';
import { INITIALIZE_ERROR_PREFIX } from '../../core/domain/backtests/backtest-lifecycle';
import { parseEngineLog } from './engine-log';

/**
 * How a LEAN run ended, by lean-runtime §5: completed or failed, and for a failure the error and
 * stack trace users see. LEAN's exit code alone is not enough (the milestones and statistics are
 * printed after a runtime error too), so the final state, the engine log and stderr all count.
 */

/** LEAN's other initialization-failure prefix (Lean:`AlgorithmManager`), besides the setup handler's. */
const INITIALIZE_ERROR_PREFIX_OLD = 'Algorithm.Initialize() Error:';
/** How many trailing `ERROR::` entries explain a crash. */
const ERROR_ENTRIES = 3;
const MAX_ERROR_CHARS = 4_000;

export interface RunFacts {
  /** The process exit code; null when a signal ended it. */
  exitCode: number | null;
  signal?: NodeJS.Signals | null;
  results?: LeanResults;
  /** `log.txt`, whole or its tail. */
  logText?: string;
  stderrTail?: string;
  /** The runner stopped LEAN because it ran past the maximum runtime. */
  timedOut?: boolean;
  maxRuntimeSeconds?: number;
  /** The task's memory limit, for the out-of-memory message. */
  memoryMb?: number;
}

export interface RunOutcome {
  outcome: 'completed' | 'failed';
  error?: string;
  stacktrace?: string;
  hasInitializeError: boolean;
}

/** A shell-style exit status: 128 + n for a process ended by signal n (an OOM kill arrives as SIGKILL, 137). */
export function exitStatus(exitCode: number | null, signal?: NodeJS.Signals | null): number | undefined {
  if (exitCode !== null && exitCode !== undefined) return exitCode;
  const number = signal ? constants.signals[signal] : undefined;
  return number === undefined ? undefined : 128 + number;
}

const cap = (text: string) => (text.length > MAX_ERROR_CHARS ? `…${text.slice(-MAX_ERROR_CHARS)}` : text);

/**
 * The error for a run that left no usable state (lean-runtime §5): out of memory for 137, the
 * runtime limit for a timeout, otherwise the last `ERROR::` entries of log.txt, else stderr's tail.
 */
export function failureFromFiles(facts: Omit<RunFacts, 'results'> & { status?: string }): { error: string; stacktrace?: string } {
  const status = exitStatus(facts.exitCode, facts.signal);
  if (facts.timedOut) {
    return { error: `exceeded maximum runtime${facts.maxRuntimeSeconds ? ` (${facts.maxRuntimeSeconds} s)` : ''}` };
  }
  if (status === 137) return { error: `out of memory${facts.memoryMb ? ` (limit ${facts.memoryMb} MB)` : ''}` };
  const errors = parseEngineLog(facts.logText ?? '').errorLines.slice(-ERROR_ENTRIES);
  const stderr = facts.stderrTail?.trim() ? cap(facts.stderrTail.trim()) : undefined;
  if (errors.length) return { error: cap(errors.join('\n')), stacktrace: stderr };
  if (stderr) return { error: stderr };
  const ended = status === undefined ? 'LEAN ended' : `LEAN exited with code ${status}`;
  return { error: facts.status ? `${ended} (status ${facts.status})` : ended };
}

/**
 * LEAN's result handler prefixes `state.RuntimeError` with the algorithm's time, `yyyy-MM-dd
 * HH:mm:ss ` (Lean:`Engine/Results/BacktestingResultHandler.cs` RuntimeError → FormatMessage in
 * `Engine/Results/BaseResultsHandler.cs` → `Common/Extensions.cs` PrefixWithAlgorithmTime with
 * DateFormat.UI). The message after it is what the algorithm failed with: `Runtime Error: …`
 * (Lean:`Engine/Engine.cs` HandleAlgorithmError) or an initialization failure. The API's `error`
 * is the message alone, as LEAN's error packets carried it before the prefix was added; the time
 * is the algorithm's clock, already in the logs.
 */
const ALGORITHM_TIME_PREFIX = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} /;

/** `state.RuntimeError` without LEAN's algorithm-time prefix. */
function runtimeErrorMessage(stateError: string): string {
  return stateError.replace(ALGORITHM_TIME_PREFIX, '');
}

const isInitializeError = (message: string) => message.startsWith(INITIALIZE_ERROR_PREFIX) || message.startsWith(INITIALIZE_ERROR_PREFIX_OLD);

/**
 * Completed or failed, by lean-runtime §5: a runtime error in the final state wins whatever the
 * exit code; a timeout fails even though LEAN, stopped by SIGINT, ends `Completed`; completed
 * needs exit 0, the summary, `state.Status == Completed` and an empty `state.RuntimeError`.
 */
export function classifyRun(facts: RunFacts): RunOutcome {
  const state = facts.results?.summary.state;
  const runtimeError = state?.RuntimeError?.trim() ? runtimeErrorMessage(state.RuntimeError) : undefined;
  if (runtimeError) {
    return { outcome: 'failed', error: runtimeError, stacktrace: state?.StackTrace || runtimeError, hasInitializeError: isInitializeError(runtimeError) };
  }
  if (!facts.timedOut && exitStatus(facts.exitCode, facts.signal) === 0 && facts.results && state?.Status === 'Completed') {
    return { outcome: 'completed', hasInitializeError: false };
  }
  return { outcome: 'failed', ...failureFromFiles({ ...facts, status: state?.Status }), hasInitializeError: false };
}
