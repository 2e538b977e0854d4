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

/**
 * Where a project imported by `lcs migrate` came from: the source API's address, its organization
 * and the project's id there. A re-run of the migration finds its earlier imports by the
 * organization and project id alone, never by name. Not part of any wire shape.
 */
export interface ProjectProvenance {
  source: string;
  organizationId: string;
  projectId: number;
}

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
  /** Set on projects created by `lcs migrate` (and kept by backup and restore). */
  importedFrom?: ProjectProvenance;
}
