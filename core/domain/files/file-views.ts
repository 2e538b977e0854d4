import { createHash } from 'node:crypto';
import { qcDate } from '../../shared/dates';
import type { ProjectFile } from './types';

/** Files as `files/read` and `files/create` answer them (contract §3.4). */
/** A stable integer id for a file, derived from its project and name (files are keyed by name). */
export function fileId(projectId: number, name: string): number {
  return createHash('sha256').update(`${projectId}/${name}`).digest().readUInt32BE(0) & 0x7fffffff;
}

export function fileView(file: ProjectFile, options: { isLibrary?: boolean; displayName?: string } = {}) {
  return {
    id: fileId(file.projectId, file.name),
    projectId: file.projectId,
    name: options.displayName ?? file.name,
    content: file.content,
    modified: qcDate(file.modified),
    open: false,
    isLibrary: options.isLibrary ?? false,
  };
}
