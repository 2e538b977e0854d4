import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LeanResults } from '../../core/data/results/result-model';
import { runCommand, shellQuote } from '../shell';
import { buildReport } from './fallback-report';

/**
 * The backtest report. In the LEAN image the runner runs LEAN's own report generator
 * (QuantConnect.Report, as `lean report` does) on the final `<id>.json`; anywhere it is missing or
 * fails (local mode without the image, a report error) the runner's own HTML report stands in,
 * so `backtests/read/report` always has something to serve once results exist.
 */
const REPORT_TIMEOUT_MS = 5 * 60 * 1000;

export interface ReportOptions {
  /** The report generator command, or undefined to use the runner's own report. */
  command?: string;
  cwd?: string;
  resultsDir: string;
  meta: { name: string; projectId: number; backtestId: string };
  log: (line: string) => void;
}

export async function makeReport(results: LeanResults, options: ReportOptions): Promise<{ html: string; source: 'lean' | 'runner' }> {
  const resultFile = join(options.resultsDir, `${options.meta.backtestId}.json`);
  if (options.command && existsSync(resultFile)) {
    const destination = join(options.resultsDir, 'report.html');
    const command = [
      options.command,
      '--backtest-data-source-file',
      shellQuote(resultFile),
      '--report-destination',
      shellQuote(destination),
      '--strategy-name',
      shellQuote(options.meta.name),
      '--close-automatically',
      'true',
    ].join(' ');
    const run = await runCommand(command, options.cwd ?? options.resultsDir, REPORT_TIMEOUT_MS).catch((err: Error) => ({
      code: -1,
      output: err.message,
      timedOut: false,
    }));
    if (run.code === 0 && existsSync(destination)) return { html: await readFile(destination, 'utf8'), source: 'lean' };
    options.log(`LEAN's report generator failed (${run.timedOut ? 'timed out' : `exit ${run.code}`}); using the runner's report. ${run.output.slice(-500)}`);
  }
  return { html: buildReport(results, options.meta), source: 'runner' };
}
