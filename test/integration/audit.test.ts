import { auditRepository } from '../../core/data/identity/audit-repository';
import { routes } from '../../lambdas/api/routes';
import { call } from '../support/api';
import { createTenant, type Tenant } from '../support/tenants';

/** Every change leaves an audit event: who, what, when, from where, with which request. */
let tenant: Tenant;

beforeAll(async () => {
  tenant = await createTenant('audit');
});

const events = () => auditRepository.query({ orgId: tenant.orgId, limit: 1000 });

test('a successful change writes one event naming the user, credential, action, target, source IP and request id', async () => {
  const before = Date.now();
  const created = await call('projects/create', { json: { name: 'Audited', language: 'Py' }, creds: tenant.admin });
  const projectId = (created.body.projects as { projectId: number }[])[0]?.projectId;
  await call('files/create', { json: { projectId, name: 'audited.py', content: 'x = 1\n' }, creds: tenant.admin });
  const recorded = await events();
  const create = recorded.find((e) => e.action === 'projects/create' && e.target === `project/${projectId}`);
  expect(create).toMatchObject({
    orgId: tenant.orgId,
    userId: tenant.admin.userId,
    authMethod: 'qc-hash',
    credentialId: tenant.admin.tokenId,
    sourceIp: expect.stringMatching(/127\.0\.0\.1|::1/),
    requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    detail: { name: 'Audited', language: 'Py' },
  });
  expect(Date.parse(create?.at ?? '')).toBeGreaterThanOrEqual(before - 1000);
  expect(recorded.find((e) => e.action === 'files/create')?.target).toBe(`project/${projectId}/file/audited.py`);
});

test('reads and refused changes write nothing; the event holds no secret', async () => {
  const count = (await events()).length;
  await call('projects/read', { method: 'GET', query: { organizationId: tenant.orgId }, creds: tenant.admin });
  await call('projects/create', { json: { name: '', language: 'Py' }, creds: tenant.admin });
  await call('projects/delete', { json: { projectId: 999_999_999 }, creds: tenant.admin });
  const after = await events();
  expect(after).toHaveLength(count);
  expect(JSON.stringify(after)).not.toContain(tenant.admin.token);
});

test('the route table marks every write endpoint as audited', () => {
  const writes = routes.filter((r) => /\/(create|update|delete|patch|acquire)$/.test(r.path));
  expect(writes.length).toBeGreaterThan(10);
  for (const r of writes) expect({ path: r.path, mutating: r.mutating }).toEqual({ path: r.path, mutating: true });
  for (const r of routes.filter((x) => x.path.endsWith('/read') || x.path.endsWith('/list'))) expect(r.mutating).toBe(false);
});
