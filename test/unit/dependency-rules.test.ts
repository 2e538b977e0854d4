import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

/**
 * The import rules of design §12 are enforced by dependency-cruiser in `npm run lint`. These tests
 * make sure the rules hold on the real tree, and that each rule really fires: a fixture tree
 * (test/fixtures/layout-violations) breaks every rule once.
 */
const root = resolve(__dirname, '..', '..');
const configFile = join(root, '.dependency-cruiser.cjs');
const depcruise = join(root, 'node_modules', '.bin', 'depcruise');

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

function cruise(cwd: string, folders: string[]): { violations: Violation[]; modules: number } {
  let out: string;
  try {
    out = execFileSync(depcruise, ['--config', configFile, '--output-type', 'json', ...folders], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    // depcruise exits non-zero when it finds violations; the report is still on stdout.
    out = (err as { stdout: string }).stdout;
  }
  const report = JSON.parse(out) as { summary: { violations: Violation[]; totalCruised: number } };
  return { violations: report.summary.violations, modules: report.summary.totalCruised };
}

const ruleNames: string[] = (require(configFile) as { forbidden: { name: string }[] }).forbidden.map((r) => r.name);

test('the project follows every import rule', () => {
  const { violations, modules } = cruise(root, ['bin', 'lib', 'core', 'lambdas', 'runner', 'local', 'cli', 'scripts', 'bench', 'console/src']);
  expect(modules).toBeGreaterThan(200);
  expect(violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)).toEqual([]);
}, 60_000);

test('each rule fires on the fixture tree that breaks it, and type imports of entity types are allowed', () => {
  const fixture = join(root, 'test', 'fixtures', 'layout-violations');
  const { violations } = cruise(fixture, ['core', 'lambdas', 'runner', 'local', 'lib', 'test', 'console']);
  expect([...new Set(violations.map((v) => v.rule.name))].sort()).toEqual([...ruleNames].sort());
  expect(violations.filter((v) => v.from === 'core/data/row.ts')).toEqual([]);
  expect(violations.filter((v) => v.from === 'console/src/statistics.ts')).toEqual([]);
  expect(violations).toContainEqual(expect.objectContaining({ rule: { name: 'runner-image-has-no-lambdas', severity: 'error' }, from: 'runner/main.ts' }));
}, 60_000);
