import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newBacktest } from '../../core/domain/backtests/backtest-lifecycle';
import { leanConfig } from '../../runner/lean/config';
import { imageTargetFramework } from '../../runner/lean/image';
import { algorithmClass } from '../../runner/project-setup';

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

describe('C# algorithm class (Lean:AlgorithmFactory/Loader.cs)', () => {
  const cs = (name: string, content: string) => ({ name, content });

  test('a class deriving from a user base class is found through the chain', () => {
    const files = [
      cs('Base.cs', 'namespace QuantConnect.Algorithm.CSharp {\n  public abstract class MyBase : QCAlgorithm { }\n}'),
      cs('Main.cs', 'namespace QuantConnect.Algorithm.CSharp {\n  public class Strategy : MyBase {\n    public override void Initialize() { }\n  }\n}'),
    ];
    expect(algorithmClass(files)).toBe('Strategy');
  });

  test('the most derived class; Main.cs preferred among several; comments ignored', () => {
    expect(algorithmClass([cs('A.cs', 'public class A : QCAlgorithm {}\npublic class B : A {}')])).toBe('B');
    expect(algorithmClass([cs('Other.cs', 'public class X : QCAlgorithm {}'), cs('Main.cs', 'public class Y : QuantConnect.Algorithm.QCAlgorithm {}')])).toBe(
      'Y',
    );
    expect(algorithmClass([cs('Main.cs', '// class Old : QCAlgorithm\npublic class New : QCAlgorithm {}')])).toBe('New');
  });

  test('unknown: no name, and the config leaves the key out so LEAN loads the one class it finds', () => {
    const files = [cs('Main.cs', 'public class Strategy : SomeLibraryBase {}')];
    expect(algorithmClass(files)).toBeUndefined();
    const project = join(dir, 'cs');
    mkdirSync(project);
    const keys = config(project, 'C#', { file: 'x.dll', typeName: algorithmClass(files) });
    expect(keys).not.toHaveProperty('algorithm-type-name');
    expect(keys['algorithm-location']).toBe('x.dll');
    expect(config(project, 'C#', { file: 'x.dll', typeName: 'Strategy' })['algorithm-type-name']).toBe('Strategy');
  });
});

describe("C# target framework: the LEAN build's own, read from the image (launcher runtimeconfig)", () => {
  const bin = (name: string, runtimeOptions?: unknown) => {
    const folder = join(dir, name);
    mkdirSync(folder, { recursive: true });
    if (runtimeOptions !== undefined) writeFileSync(join(folder, 'QuantConnect.Lean.Launcher.runtimeconfig.json'), JSON.stringify({ runtimeOptions }));
    return folder;
  };

  test('tfm, else the framework version, else net10.0 saying so', async () => {
    expect(await imageTargetFramework(bin('tfm', { tfm: 'net9.0', framework: { name: 'Microsoft.NETCore.App', version: '9.0.0' } }))).toEqual({
      targetFramework: 'net9.0',
      source: join(dir, 'tfm', 'QuantConnect.Lean.Launcher.runtimeconfig.json'),
    });
    expect((await imageTargetFramework(bin('frameworks', { frameworks: [{ name: 'Microsoft.NETCore.App', version: '8.0.11' }] }))).targetFramework).toBe(
      'net8.0',
    );
    const missing = await imageTargetFramework(bin('none'));
    expect(missing.targetFramework).toBe('net10.0');
    expect(missing.source).toMatch(/^fallback/);
  });
});
