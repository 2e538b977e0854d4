import { compileRepository } from '../../data/backtests/backtest-repository';
import { contentHash, type SnapshotFile, writeSnapshot } from '../../data/compile/snapshot-store';
import { fileRepository } from '../../data/files/file-repository';
import { jobQueue } from '../../data/jobs/job-queue';
import { projectRepository } from '../../data/projects/project-repository';
import { snapshotKeys } from '../../data/results/result-model';
import type { PythonSyntaxError, SyntaxChecker } from '../../ports/syntax-checker';
import { LEAN_VERSIONS } from '../../shared/catalog';
import { isoNow } from '../../shared/dates';
import { hexId } from '../../shared/ids';
import { logger } from '../../shared/logger';
import type { Principal } from '../../shared/principal';
import { projectAccess } from '../identity/access';
import type { Project } from '../projects/types';
import { detectParameters, snapshotSignature } from './algorithm-parameters';
import type { Compile } from './types';

/**
 * compile/create and compile/read (contract §3.5, design §7). A compile freezes the project's
 * files and its libraries' files into an immutable snapshot. Python is checked for syntax right
 * here, through the syntax-checker port (in-process locally, a Lambda function of its own in AWS),
 * and finishes at once (no container starts); C# is queued as a build job for the runner.
 * compile/create always answers `InQueue`, as QuantConnect does; compile/read shows the outcome.
 *
 * Compiling needs write access: it belongs with running backtests, which read-only collaborators
 * and viewers cannot do (the route already needs the member role).
 */

/** lean-cli keeps library projects as `Library/<name>` and QC names them so; the folder is `<name>`. */
function libraryFolder(project: Project): string {
  const name = project.name.replace(/^\/+/, '').replace(/^Library\//, '');
  return `Library/${name}`;
}

/**
 * Library projects linked into this one. The link was checked (same organisation, same language,
 * readable by whoever linked it) when it was made, and a compile needs the library's code whether
 * or not this caller collaborates on the library, so only the organisation is re-checked here.
 */
async function libraryFiles(project: Project): Promise<{ files: SnapshotFile[]; libraries: { projectId: number; name: string }[] }> {
  const files: SnapshotFile[] = [];
  const libraries: { projectId: number; name: string }[] = [];
  for (const id of project.libraries) {
    const stored = await projectRepository.get(id);
    if (!stored || stored.project.orgId !== project.orgId) continue;
    const folder = libraryFolder(stored.project);
    libraries.push({ projectId: id, name: stored.project.name });
    for (const f of await fileRepository.list(stored.project)) files.push({ name: `${folder}/${f.name}`, content: f.content });
  }
  return { files, libraries };
}

function leanVersionName(project: Project): string {
  const version = LEAN_VERSIONS.find((v) => v.id === project.leanVersionId) ?? LEAN_VERSIONS[0];
  return (version?.name ?? 'unknown').replace(/^v/, '');
}

function sourceLine(files: SnapshotFile[], error: PythonSyntaxError): string | undefined {
  const content = files.find((f) => f.name === error.file)?.content ?? '';
  const line = content.replace(/\r\n?/g, '\n').split('\n')[error.line - 1];
  return line?.trim() ? `    ${line.trim().slice(0, 200)}` : undefined;
}

/** QuantConnect-style build log lines for a Python compile. */
function pythonLogs(header: string, files: SnapshotFile[], errors: PythonSyntaxError[]): string[] {
  const pythonCount = files.filter((f) => f.name.toLowerCase().endsWith('.py')).length;
  if (errors.length === 0) return [header, `Syntax check passed for ${pythonCount} Python file${pythonCount === 1 ? '' : 's'}.`, 'Build Successful'];
  return [
    header,
    ...errors.flatMap((e) => {
      const code = sourceLine(files, e);
      return [`Build Error: File: ${e.file} Line: ${e.line} Column: ${e.column} - ${e.message}`, ...(code ? [code] : [])];
    }),
    `Build Error: ${errors.length} of ${pythonCount} Python file${pythonCount === 1 ? '' : 's'} failed the syntax check.`,
  ];
}

export const compileService = {
  async createCompile(principal: Principal, projectId: number, syntax: SyntaxChecker) {
    const { project } = await projectAccess(principal, projectId, 'write');
    const own = (await fileRepository.list(project)).map((f): SnapshotFile => ({ name: f.name, content: f.content }));
    const library = await libraryFiles(project);
    const files = [...own, ...library.files];
    const { signature, signatureOrder } = snapshotSignature(files.map((f) => ({ name: f.name, sha256: contentHash(f.content) })));
    // `<content hash>-<random>`: LEAN takes the part after the last dash as a live signature.
    const compileId = `${signature.slice(0, 32)}-${hexId()}`;
    const manifest = await writeSnapshot(project.id, compileId, project.language, files, library.libraries);
    const header = `Build Request Successful for Project ID: ${project.id}, with CompileID: ${compileId}, Lean Version: ${leanVersionName(project)}`;
    const compile: Compile = {
      compileId,
      projectId: project.id,
      orgId: project.orgId,
      userId: principal.userId,
      language: project.language,
      state: 'InQueue',
      logs: [],
      manifestKey: snapshotKeys.manifest(project.id, manifest.compileId),
      parameters: detectParameters(files),
      signature,
      signatureOrder,
      created: isoNow(),
    };
    if (project.language === 'Py') {
      const errors = await syntax.check(files);
      await compileRepository.put({ ...compile, state: errors.length ? 'BuildError' : 'BuildSuccess', logs: pythonLogs(header, files, errors) });
    } else {
      await compileRepository.put({ ...compile, logs: [header] });
      try {
        await jobQueue.send({ kind: 'build', orgId: project.orgId, projectId: project.id, compileId, attempt: 1 });
      } catch (err) {
        // Without a queued job the compile would wait forever: close it, then let the caller see the failure.
        logger.error('build job not queued', { projectId: project.id, compileId, error: (err as Error).message });
        await compileRepository.finish(project.id, compileId, 'BuildError', [header, 'Build Error: the build could not be queued; try again.']);
        throw err;
      }
    }
    return {
      project,
      answer: { compileId, state: 'InQueue' as const, projectId: project.id, signature, signatureOrder, parameters: compile.parameters },
    };
  },
};
