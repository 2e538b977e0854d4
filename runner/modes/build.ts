import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { compileRepository } from '../../core/data/backtests/backtest-repository';
import type { JobMessage } from '../../core/ports/task-runner';
import { logger } from '../../core/shared/logger';
import { buildAssemblyName, buildOutputPrefix } from '../build-output';
import { imageTargetFramework, LEAN_IMAGE } from '../lean/image';
import { runCommand, shellQuote } from '../shell';
import { materialiseSnapshot, uploadFolder } from '../workspace';

/**
 * The C# build job (design §7, lean-runtime §2.2): materialise the compile snapshot, generate a
 * csproj for a QuantConnect cloud project (which has none), run `dotnet build` against LEAN's own
 * DLLs, and record BuildSuccess or BuildError with the compiler's errors as logs. The built
 * assembly is uploaded under `projects/<pid>/compiles/<cid>/bin/` for the backtest runner.
 *
 * Infrastructure failures (S3, the table) are thrown, not recorded: the job is then retried and
 * the compile stays InQueue, instead of a transient fault becoming a permanent BuildError.
 */
export type BuildJob = Extract<JobMessage, { kind: 'build' }>;

export interface BuildOptions {
  /** A scratch folder for this job; it is emptied first. */
  workDir: string;
  /** `dotnet`, or a stand-in such as `node test/support/fake-dotnet.mjs` (run through a shell). */
  dotnetCommand: string;
  /** Where LEAN's assemblies are (inside the LEAN image). */
  leanBinDir?: string;
  /** The target framework; default: the LEAN build's own, read from the image (imageTargetFramework). */
  targetFramework?: string;
  timeoutMs?: number;
  /** Upload the build output for the backtest runner (default true). */
  uploadOutput?: boolean;
}

const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;
/** Log lines kept from a failed build: enough to fix it, bounded so the item stays small. */
const MAX_ERROR_LINES = 100;

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** lean-cli's default csproj, with LEAN's DLLs referenced from the image instead of NuGet packages. */
export function csprojContent(assemblyName: string, leanBinDir: string, targetFramework: string): string {
  return `<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <Configuration Condition=" '$(Configuration)' == '' ">Debug</Configuration>
    <Platform Condition=" '$(Platform)' == '' ">AnyCPU</Platform>
    <TargetFramework>${xml(targetFramework)}</TargetFramework>
    <AssemblyName>${xml(assemblyName)}</AssemblyName>
    <OutputType>Library</OutputType>
    <AppendTargetFrameworkToOutputPath>false</AppendTargetFrameworkToOutputPath>
    <GenerateAssemblyInfo>false</GenerateAssemblyInfo>
    <GenerateTargetFrameworkAttribute>false</GenerateTargetFrameworkAttribute>
    <CopyLocalLockFileAssemblies>true</CopyLocalLockFileAssemblies>
    <ImplicitUsings>disable</ImplicitUsings>
    <Nullable>disable</Nullable>
    <NoWarn>CS0618;MSB3246;MSB3277</NoWarn>
  </PropertyGroup>
  <ItemGroup>
    <Compile Remove="bin/**;obj/**" />
    <Reference Include="${xml(leanBinDir)}/*.dll">
      <Private>False</Private>
    </Reference>
  </ItemGroup>
</Project>
`;
}

// `/job/project/Main.cs(12,5): error CS1002: ; expected [/job/project/x.csproj]`
const COMPILER_ERROR = /^\s*(.+?)\((\d+),(\d+)\): error ([A-Z]+\d+): (.*?)(?:\s+\[[^\]]*\])?\s*$/;
// `error MSB1009: Project file does not exist.` and other located-less errors.
const OTHER_ERROR = /(?:^|:\s)error ([A-Z]+\d+): (.*?)(?:\s+\[[^\]]*\])?\s*$/;

/** The distinct `error` lines of a build output, as QuantConnect-style log lines. */
export function buildErrorLogs(output: string, projectDir: string): string[] {
  const seen = new Set<string>();
  const logs: string[] = [];
  const root = resolve(projectDir);
  for (const raw of output.split(/\r?\n/)) {
    const located = COMPILER_ERROR.exec(raw);
    let line: string | undefined;
    if (located) {
      const [, file = '', row, column, code, message] = located;
      const abs = resolve(root, file);
      const name = abs.startsWith(root + sep) ? relative(root, abs).split(sep).join('/') : file;
      line = `Build Error: File: ${name} Line: ${row} Column: ${column} - ${code}: ${message}`;
    } else {
      const other = OTHER_ERROR.exec(raw);
      if (other) line = `Build Error: ${other[1]}: ${other[2]}`;
    }
    if (line && !seen.has(line)) {
      seen.add(line);
      logs.push(line);
    }
  }
  return logs.slice(0, MAX_ERROR_LINES);
}

export async function runBuildJob(job: BuildJob, options: BuildOptions): Promise<void> {
  const { projectId, compileId } = job;
  const compile = await compileRepository.get(projectId, compileId);
  if (!compile) {
    logger.warn('build job for an unknown compile', { projectId, compileId });
    return;
  }
  // A duplicate or late delivery: the outcome is recorded once.
  if (compile.state !== 'InQueue') return;

  const workDir = resolve(options.workDir);
  const projectDir = join(workDir, 'project');
  const outDir = join(workDir, 'bin');
  await rm(workDir, { recursive: true, force: true });
  await mkdir(projectDir, { recursive: true });
  await materialiseSnapshot(projectId, compileId, projectDir);

  const assemblyName = buildAssemblyName(projectId, compileId);
  const csproj = join(projectDir, `${assemblyName}.csproj`);
  const leanBinDir = options.leanBinDir ?? LEAN_IMAGE.assembliesDir;
  const framework = options.targetFramework ? { targetFramework: options.targetFramework, source: 'settings' } : await imageTargetFramework(leanBinDir);
  logger.info('build target framework', { projectId, compileId, ...framework });
  await writeFile(csproj, csprojContent(assemblyName, leanBinDir, framework.targetFramework), 'utf8');
  const properties = ['Configuration=Debug', 'Platform=AnyCPU', `OutputPath=${outDir}/`, `BaseIntermediateOutputPath=${join(workDir, 'obj')}/`];
  const command = [options.dotnetCommand, 'build', shellQuote(csproj), ...properties.map((p) => shellQuote(`-p:${p}`)), '-nologo'].join(' ');

  const header = compile.logs.length ? compile.logs : [`Build Request Successful for Project ID: ${projectId}, with CompileID: ${compileId}`];
  const started = Date.now();
  const result = await runCommand(command, projectDir, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);

  if (result.code === 0 && !result.timedOut) {
    const uploaded = options.uploadOutput === false ? 0 : await uploadFolder(outDir, buildOutputPrefix(projectId, compileId));
    logger.info('build succeeded', { projectId, compileId, seconds, uploaded });
    await compileRepository.finish(projectId, compileId, 'BuildSuccess', [...header, `Build Successful (${seconds} s)`]);
    return;
  }
  const errors = buildErrorLogs(result.output, projectDir);
  const reason = result.timedOut
    ? `Build Error: the build did not finish within ${Math.round((options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s`
    : errors.length === 0
      ? `Build Error: the build failed (exit code ${result.code}): ${result.output.trim().split(/\r?\n/).slice(-5).join(' | ').slice(0, 1000)}`
      : `Build Error: ${errors.length} error${errors.length === 1 ? '' : 's'}`;
  await compileRepository.finish(projectId, compileId, 'BuildError', [...header, ...errors, reason]);
}
