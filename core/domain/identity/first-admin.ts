import { identityRepository } from '../../data/identity/identity-repository';
import type { SecretStore } from '../../ports/secret-store';
import type { UsagePlanKeys } from '../../ports/usage-plan-keys';
import { ConflictError } from '../../shared/errors';
import { recordAdminChange } from './admin-audit';
import { identityService } from './identity-service';
import type { Organization, User } from './types';

/**
 * The deployment's first admin (design §1): a user, an organisation they administer, the
 * organisation's usage-plan key and an API token, whose value goes to a secret the operator reads
 * once. Safe to run again after a partial failure or on every stack update: an existing user is
 * reused (never a second organisation), and a secret that already names the user is left alone.
 */
export interface FirstAdminInput {
  email: string;
  name: string;
  organization: string;
}

export interface FirstAdminSecret {
  userId: number;
  organizationId: string;
  token: string;
}

export interface FirstAdminResult {
  userId: number;
  organizationId: string;
  createdUser: boolean;
  createdOrganization: boolean;
  issuedToken: boolean;
}

export async function ensureFirstAdmin(input: FirstAdminInput, ports: { secrets: SecretStore; usagePlanKeys: UsagePlanKeys }): Promise<FirstAdminResult> {
  const stored = parseSecret(await ports.secrets.read());
  const { user, created: createdUser } = await findOrCreateUser(input);
  const { org, created: createdOrganization } = await findOrCreateOrganization(user, input.organization, stored);
  await ports.usagePlanKeys.attach(org);

  let issuedToken = false;
  if (!(stored && stored.userId === user.id && stored.organizationId === org.id)) {
    const issued = await identityService.issueToken(user.id);
    const secret: FirstAdminSecret = { userId: user.id, organizationId: org.id, token: issued.token };
    await ports.secrets.write(JSON.stringify(secret));
    issuedToken = true;
    await recordAdminChange({
      action: 'admin/first-admin',
      orgId: org.id,
      target: `user/${user.id}`,
      source: 'cloudformation',
      detail: { email: user.email, createdUser, createdOrganization, tokenId: issued.tokenId },
    });
  }
  return { userId: user.id, organizationId: org.id, createdUser, createdOrganization, issuedToken };
}

function parseSecret(value: string | undefined): FirstAdminSecret | undefined {
  if (!value) return undefined;
  try {
    const parsed = JSON.parse(value) as Partial<FirstAdminSecret>;
    if (typeof parsed.userId === 'number' && typeof parsed.organizationId === 'string' && typeof parsed.token === 'string') return parsed as FirstAdminSecret;
  } catch {
    // A secret created with a generated placeholder value: not ours yet.
  }
  return undefined;
}

async function findOrCreateUser(input: FirstAdminInput): Promise<{ user: User; created: boolean }> {
  const existing = await identityService.findUserByEmail(input.email);
  if (existing) return { user: existing, created: false };
  try {
    return { user: await identityService.createUser({ name: input.name, email: input.email }), created: true };
  } catch (err) {
    // Created concurrently between the lookup and the write (a retried invocation): use that one.
    const raced = err instanceof ConflictError ? await identityService.findUserByEmail(input.email) : undefined;
    if (!raced) throw err;
    return { user: raced, created: false };
  }
}

/** The organisation named in the secret, else one the user already administers, else a new one. */
async function findOrCreateOrganization(user: User, name: string, stored: FirstAdminSecret | undefined): Promise<{ org: Organization; created: boolean }> {
  const loaded = await identityRepository.loadUserForAuth(user.id);
  const adminOf = new Set((loaded?.memberships ?? []).filter((m) => m.role === 'admin').map((m) => m.orgId));
  const candidates = [stored?.userId === user.id ? stored.organizationId : undefined, user.preferredOrgId, ...[...adminOf].sort()];
  for (const orgId of candidates) {
    if (!orgId || !adminOf.has(orgId)) continue;
    const org = await identityRepository.getOrganization(orgId);
    if (org) return { org, created: false };
  }
  return { org: await identityService.createOrganization({ name, ownerUserId: user.id }), created: true };
}
