import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { buildAssemblyName, buildOutputPrefix } from './build-output';
import { runCommand } from './shell';
import { downloadFolder } from './workspace';

/**
 * Readies a compile's project, already on disk, for LEAN (lean-runtime §2.2, §8 step 2): a C#
 * project gets its build job's assembly, a Python project its requirements.txt installed. Any
 * job that runs the algorithm (a backtest; a live deployment later) does the same.
 */

/**
 * The algorithm class LEAN should load from a C# project, when the source says which; undefined
 * when it cannot tell, and LEAN then picks the one algorithm class in the assembly itself.
 *
 * LEAN loads every concrete class with a parameterless constructor that implements IAlgorithm
 * (QCAlgorithm itself excepted) and needs `algorithm-type-name` only to choose among several
 * (Lean:`AlgorithmFactory/Loader.cs` GetExtendedTypeNames and TryCreateILAlgorithm;
 * `Engine/Setup/BacktestingSetupHandler.cs` passes SingleOrAlgorithmTypeName). So a class that
 * derives from a user base class which derives from QCAlgorithm is found through the chain; of
 * the candidates, abstract classes and classes others derive from are left out, and a class in
 * `Main.cs`/`main.cs` is preferred, as lean-cli looks in the main file.
 */
export function algorithmClass(files: { name: string; content: string }[]): string | undefined {
  const declarations: { name: string; base: string; abstract: boolean; file: string }[] = [];
  const pattern = /((?:\b(?:public|internal|sealed|abstract|partial|static)\s+)*)class\s+(\w+)(?:\s*<[^>{]*>)?\s*:\s*([\w.]+)/g;
  for (const file of files) {
    if (!file.name.endsWith('.cs')) continue;
    const source = file.content.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '');
    for (const match of source.matchAll(pattern)) {
      declarations.push({ name: match[2]!, base: match[3]!.split('.').pop()!, abstract: /\babstract\b/.test(match[1] ?? ''), file: file.name });
    }
  }
  const byName = new Map(declarations.map((d) => [d.name, d]));
  const isAlgorithm = (name: string, seen = new Set<string>()): boolean => {
    if (name === 'QCAlgorithm' || name === 'QCAlgorithmFramework') return true;
    const declaration = byName.get(name);
    if (!declaration || seen.has(name)) return false;
    seen.add(name);
    return isAlgorithm(declaration.base, seen);
  };
  const bases = new Set(declarations.map((d) => d.base));
  const candidates = declarations.filter((d) => !d.abstract && isAlgorithm(d.base));
  const leaves = candidates.filter((d) => !bases.has(d.name));
  const pool = leaves.length ? leaves : candidates;
  return (pool.find((d) => /(^|\/)main\.cs$/i.test(d.file)) ?? pool[0])?.name;
}

/**
 * C#: the build job's assembly. In the LEAN image it is copied into the launcher's folder without
 * overwriting anything (lean-runtime §2.2) and named relative to it; elsewhere it stays in the job
 * folder and is named by absolute path.
 */
export async function prepareAssembly(
  compile: { projectId: number; compileId: string },
  files: { name: string; content: string }[],
  workDir: string,
  leanCwd?: string,
) {
  const buildDir = join(workDir, 'build');
  if ((await downloadFolder(buildOutputPrefix(compile.projectId, compile.compileId), buildDir)) === 0) {
    throw new Error('the compile has no build output; compile the project again');
  }
  // Unknown: LEAN finds the algorithm class itself when the assembly has one (see algorithmClass).
  const typeName = algorithmClass(files);
  const file = `${buildAssemblyName(compile.projectId, compile.compileId)}.dll`;
  if (!leanCwd) return { file: join(buildDir, file), typeName };
  await cp(buildDir, leanCwd, { recursive: true, force: false, errorOnExist: false });
  return { file, typeName };
}

const PIP_TIMEOUT_MS = 10 * 60 * 1000;

/** Python: `pip install --user -r requirements.txt`, or fail fast with pip's own words (lean-runtime §8). */
export async function installRequirements(
  projectDir: string,
  files: { name: string }[],
  options: { pipCommand?: string; log: (line: string) => void },
  /** Who pip runs as, with which environment: LEAN's (requirements run code from the internet). */
  as?: { env: Record<string, string>; uid?: number; gid?: number },
): Promise<string | undefined> {
  if (!files.some((f) => f.name === 'requirements.txt')) return undefined;
  if (!options.pipCommand) {
    options.log('requirements.txt not installed: no pip command (LCS_PIP_COMMAND) in this environment');
    return undefined;
  }
  const run = await runCommand(`${options.pipCommand} install --user --no-input -r requirements.txt`, projectDir, PIP_TIMEOUT_MS, as);
  if (run.code === 0 && !run.timedOut) return undefined;
  const tail = run.output.trim().split(/\r?\n/).slice(-10).join('\n');
  return run.timedOut
    ? 'Installing requirements.txt did not finish within 10 minutes.'
    : `Installing requirements.txt failed (pip exit code ${run.code}):\n${tail}`;
}
