import type { StoredProject } from '../../data/projects/project-repository';
import { qcDate } from '../../shared/dates';
import type { Principal } from '../../shared/principal';
import { canSee } from '../identity/access';
import type { User } from '../identity/types';
import type { Collaborator, Project } from './types';

/**
 * Wire shapes (contract §3). Field names, types and presence follow what LEAN and lean-cli
 * require: lean-cli's pydantic models reject a missing required field or a null string.
 */
export function collaboratorView(c: Collaborator, user: User | undefined) {
  return {
    uid: c.userId,
    liveControl: c.liveControl,
    permission: c.write ? 'write' : 'read',
    profileImage: '',
    name: user?.name ?? '',
    email: user?.email ?? '',
    publicId: String(c.userId),
    bio: '',
    owner: c.owner,
  };
}

/** Both clients' parameter forms at once: lean-cli reads `key`, LEAN reads `name` (contract §3.3). */
function parameterView(p: { key: string; value: string }) {
  return { key: p.key, name: p.key, value: p.value };
}

/** What rendering projects needs besides the projects: their linked libraries and every user they name. */
export interface ProjectViewContext {
  libraryById: ReadonlyMap<number, StoredProject>;
  users: ReadonlyMap<number, User>;
}

export function projectView(p: Project, principal: Principal, { libraryById, users }: ProjectViewContext) {
  return {
    projectId: p.id,
    organizationId: p.orgId,
    name: p.name,
    description: p.description,
    modified: qcDate(p.modified),
    created: qcDate(p.created),
    ownerId: p.ownerId,
    owner: p.ownerId === principal.userId,
    language: p.language,
    collaborators: p.collaborators.map((c) => collaboratorView(c, users.get(c.userId))),
    leanVersionId: p.leanVersionId,
    leanPinnedToMaster: p.leanPinnedToMaster,
    leanEnvironment: p.leanEnvironment,
    parameters: p.parameters.map(parameterView),
    libraries: p.libraries.flatMap((id) => {
      const stored = libraryById.get(id);
      if (!stored) return [];
      const lib = stored.project;
      // `access`: whether the caller may open the library itself (its files are listed only then).
      return [{ projectId: id, libraryName: lib.name, ownerName: users.get(lib.ownerId)?.name ?? '', access: canSee(principal, stored) }];
    }),
    encrypted: false,
    isAlphaStreamDeployment: false,
    codeRunning: false,
    paperEquity: null,
    lastLiveDeployment: null,
  };
}
