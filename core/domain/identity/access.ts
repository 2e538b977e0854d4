import { projectRepository, type StoredProject } from '../../data/projects/project-repository';
import { ForbiddenError, NotFoundError } from '../../shared/errors';
import { type Principal, ROLE_RANK, type Role } from '../../shared/principal';
import type { Collaborator } from '../projects/types';

/**
 * Who may do what (design §4.3, §5):
 * - organisation roles: admin (everything in the org), member (read/write projects, run jobs),
 *   viewer (read only);
 * - a project is visible to the org's admins and to its collaborators; writing needs a member or
 *   admin role and, for non-admins, a collaborator entry with write permission;
 * - anything in an organisation the caller does not belong to is "not found".
 */
export interface OrgAccess {
  orgId: string;
  role: Role;
}

export function orgAccess(principal: Principal, requestedOrgId: string | undefined, least: Role): OrgAccess {
  const orgId = requestedOrgId ?? principal.preferredOrgId;
  const membership = principal.memberships.find((m) => m.orgId === orgId);
  if (!orgId || !membership) throw new NotFoundError('Organization');
  if (ROLE_RANK[membership.role] < ROLE_RANK[least]) {
    throw new ForbiddenError(`This needs the ${least} role in the organization; you are ${membership.role}.`);
  }
  return { orgId, role: membership.role };
}

export interface ProjectAccess extends StoredProject {
  role: Role;
  collaborator?: Collaborator;
  canWrite: boolean;
}

function projectPermission(principal: Principal, stored: StoredProject): ProjectAccess | undefined {
  const membership = principal.memberships.find((m) => m.orgId === stored.project.orgId);
  if (!membership) return undefined;
  const collaborator = stored.project.collaborators.find((c) => c.userId === principal.userId);
  if (membership.role !== 'admin' && !collaborator) return undefined;
  const canWrite = membership.role === 'admin' || (membership.role === 'member' && !!collaborator?.write);
  return { ...stored, role: membership.role, collaborator, canWrite };
}

export function canSee(principal: Principal, stored: StoredProject): boolean {
  return projectPermission(principal, stored) !== undefined;
}

/** Loads a project the caller may see, and checks write permission when `write` is asked. */
export async function projectAccess(principal: Principal, projectId: number, need: 'read' | 'write'): Promise<ProjectAccess> {
  const stored = await projectRepository.get(projectId);
  const access = stored && projectPermission(principal, stored);
  if (!access) throw new NotFoundError('Project');
  if (need === 'write' && !access.canWrite) {
    throw new ForbiddenError(
      access.role === 'viewer'
        ? 'You have the viewer role in this organization; changing a project needs write permission.'
        : 'You have read permission on this project; changing it needs write permission.',
    );
  }
  return access;
}
