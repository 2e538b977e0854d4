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

/** The class deriving from QCAlgorithm in a C# project (lean-cli finds it the same way). */
export function algorithmClass(files: { name: string; content: string }[]): string | undefined {
  for (const file of files) {
    if (!file.name.endsWith('.cs')) continue;
    const match = /class\s+(\w+)\s*:\s*(?:QuantConnect\.Algorithm\.)?QCAlgorithm\b/.exec(file.content);
    if (match) return match[1];
  }
  return undefined;
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
  const typeName = algorithmClass(files);
  if (!typeName) throw new Error('no class deriving from QCAlgorithm was found in the project');
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
): Promise<string | undefined> {
  if (!files.some((f) => f.name === 'requirements.txt')) return undefined;
  if (!options.pipCommand) {
    options.log('requirements.txt not installed: no pip command (LCS_PIP_COMMAND) in this environment');
    return undefined;
  }
  const run = await runCommand(`${options.pipCommand} install --user --no-input -r requirements.txt`, projectDir, PIP_TIMEOUT_MS);
  if (run.code === 0 && !run.timedOut) return undefined;
  const tail = run.output.trim().split(/\r?\n/).slice(-10).join('\n');
  return run.timedOut
    ? 'Installing requirements.txt did not finish within 10 minutes.'
    : `Installing requirements.txt failed (pip exit code ${run.code}):\n${tail}`;
}
