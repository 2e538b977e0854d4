import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeReport } from '../../runner/lean/report';
import { syntheticResults } from '../support/synthetic-results';

/**
 * The report: LEAN's generator when it is there and works (run with lean-cli's `lean report`
 * arguments), the runner's own HTML otherwise.
 */
const results = syntheticResults({ orders: 5, insights: 0, points: 20 });
const meta = { name: 'Report <Test>', projectId: 7, backtestId: 'b'.repeat(32) };

function resultsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lcs-report-'));
  writeFileSync(join(dir, `${meta.backtestId}.json`), '{}');
  return dir;
}

/** A stand-in report generator: writes its arguments into the destination, or fails. */
function generator(dir: string, exitCode: number): string {
  const script = join(dir, 'fake-report.mjs');
  writeFileSync(
    script,
    [
      "import { writeFileSync } from 'node:fs';",
      'const args = process.argv.slice(2);',
      "const get = (name) => args[args.indexOf('--' + name) + 1];",
      `if (${exitCode} !== 0) { console.error('report failed'); process.exit(${exitCode}); }`,
      "writeFileSync(get('report-destination'), '<html>LEAN report of ' + get('backtest-data-source-file') + ' for ' + get('strategy-name') + '</html>');",
    ].join('\n'),
  );
  return `'${process.execPath}' '${script}'`;
}

test("LEAN's report generator is used when it works, with lean report's arguments", async () => {
  const dir = resultsDir();
  const report = await makeReport(results, { command: generator(dir, 0), resultsDir: dir, meta, log: () => undefined });
  expect(report.source).toBe('lean');
  expect(report.html).toBe(`<html>LEAN report of ${join(dir, `${meta.backtestId}.json`)} for Report <Test></html>`);
});

test("a failing generator falls back to the runner's report and says why", async () => {
  const dir = resultsDir();
  const lines: string[] = [];
  const report = await makeReport(results, { command: generator(dir, 3), resultsDir: dir, meta, log: (l) => lines.push(l) });
  expect(report.source).toBe('runner');
  expect(report.html).toContain('Report &lt;Test&gt;');
  expect(lines.join('\n')).toMatch(/exit 3[\s\S]*report failed/);
});

test("without a generator the runner's report is used", async () => {
  const report = await makeReport(results, { resultsDir: resultsDir(), meta, log: () => undefined });
  expect(report.source).toBe('runner');
  expect(report.html).toMatch(/<html[\s\S]*<\/html>/i);
});
