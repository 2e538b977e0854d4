import { applyPatch, parsePatch, type StructuredPatch } from 'diff';
import { fileRepository } from '../../data/files/file-repository';
import { isoNow } from '../../shared/dates';
import { ConflictError, InvalidError, NotFoundError } from '../../shared/errors';
import { answerBytes } from '../../shared/payload-limits';
import type { Principal } from '../../shared/principal';
import { projectAccess } from '../identity/access';
import { checkLock } from '../projects/project-service';
import type { Project } from '../projects/types';
import { checkFileContent, checkFileName, checkProjectSize } from './file-rules';
import { fileView } from './file-views';
import type { ProjectFile } from './types';

/** Project files: create, read (with library files marked), update/rename, delete, and unified-diff patches. */
interface WriteTarget {
  projectId: number;
  codeSourceId?: string;
}

async function writable(principal: Principal, target: WriteTarget) {
  const access = await projectAccess(principal, target.projectId, 'write');
  checkLock(access, principal, target.codeSourceId);
  return access;
}

/** Refuses a write after which the project's files would not fit one files/read answer. */
async function checkProjectAfter(project: Project, put: { name: string; content: string }[], remove: string[] = []): Promise<void> {
  const sizes = await fileRepository.answerSizes(project);
  for (const name of remove) sizes.delete(name);
  for (const f of put) sizes.set(f.name, answerBytes(f.content));
  checkProjectSize(sizes);
}

function touch(access: { project: Project }, now: string): Project {
  return { ...access.project, modified: now };
}

