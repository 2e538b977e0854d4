import { randomBytes } from 'node:crypto';
import { identityService } from '../../core/domain/identity/identity-service';
import type { Role } from '../../core/shared/principal';
import { type Creds, LeanCli } from './api';

/**
 * Test fixtures made through the identity service against the same storage the server uses:
 * an organisation per test file keeps tests independent without resetting the database.
 */
export interface TestUser extends Creds {
  email: string;
  tokenId: string;
  keyId: string;
  secret: string;
  role: Role;
}

export interface Tenant {
  orgId: string;
  admin: TestUser;
  cli: LeanCli;
}

async function newUser(role: Role): Promise<Omit<TestUser, 'role'> & { role: Role }> {
  const email = `u-${randomBytes(6).toString('hex')}@test.local`;
  const user = await identityService.createUser({ name: `Test ${role} ${email.slice(2, 8)}`, email });
  const token = await identityService.issueToken(user.id);
  const key = await identityService.issueKey(user.id, 'tests');
  return { userId: user.id, email, token: token.token, tokenId: token.tokenId, keyId: key.keyId, secret: key.secret, role };
}

export async function createTenant(name = 'Test Org'): Promise<Tenant> {
  const admin = await newUser('admin');
  const org = await identityService.createOrganization({ name: `${name} ${randomBytes(3).toString('hex')}`, ownerUserId: admin.userId });
  return { orgId: org.id, admin, cli: new LeanCli(admin, org.id) };
}

export async function addUser(orgId: string, role: Role): Promise<TestUser> {
  const user = await newUser(role);
  await identityService.addMember(orgId, user.userId, role);
  return user;
}
