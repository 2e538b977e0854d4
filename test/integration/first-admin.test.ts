import { randomBytes } from 'node:crypto';
import { auditRepository } from '../../core/data/identity/audit-repository';
import { identityRepository } from '../../core/data/identity/identity-repository';
import { ensureFirstAdmin, type FirstAdminSecret } from '../../core/domain/identity/first-admin';
import type { SecretStore } from '../../core/ports/secret-store';
import type { UsagePlanKeys } from '../../core/ports/usage-plan-keys';
import { handler } from '../../lambdas/custom-resources/first-admin.handler';
import { call } from '../support/api';

/**
 * The first-admin custom resource's logic against the test server's storage, with fakes for the
 * two AWS-only ports (Secrets Manager, API Gateway usage-plan keys): it creates the admin once,
 * and a retry, an update or a run after a partial failure never creates a second one.
 */
class FakeSecret implements SecretStore {
  writes = 0;
  failNextWrite = false;
  constructor(public value?: string) {}
  async read() {
    return this.value;
  }
  async write(value: string) {
    if (this.failNextWrite) {
      this.failNextWrite = false;
      throw new Error('secrets manager unavailable');
    }
    this.writes += 1;
    this.value = value;
  }
  parsed(): FirstAdminSecret {
    return JSON.parse(this.value as string) as FirstAdminSecret;
  }
}

class FakeUsagePlan implements UsagePlanKeys {
  attached: string[] = [];
  async attach(org: { id: string }) {
    if (!this.attached.includes(org.id)) this.attached.push(org.id);
  }
}

const input = () => ({ email: `first-${randomBytes(4).toString('hex')}@admin.test`, name: 'First Admin', organization: 'First Org' });
const ownedOrgs = async (userId: number) => (await identityRepository.listOrganizations()).filter((o) => o.ownerUserId === userId);

test('creates the user, the organization, its usage-plan key and a working token in the secret; a retry changes nothing', async () => {
  const settings = input();
  const secrets = new FakeSecret('generated-placeholder-not-json');
  const plan = new FakeUsagePlan();
  const first = await ensureFirstAdmin(settings, { secrets, usagePlanKeys: plan });
  expect(first).toMatchObject({ createdUser: true, createdOrganization: true, issuedToken: true });

  const secret = secrets.parsed();
  expect(secret).toEqual({ userId: first.userId, organizationId: first.organizationId, token: expect.stringMatching(/^[0-9a-f]{64}$/) });
  expect(plan.attached).toEqual([first.organizationId]);
  const read = await call('organizations/read', { json: { organizationId: first.organizationId }, creds: { userId: secret.userId, token: secret.token } });
  expect(read.body).toMatchObject({ success: true, organization: { name: 'First Org' } });
  expect(await identityRepository.getMember(first.organizationId, first.userId)).toMatchObject({ role: 'admin' });
  const events = await auditRepository.query({ orgId: first.organizationId, action: 'admin/first-admin' });
  expect(events).toEqual([expect.objectContaining({ userId: 0, sourceIp: 'cloudformation', target: `user/${first.userId}` })]);
  expect(JSON.stringify(events)).not.toContain(secret.token);

  const again = await ensureFirstAdmin(settings, { secrets, usagePlanKeys: plan });
  expect(again).toEqual({ userId: first.userId, organizationId: first.organizationId, createdUser: false, createdOrganization: false, issuedToken: false });
  expect(secrets.writes).toBe(1);
  expect(secrets.parsed()).toEqual(secret);
  expect(await ownedOrgs(first.userId)).toHaveLength(1);
  expect(plan.attached).toEqual([first.organizationId]);
});

test('after a failure between creating the admin and writing the secret, the next run reuses both and fills the secret', async () => {
  const settings = input();
  const secrets = new FakeSecret();
  secrets.failNextWrite = true;
  const plan = new FakeUsagePlan();
  await expect(ensureFirstAdmin(settings, { secrets, usagePlanKeys: plan })).rejects.toThrow('secrets manager unavailable');
  expect(secrets.value).toBeUndefined();

  const retried = await ensureFirstAdmin(settings, { secrets, usagePlanKeys: plan });
  expect(retried).toMatchObject({ createdUser: false, createdOrganization: false, issuedToken: true });
  expect(await ownedOrgs(retried.userId)).toHaveLength(1);
  const secret = secrets.parsed();
  expect(secret).toMatchObject({ userId: retried.userId, organizationId: retried.organizationId });
  expect((await call('authenticate', { method: 'GET', creds: { userId: secret.userId, token: secret.token } })).body.success).toBe(true);
});

test('an email that already exists is reused: no second user, and no second organization when it already administers one', async () => {
  const settings = input();
  const secrets = new FakeSecret();
  const first = await ensureFirstAdmin(settings, { secrets, usagePlanKeys: new FakeUsagePlan() });
  // A fresh secret (say, the stack was recreated over the retained table): same user and organization, a new token.
  const fresh = new FakeSecret();
  const again = await ensureFirstAdmin({ ...settings, email: settings.email.toUpperCase() }, { secrets: fresh, usagePlanKeys: new FakeUsagePlan() });
  expect(again).toMatchObject({
    userId: first.userId,
    organizationId: first.organizationId,
    createdUser: false,
    createdOrganization: false,
    issuedToken: true,
  });
  expect(await ownedOrgs(first.userId)).toHaveLength(1);
});

test('the custom resource handler: Delete keeps the data and answers with the same physical id', async () => {
  const answer = await handler({ RequestType: 'Delete', PhysicalResourceId: 'lcs-first-admin', ResourceProperties: { ServiceToken: 'x' } } as never);
  expect(answer).toEqual({ PhysicalResourceId: 'lcs-first-admin' });
});
