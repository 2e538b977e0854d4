import { auditRepository } from '../../data/identity/audit-repository';
import { identityRepository } from '../../data/identity/identity-repository';
import { InvalidError, LimitExceededError, NotFoundError } from '../../shared/errors';
import type { Principal, Role } from '../../shared/principal';
import { orgAccess } from './access';
import { identityService } from './identity-service';
import type { ApiKey, AuditEvent } from './types';

/**
 * An organization's administration through the API (the console's admin pages): its members and
 * roles, its members' API keys, its audit log. Every call needs the admin role in the organization
 * and reaches only that organization: a user or key outside it is "not found".
 */
type KeyView = Omit<ApiKey, 'secretHash'>;

/** At most this many audit events are read for one admin/audit/read, so a rare filter over a long history answers in time. */
const AUDIT_MAX_SCANNED = 20_000;

async function memberOf(orgId: string, userId: number) {
  const member = await identityRepository.getMember(orgId, userId);
  if (!member) throw new NotFoundError(`Member ${userId}`);
  return member;
}

/** `expires` in the future, as an ISO time (a date alone ends at the end of that day, UTC). */
function futureExpiry(expires: string | undefined): string | undefined {
  if (!expires) return undefined;
  const at = new Date(/T/.test(expires) ? (expires.endsWith('Z') ? expires : `${expires}Z`) : `${expires}T23:59:59.999Z`);
  if (Number.isNaN(at.getTime())) throw new InvalidError('expires: must be a valid ISO date or time');
  if (at.getTime() <= Date.now()) throw new InvalidError('expires: must be in the future');
  return at.toISOString();
}

export const orgAdminService = {
  async listMembers(principal: Principal, organizationId?: string) {
    const { orgId } = orgAccess(principal, organizationId, 'admin');
    const members = await identityRepository.listMembers(orgId);
    const users = await identityRepository.getUsers(members.map((m) => m.userId));
    return {
      orgId,
      members: members
        .map((m) => ({ userId: m.userId, name: users.get(m.userId)?.name ?? '', email: users.get(m.userId)?.email ?? '', role: m.role, joined: m.joined }))
        .sort((a, b) => a.userId - b.userId),
    };
  },

  /** Changes a member's role; the organization always keeps one admin. */
  async setRole(principal: Principal, input: { organizationId?: string; userId: number; role: Role }) {
    const { orgId } = orgAccess(principal, input.organizationId, 'admin');
    const before = await memberOf(orgId, input.userId);
    const changed = await identityService.setMemberRole(orgId, input.userId, input.role);
    return { orgId, from: before.role, member: { userId: changed.userId, role: changed.role, joined: changed.joined } };
  },

  async removeMember(principal: Principal, input: { organizationId?: string; userId: number }) {
    const { orgId } = orgAccess(principal, input.organizationId, 'admin');
    await memberOf(orgId, input.userId);
    const removed = await identityService.removeMemberChecked(orgId, input.userId);
    return { orgId, role: removed.role };
  },

  /** The API keys of the organization's members: names, times, never a secret or its hash. */
  async listKeys(principal: Principal, organizationId?: string) {
    const { orgId } = orgAccess(principal, organizationId, 'admin');
    const members = await identityRepository.listMembers(orgId);
    const keys = (await Promise.all(members.map((m) => identityService.listKeys(m.userId)))).flat();
    return { orgId, keys: keys.sort((a, b) => b.created.localeCompare(a.created)) as KeyView[] };
  },

  /**
   * A key for the calling admin. Only for the caller: a key acts as its user in every organization
   * they belong to, so an admin of one organization must not mint credentials for another user.
   * The secret is in this answer and nowhere else; only its hash is stored.
   */
  async createKey(principal: Principal, input: { organizationId?: string; name: string; expires?: string }) {
    const { orgId } = orgAccess(principal, input.organizationId, 'admin');
    const name = input.name.trim();
    if (!name) throw new InvalidError('name: must not be blank');
    const expiresAt = futureExpiry(input.expires);
    const issued = await identityService.issueKey(principal.userId, name, expiresAt ? { expiresAt } : {});
    return { orgId, keyId: issued.keyId, secret: issued.secret, name, ...(expiresAt ? { expiresAt } : {}) };
  },

  /** Revokes a key of one of the organization's members (any other key is "not found"). */
  async revokeKey(principal: Principal, input: { organizationId?: string; keyId: string }) {
    const { orgId } = orgAccess(principal, input.organizationId, 'admin');
    const key = await identityRepository.getKey(input.keyId);
    if (!key || !(await identityRepository.getMember(orgId, key.userId))) throw new NotFoundError('API key');
    await identityService.revokeKey(key.keyId);
    return { orgId, userId: key.userId, alreadyRevoked: key.revokedAt !== undefined };
  },

  /** The organization's audit events, newest first, filtered, `count` from `start`. */
  async readAudit(
    principal: Principal,
    input: { organizationId?: string; userId?: number; action?: string; resource?: string; from?: string; to?: string; start?: number; count?: number },
  ) {
    const { orgId } = orgAccess(principal, input.organizationId, 'admin');
    const start = input.start ?? 0;
    const count = input.count ?? 50;
    const { events, complete } = await auditRepository.search(
      {
        orgId,
        userId: input.userId,
        action: input.action,
        targetPrefix: input.resource,
        from: input.from,
        to: input.to,
        limit: start + count + 1,
      },
      AUDIT_MAX_SCANNED,
    );
    if (!complete && events.length <= start) {
      throw new LimitExceededError(`The audit search stopped after ${AUDIT_MAX_SCANNED} events; narrow it with from and to.`);
    }
    // A search cut short still answers what it found; `more` then says there may be further matches.
    return { orgId, start, more: !complete || events.length > start + count, events: events.slice(start, start + count).map(auditView) };
  },
};

function auditView(e: AuditEvent) {
  return {
    at: e.at,
    userId: e.userId,
    action: e.action,
    target: e.target ?? null,
    authMethod: e.authMethod,
    sourceIp: e.sourceIp,
    requestId: e.requestId,
    detail: e.detail ?? null,
  };
}
