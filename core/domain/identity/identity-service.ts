import { identityRepository } from '../../data/identity/identity-repository';
import { tokenCipher } from '../../data/identity/token-cipher';
import { nodeRepository } from '../../data/jobs/node-repository';
import { lastId, nextId } from '../../data/table/counters';
import { DEFAULT_NODE_SKUS, skuInfo } from '../../shared/catalog';
import { mapLimit } from '../../shared/concurrency';
import { config } from '../../shared/config';
import { isoNow } from '../../shared/dates';
import { ConflictError, InvalidError, NotFoundError } from '../../shared/errors';
import { sha256Hex } from '../../shared/hashing';
import { hexId, keyId, secretValue } from '../../shared/ids';
import type { Role } from '../../shared/principal';
import type { ApiKey, ApiToken, Member, Organization, User } from './types';

/**
 * Organisations, users, memberships and credentials. Used by local mode's first start, the
 * admin commands and tests. Secrets are returned once, at creation, and never again.
 */
const FIRST_USER_ID = 100_000;

export interface IssuedToken {
  userId: number;
  tokenId: string;
  token: string;
}

export interface IssuedKey {
  keyId: string;
  secret: string;
}

/**
 * An organisation's optimization nodes: concurrency slots its optimizations share (at most this
 * many points run at once). A slot runs any optimization node type; the task size comes from the
 * optimization's `nodeType`.
 */
function optimizationNodes(org: Pick<Organization, 'id'>, count: number, first = 0, created = isoNow()) {
  return Array.from({ length: count }, (_, i) => ({
    id: `O-${hexId().slice(0, 8)}`,
    orgId: org.id,
    kind: 'optimization' as const,
    sku: 'O2-8',
    name: `Optimization node ${first + i + 1}`,
    created,
  }));
}