/** `a/src/x.py` → `src/x.py`; `/dev/null` means the file is created or deleted. */
function patchPath(raw: string | undefined): string | undefined {
  if (!raw || raw === '/dev/null') return undefined;
  const name = raw.split('\t')[0]?.trim() ?? '';
  return name.replace(/^[ab]\//, '');
}

export const fileService = {
  /** No content creates an empty file (QuantConnect does); an explicitly empty one is refused as a likely client mistake. */
  async create(principal: Principal, input: WriteTarget & { name: string; content?: string }) {
    const name = checkFileName(input.name, 'name');
    const content = input.content ?? '';
    checkFileContent(name, content, { allowEmpty: input.content === undefined });
    const access = await writable(principal, input);
    if (await fileRepository.get(access.project, name)) throw new ConflictError(`A file named '${name}' already exists in this project`);
    const now = isoNow();
    const file: ProjectFile = { projectId: access.project.id, name, content, created: now, modified: now };
    await checkProjectAfter(access.project, [file]);
    await fileRepository.apply(touch(access, now), access.version, { put: [file], remove: [] });
    return { project: access.project, files: [fileView(file)] };
  },

  async read(principal: Principal, input: { projectId: number; name?: string }) {
    const { project } = await projectAccess(principal, input.projectId, 'read');
    if (input.name !== undefined) {
      const file = await fileRepository.get(project, input.name);
      if (!file) throw new NotFoundError(`File '${input.name}'`);
      return { files: [fileView(file)] };
    }
    const own = (await fileRepository.list(project)).map((f) => fileView(f));
    // Library files come after the project's own, marked isLibrary and placed under the
    // library's name, as lean-cli keeps them in Library/<name>/ locally (pull skips them).
    const libraries = await Promise.all(
      project.libraries.map(async (id) => {
        const library = await projectAccess(principal, id, 'read').catch(() => undefined);
        if (!library) return [];
        const files = await fileRepository.list(library.project);
        return files.map((f) => fileView(f, { isLibrary: true, displayName: `${library.project.name}/${f.name}` }));
      }),
    );
    return { files: [...own, ...libraries.flat()] };
  },

  /** Renames (`newName`) and/or replaces the content of one file. */
  async update(principal: Principal, input: WriteTarget & { name: string; newName?: string; content?: string }) {
    if (input.newName === undefined && input.content === undefined) throw new InvalidError('request: give newName to rename or content to replace the file');
    const access = await writable(principal, input);
    const current = await fileRepository.get(access.project, input.name);
    if (!current) throw new NotFoundError(`File '${input.name}'`);
    const name = input.newName !== undefined ? checkFileName(input.newName, 'newName') : current.name;
    const content = input.content ?? current.content;
    checkFileContent(name, content);
    if (name !== current.name && (await fileRepository.get(access.project, name))) {
      throw new ConflictError(`A file named '${name}' already exists in this project`);
    }
    const now = isoNow();
    const updated: ProjectFile = { ...current, name, content, modified: now };
    await checkProjectAfter(access.project, [updated], [current.name]);
    await fileRepository.apply(touch(access, now), access.version, { put: [updated], remove: name !== current.name ? [current.name] : [] });
    return { project: access.project, files: [fileView(updated)] };
  },

  async delete(principal: Principal, input: WriteTarget & { name: string }) {
    const access = await writable(principal, input);
    if (!(await fileRepository.get(access.project, input.name))) throw new NotFoundError(`File '${input.name}'`);
    await fileRepository.apply(touch(access, isoNow()), access.version, { put: [], remove: [input.name] });
    return { project: access.project };
  },

  /**
   * Applies a unified diff (one or several files, git style) all at once or not at all. Sections
   * apply in order to the result of the ones before; git's create/delete/rename headers are
   * honoured, also for sections without hunks (empty new files, pure renames).
   */
  async patch(principal: Principal, input: WriteTarget & { patch: string }) {
    let patches: StructuredPatch[];
    try {
      patches = parsePatch(input.patch);
    } catch (err) {
      throw new InvalidError(`patch: not a unified diff (${(err as Error).message})`);
    }
    patches = patches.filter((p) => p.hunks.length > 0 || p.oldFileName || p.newFileName);
    if (patches.length === 0) throw new InvalidError('patch: contains no file changes');
    const access = await writable(principal, input);
    const original = new Map((await fileRepository.list(access.project)).map((f) => [f.name, f]));
    const state = new Map(original);
    const touched = new Set<string>();
    const now = isoNow();
    for (const p of patches) {
      const oldName = p.isCreate ? undefined : patchPath(p.oldFileName);
      const newName = p.isDelete ? undefined : patchPath(p.newFileName);
      const target = newName ?? oldName;
      if (!target) throw new InvalidError('patch: a file section names no file');
      if (newName) checkFileName(newName, 'patch');
      const source = oldName ? state.get(oldName) : undefined;
      if (oldName && !source) throw new InvalidError(`patch: file '${oldName}' does not exist in the project`);
      if (newName && newName !== oldName && state.has(newName)) throw new InvalidError(`patch: file '${newName}' already exists in the project`);
      // applyPatch searches outward from each hunk's claimed line, linearly in that number: a hunk
      // claiming line 10^12 would hold the process for hours. No real hunk starts past the end.
      const lineCount = (source?.content ?? '').split('\n').length;
      const beyond = p.hunks.find((h) => h.oldStart > lineCount + 1);
      if (beyond) {
        throw new InvalidError(`patch: a change to '${target}' starts at line ${beyond.oldStart}, beyond the end of the file (${lineCount} lines)`);
      }
      const result = applyPatch(source?.content ?? '', p);
      if (result === false) throw new InvalidError(`patch: the changes to '${target}' do not apply to the current content`);
      if (oldName) {
        state.delete(oldName);
        touched.add(oldName);
      }
      if (!newName) {
        if (result !== '') throw new InvalidError(`patch: the deletion of '${oldName}' does not remove all of its content`);
        continue;
      }
      checkFileContent(newName, result, { allowEmpty: true });
      state.set(newName, { projectId: access.project.id, name: newName, content: result, created: source?.created ?? now, modified: now });
      touched.add(newName);
    }
    const put = [...touched].flatMap((name) => {
      const file = state.get(name);
      return file ? [file] : [];
    });
    const remove = [...touched].filter((name) => !state.has(name) && original.has(name));
    checkProjectSize(new Map([...state.values()].map((f) => [f.name, answerBytes(f.content)])));
    await fileRepository.apply(touch(access, now), access.version, { put, remove });
    return { project: access.project, files: put.map((f) => fileView(f)) };
  },
};
