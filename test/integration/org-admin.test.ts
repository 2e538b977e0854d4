import { auditRepository } from '../../core/data/identity/audit-repository';
import { call } from '../support/api';
import { addUser, createTenant, type Tenant, type TestUser } from '../support/tenants';

/**
 * The organization administration endpoints (`admin/…`, the console's admin pages): admin only,
 * confined to the caller's organization, audited, and a key's secret is answered once and never
 * stored, listed or audited.
 */
let tenant: Tenant;
let other: Tenant;
let member: TestUser;
let viewer: TestUser;

beforeAll(async () => {
  [tenant, other] = await Promise.all([createTenant('org admin'), createTenant('org admin other')]);
  [member, viewer] = await Promise.all([addUser(tenant.orgId, 'member'), addUser(tenant.orgId, 'viewer')]);
});

const as = (creds: TestUser, endpoint: string, json: Record<string, unknown> = {}) =>
  call(endpoint, { creds, json: { organizationId: tenant.orgId, ...json } }).then((a) => a.body);

test('members are listed with their roles, a role changes, and the last admin stays', async () => {
  const listed = await as(tenant.admin, 'admin/members/list');
  const members = listed.members as { userId: number; role: string; email: string }[];
  expect(members.map((m) => [m.userId, m.role]).sort()).toEqual(
    [
      [tenant.admin.userId, 'admin'],
      [member.userId, 'member'],
      [viewer.userId, 'viewer'],
    ].sort(),
  );
  expect(members.find((m) => m.userId === member.userId)?.email).toBe(member.email);

  expect((await as(tenant.admin, 'admin/members/update', { userId: viewer.userId, role: 'member' })).member).toMatchObject({ role: 'member' });
  const roles = ((await as(tenant.admin, 'admin/members/list')).members as { userId: number; role: string }[]).find((m) => m.userId === viewer.userId);
  expect(roles?.role).toBe('member');
  await as(tenant.admin, 'admin/members/update', { userId: viewer.userId, role: 'viewer' });

  const lastAdmin = await as(tenant.admin, 'admin/members/update', { userId: tenant.admin.userId, role: 'member' });
  expect(lastAdmin.success).toBe(false);
  expect(lastAdmin.errors?.join()).toMatch(/last admin/);
  const badRole = await as(tenant.admin, 'admin/members/update', { userId: member.userId, role: 'owner' });
  expect(badRole).toMatchObject({ success: false });
});

test('a member is removed; a user of another organization is not found there', async () => {
  const leaving = await addUser(tenant.orgId, 'viewer');
  expect((await as(tenant.admin, 'admin/members/delete', { userId: leaving.userId })).success).toBe(true);
  expect(((await as(tenant.admin, 'admin/members/list')).members as { userId: number }[]).some((m) => m.userId === leaving.userId)).toBe(false);
  const outsider = await as(tenant.admin, 'admin/members/delete', { userId: other.admin.userId });
  expect(outsider.success).toBe(false);
  expect(outsider.errors?.join()).toMatch(/not found/i);
});

test('a key is created with its secret once, works, is listed without it, and is revoked', async () => {
  const created = await as(tenant.admin, 'admin/keys/create', { name: 'console key' });
  expect(created).toMatchObject({ success: true, name: 'console key' });
  const keyId = created.keyId as string;
  const secret = created.secret as string;
  expect(secret.length).toBeGreaterThanOrEqual(32);
  const headers = { 'X-API-Key': keyId, 'X-API-Secret': secret };
  expect((await call('authenticate', { headers })).body.success).toBe(true);

  const listed = await as(tenant.admin, 'admin/keys/list');
  const keys = listed.keys as { keyId: string; userId: number; name: string }[];
  expect(keys.find((k) => k.keyId === keyId)).toMatchObject({ userId: tenant.admin.userId, name: 'console key' });
  expect(keys.some((k) => k.keyId === member.keyId)).toBe(true);
  expect(keys.some((k) => k.keyId === other.admin.keyId)).toBe(false);
  expect(JSON.stringify(listed)).not.toContain(secret);

  // Another organization's key is not found, and stays valid.
  expect((await as(tenant.admin, 'admin/keys/delete', { keyId: other.admin.keyId })).success).toBe(false);
  expect((await call('authenticate', { headers: { 'X-API-Key': other.admin.keyId, 'X-API-Secret': other.admin.secret } })).body.success).toBe(true);

  expect((await as(tenant.admin, 'admin/keys/delete', { keyId })).success).toBe(true);
  expect((await call('authenticate', { headers })).body.success).toBe(false);
  expect(((await as(tenant.admin, 'admin/keys/list')).keys as { keyId: string; revokedAt?: string }[]).find((k) => k.keyId === keyId)?.revokedAt).toBeDefined();

  const audit = await as(tenant.admin, 'admin/audit/read', { resource: `key/${keyId}` });
  const actions = (audit.events as { action: string; userId: number }[]).map((e) => e.action);
  expect(actions).toEqual(['admin/keys/delete', 'admin/keys/create']);
  expect(JSON.stringify(audit)).not.toContain(secret);
});

