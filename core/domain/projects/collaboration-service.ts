import { identityRepository } from '../../data/identity/identity-repository';
import { projectRepository } from '../../data/projects/project-repository';
import { isoNow } from '../../shared/dates';
import { ConflictError, ForbiddenError, InvalidError, NotFoundError } from '../../shared/errors';
import type { Principal } from '../../shared/principal';
import { type ProjectAccess, projectAccess } from '../identity/access';
import { displayUsers } from '../identity/user-directory';
import { collaboratorView } from './project-views';
import type { Collaborator, Project } from './types';

/**
 * Project collaborators. Only members of the project's organisation can be added; managing
 * collaborators takes an organisation admin or the project owner. Permissions set here are
 * enforced by every project and file endpoint (see access.ts).
 */
const MAX_COLLABORATORS = 100;

async function managed(principal: Principal, projectId: number): Promise<ProjectAccess> {
  const access = await projectAccess(principal, projectId, 'write');
  if (access.role !== 'admin' && !access.collaborator?.owner) {
    throw new ForbiddenError('Only the project owner or an organization admin can manage collaborators.');
  }
  return access;
}

async function views(project: Project) {
  const users = await displayUsers(project.collaborators.map((c) => c.userId));
  return project.collaborators.map((c) => collaboratorView(c, users.get(c.userId)));
}

function parseUserId(text: string, field: string): number {
  if (!/^\d{1,15}$/.test(text.trim())) throw new InvalidError(`${field}: must be a user id`);
  return Number(text.trim());
}

async function save(access: ProjectAccess, collaborators: Collaborator[]) {
  const project = { ...access.project, collaborators };
  await projectRepository.save(project, access.version);
  return { project, collaborators: await views(project) };
}

export const collaborationService = {
  async create(principal: Principal, input: { projectId: number; collaboratorUserId: string; liveControl: boolean; write: boolean }) {
    const access = await managed(principal, input.projectId);
    const userId = parseUserId(input.collaboratorUserId, 'collaboratorUserId');
    const members = await identityRepository.listMembers(access.project.orgId);
    if (!members.some((m) => m.userId === userId)) throw new NotFoundError('User in this organization');
    if (access.project.collaborators.some((c) => c.userId === userId)) throw new ConflictError('The user is already a collaborator');
    if (access.project.collaborators.length >= MAX_COLLABORATORS) throw new InvalidError(`collaboratorUserId: at most ${MAX_COLLABORATORS} collaborators`);
    const added: Collaborator = { userId, write: input.write, liveControl: input.liveControl, owner: false, added: isoNow() };
    return save(access, [...access.project.collaborators, added]);
  },

  async read(principal: Principal, projectId: number) {
    const access = await projectAccess(principal, projectId, 'read');
    return {
      collaborators: await views(access.project),
      userLiveControl: access.role === 'admin' || !!access.collaborator?.liveControl,
      userPermissions: access.canWrite ? 'write' : 'read',
    };
  },

  async update(principal: Principal, input: { projectId: number; collaboratorUserId: string; liveControl?: boolean; write?: boolean }) {
    const access = await managed(principal, input.projectId);
    const userId = parseUserId(input.collaboratorUserId, 'collaboratorUserId');
    const current = access.project.collaborators.find((c) => c.userId === userId);
    if (!current) throw new NotFoundError('Collaborator');
    if (current.owner && input.write === false) throw new InvalidError('write: the project owner keeps write permission');
    const next = access.project.collaborators.map((c) =>
      c.userId === userId ? { ...c, write: input.write ?? c.write, liveControl: input.liveControl ?? c.liveControl } : c,
    );
    return save(access, next);
  },

  async delete(principal: Principal, input: { projectId: number; collaboratorId: string }) {
    const access = await managed(principal, input.projectId);
    const userId = parseUserId(input.collaboratorId, 'collaboratorId');
    const current = access.project.collaborators.find((c) => c.userId === userId);
    if (!current) throw new NotFoundError('Collaborator');
    if (current.owner) throw new InvalidError('collaboratorId: the project owner cannot be removed');
    return save(
      access,
      access.project.collaborators.filter((c) => c.userId !== userId),
    );
  },
};