export const identityService = {
  async createUser(input: { name: string; email: string }): Promise<User> {
    const email = input.email.trim().toLowerCase();
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new InvalidError('email: must be an email address');
    const user: User = { id: await nextId('user', FIRST_USER_ID), name: input.name.trim() || email, email, created: isoNow() };
    await identityRepository.createUser(user);
    return user;
  },

  /** Creates an organisation owned (admin) by `ownerUserId`, with its default virtual nodes. */
  async createOrganization(input: { name: string; ownerUserId: number }): Promise<Organization> {
    const owner = await identityRepository.getUser(input.ownerUserId);
    if (!owner) throw new NotFoundError('User');
    const org: Organization = { id: hexId(), name: input.name.trim(), ownerUserId: owner.id, created: isoNow() };
    await identityRepository.createOrganization(org);
    await identityRepository.putMember({ orgId: org.id, userId: owner.id, role: 'admin', joined: org.created });
    if (!owner.preferredOrgId) await identityRepository.setPreferredOrg(owner.id, org.id);
    await nodeRepository.putMany(
      DEFAULT_NODE_SKUS.map((sku, i) => ({
        id: `${sku.replace(/[^A-Z0-9]/g, '')}-${hexId().slice(0, 8)}`,
        orgId: org.id,
        kind: skuInfo(sku)?.kind ?? 'backtest',
        sku,
        name: `${sku} node ${i + 1}`,
        created: org.created,
      })),
    );
    await nodeRepository.putMany(optimizationNodes(org, config().LCS_OPTIMIZATION_NODES, 0, org.created));
    return org;
  },

  /**
   * Sets how many optimization nodes (slots its optimizations share) an organization has: for
   * organizations created before optimizations existed, or to change the server-wide default.
   * Only idle nodes are removed; a node running a point is never taken away.
   */
  async setOptimizationNodes(orgId: string, count: number): Promise<{ added: number; removed: number; total: number; busy: number }> {
    const org = await identityService.getOrganization(orgId);
    const current = (await nodeRepository.listByOrg(org.id)).filter((n) => n.kind === 'optimization');
    if (count >= current.length) {
      await nodeRepository.putMany(optimizationNodes(org, count - current.length, current.length));
      return { added: count - current.length, removed: 0, total: count, busy: 0 };
    }
    let removed = 0;
    // Newest first, so the remaining nodes keep their names 1..count where they can.
    for (const node of current.filter((n) => !n.busyWith).reverse()) {
      if (removed === current.length - count) break;
      if (await nodeRepository.deleteIdle(org.id, node.id)) removed++;
    }
    // Busy nodes stay; the caller reports how many could not be removed yet.
    return { added: 0, removed, total: current.length - removed, busy: current.length - removed - count };
  },

  async addMember(orgId: string, userId: number, role: Role): Promise<void> {
    if (!(await identityRepository.getOrganization(orgId))) throw new NotFoundError('Organization');
    const user = await identityRepository.getUser(userId);
    if (!user) throw new NotFoundError('User');
    await identityRepository.putMember({ orgId, userId, role, joined: isoNow() });
    if (!user.preferredOrgId) await identityRepository.setPreferredOrg(userId, orgId);
  },

  async removeMember(orgId: string, userId: number): Promise<void> {
    await identityRepository.removeMember(orgId, userId);
  },

  /** An API token for the QuantConnect hash (what `lean login` asks for). */
  async issueToken(userId: number, options: { expiresAt?: string } = {}): Promise<IssuedToken> {
    if (!(await identityRepository.getUser(userId))) throw new NotFoundError('User');
    const token = secretValue(32);
    const tokenId = keyId('tok');
    await identityRepository.putToken({
      userId,
      tokenId,
      ciphertext: await tokenCipher().encrypt(token),
      created: isoNow(),
      ...(options.expiresAt ? { expiresAt: options.expiresAt } : {}),
    });
    return { userId, tokenId, token };
  },

  async revokeToken(userId: number, tokenId: string): Promise<void> {
    await identityRepository.revokeToken(userId, tokenId, isoNow());
  },

  /** A named key/secret pair for `X-API-Key` + `X-API-Secret`; only the secret's hash is stored. */
  async issueKey(userId: number, name: string, options: { expiresAt?: string } = {}): Promise<IssuedKey> {
    if (!(await identityRepository.getUser(userId))) throw new NotFoundError('User');
    const secret = secretValue(32);
    const key: ApiKey = {
      keyId: keyId('lcs'),
      userId,
      name,
      secretHash: sha256Hex(secret),
      created: isoNow(),
      ...(options.expiresAt ? { expiresAt: options.expiresAt } : {}),
    };
    await identityRepository.putKey(key);
    return { keyId: key.keyId, secret };
  },

  async revokeKey(keyIdValue: string): Promise<void> {
    await identityRepository.revokeKey(keyIdValue, isoNow());
  },

  async listKeys(userId: number): Promise<Omit<ApiKey, 'secretHash'>[]> {
    return (await identityRepository.listKeys(userId)).map(({ secretHash: _hidden, ...rest }) => rest);
  },

  // Administration (lcs admin, the first-admin resource): lookups that fail with "not found".

  async getUser(userId: number): Promise<User> {
    const user = await identityRepository.getUser(userId);
    if (!user) throw new NotFoundError(`User ${userId}`);
    return user;
  },

  async findUserByEmail(email: string): Promise<User | undefined> {
    const userId = await identityRepository.findUserIdByEmail(email.trim().toLowerCase());
    return userId === undefined ? undefined : identityRepository.getUser(userId);
  },

  async getOrganization(orgId: string): Promise<Organization> {
    const org = await identityRepository.getOrganization(orgId);
    if (!org) throw new NotFoundError(`Organization ${orgId}`);
    return org;
  },

  async listOrganizations(): Promise<Organization[]> {
    return identityRepository.listOrganizations();
  },

  async listMembers(orgId: string): Promise<Member[]> {
    await identityService.getOrganization(orgId);
    return identityRepository.listMembers(orgId);
  },

  async findMember(orgId: string, userId: number): Promise<Member | undefined> {
    return identityRepository.getMember(orgId, userId);
  },

  async getUsers(userIds: number[]): Promise<Map<number, User>> {
    return identityRepository.getUsers(userIds);
  },

  /** Changes the role of an existing member; an organisation always keeps at least one admin. */
  async setMemberRole(orgId: string, userId: number, role: Role): Promise<Member> {
    const member = await existingMember(orgId, userId);
    if (member.role === 'admin' && role !== 'admin') await keepOneAdmin(orgId, userId);
    const changed: Member = { ...member, role };
    await identityRepository.putMember(changed);
    return changed;
  },

  /** Removes an existing member, refusing to remove the organisation's last admin. */
  async removeMemberChecked(orgId: string, userId: number): Promise<Member> {
    const member = await existingMember(orgId, userId);
    if (member.role === 'admin') await keepOneAdmin(orgId, userId);
    await identityRepository.removeMember(orgId, userId);
    return member;
  },

  /**
   * Every user, oldest first, with the organisations they belong to. User ids are handed out in
   * order by one counter, so the users are read by id (a batch of 100 at a time), never scanned.
   */
  async listUsers(): Promise<(User & { memberships: { orgId: string; role: Role }[] })[]> {
    const last = await lastId('user');
    if (last === undefined) return [];
    const ids = Array.from({ length: last - FIRST_USER_ID }, (_, i) => FIRST_USER_ID + 1 + i);
    const users = await identityRepository.getUsers(ids);
    const found = ids.flatMap((id) => users.get(id) ?? []);
    return mapLimit(found, 8, async (user) => {
      const loaded = await identityRepository.loadUserForAuth(user.id);
      return { ...user, memberships: (loaded?.memberships ?? []).map((m) => ({ orgId: m.orgId, role: m.role })) };
    });
  },

  /** A user's tokens without their (encrypted) values. */
  async listTokens(userId: number): Promise<Omit<ApiToken, 'ciphertext'>[]> {
    await identityService.getUser(userId);
    return (await identityRepository.listTokens(userId)).map(({ ciphertext: _hidden, ...rest }) => rest);
  },

  /** A user's keys with name, expiry, revocation and last use; never the secret's hash. */
  async listKeyDetails(userId: number): Promise<Omit<ApiKey, 'secretHash'>[]> {
    await identityService.getUser(userId);
    return identityService.listKeys(userId);
  },

  async getKey(keyIdValue: string): Promise<Omit<ApiKey, 'secretHash'>> {
    const key = await identityRepository.getKey(keyIdValue);
    if (!key) throw new NotFoundError(`API key ${keyIdValue}`);
    const { secretHash: _hidden, ...rest } = key;
    return rest;
  },
};

async function existingMember(orgId: string, userId: number): Promise<Member> {
  await identityService.getOrganization(orgId);
  const member = await identityRepository.getMember(orgId, userId);
  if (!member) throw new NotFoundError(`Membership of user ${userId} in organization ${orgId}`);
  return member;
}

async function keepOneAdmin(orgId: string, leavingUserId: number): Promise<void> {
  const admins = (await identityRepository.listMembers(orgId)).filter((m) => m.role === 'admin' && m.userId !== leavingUserId);
  if (admins.length === 0) throw new ConflictError(`User ${leavingUserId} is the last admin of organization ${orgId}; make another member admin first`);
}
