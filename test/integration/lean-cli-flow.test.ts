import { call } from '../support/api';
import { createTenant, type Tenant } from '../support/tenants';

/** A client speaking exactly like lean-cli: login, list organizations, create, push, pull, delete. */
let tenant: Tenant;

beforeAll(async () => {
  tenant = await createTenant('lean-cli flow');
});

test('lean login: GET authenticate answers success', async () => {
  const answer = await tenant.cli.authenticate();
  expect(answer.status).toBe(200);
  expect(answer.body).toEqual({ success: true });
});

test('lean whoami: organizations/list has one org owned by "You", whose read has an admin member', async () => {
  const list = await tenant.cli.listOrganizations();
  expect(list.body.success).toBe(true);
  const orgs = list.body.organizations as Record<string, unknown>[];
  const mine = orgs.find((o) => o.ownerName === 'You');
  expect(mine).toMatchObject({ id: tenant.orgId, members: 1, preferred: true, type: expect.any(String), name: expect.any(String) });
  const read = await call('organizations/read', { json: { organizationId: mine?.id }, creds: tenant.admin });
  const org = read.body.organization as { members: { isAdmin: boolean; email: string; name: string }[] };
  expect(org.members.find((m) => m.isAdmin)).toMatchObject({ email: tenant.admin.email });
});

test('lean cloud push then pull: create, form update with the whole file set, GET files back, delete', async () => {
  const created = await tenant.cli.createProject('Strategies/Momentum');
  expect(created.body.success).toBe(true);
  const project = (created.body.projects as Record<string, unknown>[])[0] as { projectId: number; name: string };
  expect(project.name).toBe('Strategies/Momentum');

  const files = [
    { name: 'main.py', content: 'from AlgorithmImports import *\n\nclass Momentum(QCAlgorithm):\n    pass\n' },
    { name: 'research.ipynb', content: '{"cells": []}' },
    { name: 'indicators/fast.py', content: 'FAST = 10\n' },
  ];
  const pushed = await tenant.cli.push(project.projectId, { name: project.name, description: 'momentum', files, parameters: { fast: '10', slow: '30' } });
  expect(pushed.body).toEqual({ success: true });

  const pulled = await tenant.cli.readFiles(project.projectId);
  const byName = Object.fromEntries((pulled.body.files as { name: string; content: string; isLibrary: boolean; modified: string }[]).map((f) => [f.name, f]));
  expect(Object.keys(byName).sort()).toEqual(files.map((f) => f.name).sort());
  for (const f of files) {
    expect(byName[f.name]).toMatchObject({ content: f.content, isLibrary: false, modified: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/) });
  }

  // A second push without one file deletes it in the cloud, as `lean cloud push` expects.
  await tenant.cli.push(project.projectId, { name: project.name, files: files.slice(0, 1) });
  const after = await tenant.cli.readFiles(project.projectId);
  expect((after.body.files as { name: string }[]).map((f) => f.name)).toEqual(['main.py']);

  // That push sent `parameters=` and `description=""`: both clear what the first push set.
  const read = await tenant.cli.readProject(project.projectId);
  expect((read.body.projects as { parameters: unknown; description: string }[])[0]).toMatchObject({ parameters: [], description: '' });

  expect((await tenant.cli.deleteProject(project.projectId)).body).toEqual({ success: true });
  const gone = await tenant.cli.readProject(project.projectId);
  expect(gone.body.success).toBe(false);
  expect(gone.body.errors?.[0]).toMatch(/not found/i);
});
