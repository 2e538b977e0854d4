import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newBacktest } from '../../core/domain/backtests/backtest-lifecycle';
import { leanConfig } from '../../runner/lean/config';

/** The LEAN config the runner writes, key by key where LEAN's behaviour depends on it. */

const dir = mkdtempSync(join(tmpdir(), 'lean-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const backtest = newBacktest({ projectId: 1, orgId: 'o', userId: 2, compileId: 'c', name: 'n', phase: 'starting', parameterSet: {} });
const config = (projectDir: string, language: 'Py' | 'C#' = 'Py', assembly?: { file: string; typeName?: string }) =>
  leanConfig({ backtest, language, projectDir, resultsDir: join(dir, 'r'), storageDir: join(dir, 's'), dataDir: join(dir, 'd'), assembly });

test('python-additional-paths names <project>/Library only when it exists (LEAN logs an ERROR for a missing one)', () => {
  const bare = join(dir, 'bare');
  mkdirSync(bare);
  expect(config(bare)['python-additional-paths']).toEqual([]);
  const withLibrary = join(dir, 'with-library');
  mkdirSync(join(withLibrary, 'Library', 'Lib1'), { recursive: true });
  expect(config(withLibrary)['python-additional-paths']).toEqual([join(withLibrary, 'Library')]);
  expect(config(withLibrary, 'C#', { file: 'x.dll', typeName: 'A' })['python-additional-paths']).toEqual([]);
});
