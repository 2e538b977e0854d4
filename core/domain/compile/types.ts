import type { Language } from '../projects/types';

export type CompileState = 'InQueue' | 'BuildSuccess' | 'BuildError';

/** A compile: an immutable snapshot of the project's files (and its libraries') plus the build outcome. */
export interface Compile {
  compileId: string;
  projectId: number;
  orgId: string;
  userId: number;
  language: Language;
  state: CompileState;
  logs: string[];
  /** S3 key of the snapshot manifest (file names → content hashes). */
  manifestKey: string;
  /** Parameters the algorithm reads with GetParameter, by file and line. */
  parameters: { file: string; parameters: { line: number; type: string }[] }[];
  signature: string;
  signatureOrder: string[];
  created: string;
  /** C# only: the build task, once launched. */
  taskRef?: string;
}
