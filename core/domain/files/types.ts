export interface ProjectFile {
  projectId: number;
  name: string;
  content: string;
  created: string;
  modified: string;
}

/**
 * Where a project's committed file set is stored (kept on the project item, so the write that
 * moves the project's version also switches its files): the ids of its file packs, one per hash
 * bucket of the file names ('' for an empty bucket), and their total size. Only core/data/files
 * reads it; a project without it still has its files in the one-item-per-file form of old.
 */
export interface FileSetRef {
  packs: string[];
  bytes: number;
}
