import { createHash } from 'node:crypto';
import type { Collaborator, Project, ProjectFile, User, VirtualNode } from '../../data/model';
import { projectRepository } from '../../data/projects/project-repository';
import { skuInfo } from '../../shared/catalog';
import { qcDate } from '../../shared/dates';
import type { Principal } from '../../shared/principal';
import { canSee } from '../identity/access';
import { displayUsers } from '../identity/user-directory';

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

/** Renders projects, fetching their library projects, then every user they mention in one batch read. */
export async function projectViews(projects: Project[], principal: Principal) {
  const libraryIds = [...new Set(projects.flatMap((p) => p.libraries))];
  const libraries = (await Promise.all(libraryIds.map((id) => projectRepository.get(id)))).flatMap((l) => (l ? [l] : []));
  const libraryById = new Map(libraries.map((l) => [l.project.id, l] as const));
  // Library owners are named too: a library is often another user's project.
  const userIds = [...projects, ...libraries.map((l) => l.project)].flatMap((p) => [p.ownerId, ...p.collaborators.map((c) => c.userId)]);
  const users = await displayUsers(userIds);
  return projects.map((p) => ({
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
  }));
}

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

/** A virtual node as `nodes/read` and `projects/nodes/read` report it (contract §3.11). */
export function nodeView(node: VirtualNode, extra: { active?: boolean } = {}) {
  const info = skuInfo(node.sku);
  return {
    id: node.id,
    name: node.name,
    sku: node.sku,
    description: info?.description ?? node.sku,
    cpu: info?.cpu ?? 1,
    ram: info?.ramGb ?? 1,
    speed: info?.speedGhz ?? 2.5,
    // Nodes are virtual: nothing is billed until a task runs, so there is no subscription price.
    price: { monthly: 0, yearly: 0 },
    assets: 0,
    host: '',
    hasGpu: 0,
    busy: node.busyWith !== undefined,
    // lean-cli needs strings here even when idle; the project name is not stored on the claim.
    usedBy: node.busyWith ? `${node.busyWith.kind} ${node.busyWith.id}` : '',
    userProfile: '',
    projectName: '',
    projectId: node.busyWith?.projectId ?? null,
    ...(extra.active !== undefined ? { active: extra.active } : {}),
  };
}
