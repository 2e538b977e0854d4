import type { FileSetRef } from '../files/types';

/** A project as the services see it; its files are separate entities (files/types.ts). */
export interface Collaborator {
  userId: number;
  write: boolean;
  liveControl: boolean;
  owner: boolean;
  added: string;
}

export interface ProjectParameter {
  key: string;
  value: string;
}

export type Language = 'Py' | 'C#';

export interface Project {
  id: number;
  orgId: string;
  name: string;
  description: string;
  language: Language;
  ownerId: number;
  created: string;
  modified: string;
  leanVersionId: number;
  leanPinnedToMaster: boolean;
  leanEnvironment: number;
  parameters: ProjectParameter[];
  /** Ids of library projects linked into this one. */
  libraries: number[];
  collaborators: Collaborator[];
  /** Node ids selected for this project; empty with autoSelectNode means "any free node". */
  activeNodes: string[];
  autoSelectNode: boolean;
  lock?: { userId: number; codeSourceId: string; acquired: string };
  /** The committed file set's storage (core/data/files); absent on projects not written since it was introduced. */
  fileSet?: FileSetRef;
}
