import type { Answer, LeanCli } from './api';

/**
 * lean-cli's cloud backtest loop (contract §5.2, §4): compile and poll until the build ends, then
 * create the backtest and poll until lean-cli's completion rule holds, recording every status seen.
 */
export type BacktestBody = Record<string, unknown> & {
  backtestId: string;
  status: string;
  progress: number;
  completed: boolean;
  error: string | null;
  stacktrace: string | null;
  statistics: unknown;
  runtimeStatistics: unknown;
  totalPerformance: unknown;
  charts: Record<string, unknown>;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `QCBacktest.is_complete` + `CloudRunner.is_backtest_done`. */
export function leanCliDone(b: BacktestBody): boolean {
  if (b.error !== null || b.stacktrace !== null) return true;
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  return b.completed === true && b.runtimeStatistics != null && isObject(b.statistics) && Boolean(b.totalPerformance);
}

export async function compileProject(cli: LeanCli, projectId: number, timeoutMs = 30_000): Promise<{ compileId: string; state: string; logs: string[] }> {
  const created = await cli.compile(projectId);
  if (created.body.success !== true) throw new Error(`compile/create failed: ${created.text}`);
  const compileId = created.body.compileId as string;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const read = await cli.readCompile(projectId, compileId);
    const state = read.body.state as string;
    if (state === 'BuildSuccess' || state === 'BuildError') return { compileId, state, logs: read.body.logs as string[] };
    await sleep(250);
  }
  throw new Error(`compile ${compileId} did not finish within ${timeoutMs} ms`);
}

export async function pollBacktest(
  cli: LeanCli,
  projectId: number,
  backtestId: string,
  options: { timeoutMs?: number; intervalMs?: number; until?: (b: BacktestBody) => boolean } = {},
): Promise<{ final: BacktestBody; seen: BacktestBody[] }> {
  const until = options.until ?? leanCliDone;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const seen: BacktestBody[] = [];
  while (Date.now() < deadline) {
    const read: Answer = await cli.readBacktest(projectId, backtestId);
    if (read.body.success !== true) throw new Error(`backtests/read failed: ${read.text}`);
    const body = read.body.backtest as BacktestBody;
    seen.push(body);
    if (until(body)) return { final: body, seen };
    await sleep(options.intervalMs ?? 200);
  }
  throw new Error(`backtest ${backtestId} did not finish: last seen ${JSON.stringify(seen.at(-1)).slice(0, 500)}`);
}

/** Creates, pushes and compiles a one-file Python project; returns its id and compile id. */
export async function pythonProject(cli: LeanCli, name: string, mainPy: string): Promise<{ projectId: number; compileId: string }> {
  const created = await cli.createProject(name);
  const project = (created.body.projects as { projectId: number }[])[0];
  if (!project) throw new Error(`projects/create failed: ${created.text}`);
  const pushed = await cli.push(project.projectId, { name, files: [{ name: 'main.py', content: mainPy }] });
  if (pushed.body.success !== true) throw new Error(`push failed: ${pushed.text}`);
  const compiled = await compileProject(cli, project.projectId);
  if (compiled.state !== 'BuildSuccess') throw new Error(`compile failed: ${compiled.logs.join('\n')}`);
  return { projectId: project.projectId, compileId: compiled.compileId };
}

/** A valid algorithm whose header tells the fake LEAN what to do (see test/support/fake-lean). */
export function algorithm(markers: Record<string, string | number> = {}): string {
  const lines = Object.entries(markers).map(([k, v]) => `# fake-lean-${k}: ${v}`);
  return [
    ...lines,
    'from AlgorithmImports import *',
    '',
    'class TestAlgorithm(QCAlgorithm):',
    '    def initialize(self):',
    '        self.set_start_date(2023, 1, 1)',
    '        self.set_end_date(2023, 6, 30)',
    '        self.add_equity("SPY")',
    '',
    '    def on_data(self, data):',
    '        if not self.portfolio.invested:',
    '            self.set_holdings("SPY", 1)',
    '',
  ].join('\n');
}