test('the audit log filters by actor, action, resource and time, and pages', async () => {
  for (let i = 0; i < 3; i++) await as(tenant.admin, 'admin/keys/create', { name: `paged ${i}` });
  const all = await as(tenant.admin, 'admin/audit/read', { action: 'admin/keys/create' });
  const events = all.events as { at: string; action: string; userId: number; target: string }[];
  expect(events.length).toBeGreaterThanOrEqual(4);
  expect(events.every((e) => e.action === 'admin/keys/create')).toBe(true);
  expect([...events].sort((a, b) => b.at.localeCompare(a.at))).toEqual(events);

  const first = await as(tenant.admin, 'admin/audit/read', { action: 'admin/keys/create', count: 2 });
  const second = await as(tenant.admin, 'admin/audit/read', { action: 'admin/keys/create', count: 2, start: 2 });
  expect(first.more).toBe(true);
  expect([...(first.events as unknown[]), ...(second.events as unknown[])]).toEqual(events.slice(0, 4));

  expect(((await as(tenant.admin, 'admin/audit/read', { userId: member.userId })).events as unknown[]).length).toBe(0);
  expect(((await as(tenant.admin, 'admin/audit/read', { userId: tenant.admin.userId, action: 'admin/keys/create' })).events as unknown[]).length).toBe(
    events.length,
  );
  const later = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  expect(((await as(tenant.admin, 'admin/audit/read', { from: `${later}T00:00:00Z` })).events as unknown[]).length).toBe(0);
  expect((await as(tenant.admin, 'admin/audit/read', { count: 101 })).success).toBe(false);
  expect((await as(tenant.admin, 'admin/audit/read', { from: 'yesterday' })).success).toBe(false);
  expect((await as(tenant.admin, 'admin/keys/create', { name: '   ' })).errors).toEqual(['name: must not be blank']);
  expect((await as(tenant.admin, 'admin/keys/create', { name: 'old', expires: '2020-01-01' })).errors).toEqual(['expires: must be in the future']);
  const dated = await as(tenant.admin, 'admin/keys/create', { name: 'dated', expires: '2099-01-31' });
  expect(dated.expiresAt).toBe('2099-01-31T23:59:59.999Z');
});

test('members and viewers are refused, and another organization is not found', async () => {
  for (const endpoint of ['admin/members/list', 'admin/keys/list', 'admin/audit/read', 'admin/keys/create']) {
    for (const user of [member, viewer]) {
      const refused = await as(user, endpoint, { name: 'x' });
      expect(refused.success).toBe(false);
      expect(refused.errors?.join()).toMatch(/admin role/);
    }
    const elsewhere = await call(endpoint, { creds: tenant.admin, json: { organizationId: other.orgId, name: 'x' } });
    expect(elsewhere.body.success).toBe(false);
    expect(elsewhere.body.errors?.join()).toMatch(/not found/i);
  }
});

test('an audit search stops after the events it may read, and says so', async () => {
  // By now the organization has more than three events, none with this action.
  expect(await auditRepository.search({ orgId: tenant.orgId, action: 'no/such-action' }, 3)).toEqual({ events: [], complete: false });
  expect(await auditRepository.search({ orgId: tenant.orgId, action: 'no/such-action' })).toEqual({ events: [], complete: true });
  const found = await auditRepository.search({ orgId: tenant.orgId, limit: 2 }, 3);
  expect(found).toMatchObject({ complete: true, events: [expect.anything(), expect.anything()] });
});
