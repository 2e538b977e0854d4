import { type Answer, type Creds, call, removeStarterFiles } from '../support/api';
import { addUser, createTenant, type Tenant, type TestUser } from '../support/tenants';

/**
 * projects/collaboration/* and the permissions they set, enforced on every project and file
 * endpoint: non-collaborators see nothing, readers cannot write, the viewer role never writes,
 * admins see and write everything, and an editing lock holds off other code sources.
 */
interface CollaboratorView {
  uid: number;
  liveControl: boolean;
  permission: string;
  profileImage: string;
  name: string;
  owner: boolean;
}

let tenant: Tenant;
/** A member who owns the projects below. */
let owner: TestUser;
let names: Map<number, string>;

beforeAll(async () => {
  tenant = await createTenant('collaboration');
  owner = await addUser(tenant.orgId, 'member');
  names = new Map();
});

const unique = (prefix: string) => `${prefix} ${Math.random().toString(36).slice(2, 8)}`;

function expectFailure(answer: Answer, pattern: RegExp) {
  expect(answer.status).toBe(200);
  expect(answer.body.success).toBe(false);
  expect(answer.body.errors).toEqual(expect.arrayContaining([expect.stringMatching(pattern)]));
}

async function nameOf(userId: number): Promise<string> {
  if (!names.has(userId)) {
    const org = await call('organizations/read', { json: { organizationId: tenant.orgId }, creds: tenant.admin });
    for (const m of (org.body.organization as { members: { id: number; name: string }[] }).members) names.set(m.id, m.name);
  }
  return names.get(userId) ?? '';
}

async function newProject(creds: Creds = owner): Promise<number> {
  const created = await call('projects/create', { json: { name: unique('Shared'), language: 'Py', organizationId: tenant.orgId }, creds });
  expect(created.body.success).toBe(true);
  const projectId = (created.body.projects as { projectId: number }[])[0]?.projectId as number;
  await removeStarterFiles(projectId, creds);
  const file = await call('files/create', { json: { projectId, name: 'main.py', content: 'print("v1")\n' }, creds });
  expect(file.body.success).toBe(true);
  return projectId;
}

function addCollaborator(creds: Creds, projectId: number, user: { userId: number }, write: boolean, liveControl = false) {
  return call('projects/collaboration/create', {
    json: { projectId, collaboratorUserId: String(user.userId), collaborationWrite: write, collaborationLiveControl: liveControl },
    creds,
  });
}

async function filesOf(projectId: number): Promise<Record<string, string>> {
  const read = await call('files/read', { json: { projectId }, creds: tenant.admin });
  expect(read.body.success).toBe(true);
  const own = (read.body.files as { name: string; content: string; isLibrary: boolean }[]).filter((f) => !f.isLibrary);
  return Object.fromEntries(own.map((f) => [f.name, f.content]));
}

const patchMain = ['diff --git a/main.py b/main.py', '--- a/main.py', '+++ b/main.py', '@@ -1 +1 @@', '-print("v1")', '+print("patched")', ''].join('\n');

/** Every write a project or file endpoint offers, as the given caller. */
function writes(projectId: number, libraryId: number, nodeId: string): [string, (c: Creds) => Promise<Answer>][] {
  return [
    ['projects/update (JSON)', (creds) => call('projects/update', { json: { projectId, description: 'changed' }, creds })],
    [
      'projects/update (form)',
      (creds) =>
        call('projects/update', {
          form: [
            ['projectId', projectId],
            ['files[0][name]', 'main.py'],
            ['files[0][content]', 'pushed'],
            ['encryptionKey', ''],
          ],
          creds,
        }),
    ],
    ['files/create', (creds) => call('files/create', { json: { projectId, name: 'new.py', content: 'x = 1\n' }, creds })],
    ['files/update', (creds) => call('files/update', { json: { projectId, name: 'main.py', content: 'changed\n' }, creds })],
    ['files/update rename', (creds) => call('files/update', { json: { projectId, name: 'main.py', newName: 'renamed.py' }, creds })],
    ['files/delete', (creds) => call('files/delete', { json: { projectId, name: 'main.py' }, creds })],
    ['files/patch', (creds) => call('files/patch', { json: { projectId, patch: patchMain }, creds })],
    ['projects/library/create', (creds) => call('projects/library/create', { json: { projectId, libraryId }, creds })],
    ['projects/library/delete', (creds) => call('projects/library/delete', { json: { projectId, libraryId }, creds })],
    ['projects/nodes/update', (creds) => call('projects/nodes/update', { json: { projectId, nodes: [nodeId] }, creds })],
    ['projects/collaboration/lock/acquire', (creds) => call('projects/collaboration/lock/acquire', { json: { projectId, codeSourceId: 'MCP Server' }, creds })],
    ['projects/delete', (creds) => call('projects/delete', { json: { projectId }, creds })],
  ];
}

async function firstBacktestNode(): Promise<string> {
  const nodes = await tenant.cli.nodes();
  return (nodes.body.backtest as { id: string }[])[0]?.id as string;
}

describe('collaboration endpoints', () => {
  test('create answers the collaborator list with the fields lean-cli requires; read reports the caller’s permissions', async () => {
    const projectId = await newProject();
    const reader = await addUser(tenant.orgId, 'member');
    const added = await addCollaborator(owner, projectId, reader, false, true);
    expect(added.body.success).toBe(true);
    const collaborators = added.body.collaborators as CollaboratorView[];
    expect(collaborators).toHaveLength(2);
    for (const c of collaborators) {
      expect(Number.isInteger(c.uid)).toBe(true);
      expect(typeof c.liveControl).toBe('boolean');
      expect(['read', 'write']).toContain(c.permission);
      expect(typeof c.profileImage).toBe('string');
      expect(typeof c.name).toBe('string');
      expect(typeof c.owner).toBe('boolean');
    }
    expect(collaborators).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ uid: owner.userId, permission: 'write', owner: true, name: await nameOf(owner.userId) }),
        expect.objectContaining({ uid: reader.userId, permission: 'read', liveControl: true, owner: false, name: await nameOf(reader.userId) }),
      ]),
    );

    const asOwner = await call('projects/collaboration/read', { json: { projectId }, creds: owner });
    expect(asOwner.body).toMatchObject({ success: true, userPermissions: 'write', userLiveControl: true });
    expect(asOwner.body.collaborators).toEqual(collaborators);
    const asReader = await call('projects/collaboration/read', { json: { projectId }, creds: reader });
    expect(asReader.body).toMatchObject({ success: true, userPermissions: 'read', userLiveControl: true });
    const asAdmin = await call('projects/collaboration/read', { json: { projectId }, creds: tenant.admin });
    expect(asAdmin.body).toMatchObject({ success: true, userPermissions: 'write', userLiveControl: true });

    // projects/read lists the same collaborators.
    const project = await call('projects/read', { method: 'GET', query: { projectId }, creds: reader });
    expect((project.body.projects as { collaborators: CollaboratorView[] }[])[0]?.collaborators.map((c) => c.uid).sort()).toEqual(
      [owner.userId, reader.userId].sort(),
    );

    expectFailure(await addCollaborator(owner, projectId, reader, true), /already a collaborator/);
  });

  test('update changes write and live control, which every endpoint then honours', async () => {
    const projectId = await newProject();
    const user = await addUser(tenant.orgId, 'member');
    await addCollaborator(owner, projectId, user, false);
    expectFailure(await call('files/create', { json: { projectId, name: 'a.py', content: 'a' }, creds: user }), /write permission/);

    const updated = await call('projects/collaboration/update', {
      json: { projectId, collaboratorUserId: user.userId, write: true, liveControl: true },
      creds: owner,
    });
    expect(updated.body.success).toBe(true);
    expect((updated.body.collaborators as CollaboratorView[]).find((c) => c.uid === user.userId)).toMatchObject({ permission: 'write', liveControl: true });
    expect((await call('files/create', { json: { projectId, name: 'a.py', content: 'a' }, creds: user })).body).toEqual({ success: true });
    expect((await call('projects/collaboration/read', { json: { projectId }, creds: user })).body).toMatchObject({ userPermissions: 'write' });

    const revoked = await call('projects/collaboration/update', { json: { projectId, collaboratorUserId: user.userId, write: 'false' }, creds: owner });
    expect((revoked.body.collaborators as CollaboratorView[]).find((c) => c.uid === user.userId)).toMatchObject({ permission: 'read', liveControl: true });
    expectFailure(await call('files/create', { json: { projectId, name: 'b.py', content: 'b' }, creds: user }), /write permission/);

    expectFailure(
      await call('projects/collaboration/update', { json: { projectId, collaboratorUserId: owner.userId, write: false }, creds: tenant.admin }),
      /owner/,
    );
    const stranger = await addUser(tenant.orgId, 'member');
    expectFailure(
      await call('projects/collaboration/update', { json: { projectId, collaboratorUserId: stranger.userId, write: true }, creds: owner }),
      /not found/,
    );
  });

  test('delete removes a collaborator, who then cannot even see the project; the owner cannot be removed', async () => {
    const projectId = await newProject();
    const user = await addUser(tenant.orgId, 'member');
    await addCollaborator(owner, projectId, user, true);
    expect((await call('projects/read', { json: { projectId }, creds: user })).body.success).toBe(true);

    const removed = await call('projects/collaboration/delete', { json: { projectId, collaboratorId: String(user.userId) }, creds: owner });
    expect(removed.body.success).toBe(true);
    expect((removed.body.collaborators as CollaboratorView[]).map((c) => c.uid)).toEqual([owner.userId]);
    expectFailure(await call('projects/read', { json: { projectId }, creds: user }), /not found/);
    expectFailure(await call('files/read', { json: { projectId }, creds: user }), /not found/);
    expectFailure(await call('projects/collaboration/delete', { json: { projectId, collaboratorId: user.userId }, creds: owner }), /not found/);

    expectFailure(
      await call('projects/collaboration/delete', { json: { projectId, collaboratorId: owner.userId }, creds: tenant.admin }),
      /owner cannot be removed/,
    );
    expect((await call('projects/collaboration/read', { json: { projectId }, creds: owner })).body.collaborators).toHaveLength(1);
  });

  test('only members of the project’s organization can be added; bad ids name the field', async () => {
    const projectId = await newProject();
    const other = await createTenant('collaboration other');
    expectFailure(await addCollaborator(owner, projectId, other.admin, true), /not found/);
    expectFailure(await addCollaborator(owner, projectId, { userId: 999_999_999 }, true), /not found/);
    expectFailure(await call('projects/collaboration/create', { json: { projectId, collaboratorUserId: 'bob' }, creds: owner }), /^collaboratorUserId: /);
    expectFailure(await call('projects/collaboration/create', { json: { projectId }, creds: owner }), /^collaboratorUserId: is required/);
    expectFailure(await call('projects/collaboration/delete', { json: { projectId, collaboratorId: '1e3' }, creds: owner }), /^collaboratorId: /);
    expectFailure(await call('projects/collaboration/read', { json: { projectId: 999_999_999 }, creds: owner }), /not found/);
    // The other organization's admin cannot see or manage this project at all.
    expectFailure(await call('projects/collaboration/read', { json: { projectId }, creds: other.admin }), /not found/);
    expectFailure(await addCollaborator(other.admin, projectId, other.admin, true), /not found/);
    expect((await call('projects/collaboration/read', { json: { projectId }, creds: owner })).body.collaborators).toHaveLength(1);
  });

  test('only the owner or an organization admin manages collaborators', async () => {
    const projectId = await newProject();
    const writer = await addUser(tenant.orgId, 'member');
    const newcomer = await addUser(tenant.orgId, 'member');
    await addCollaborator(owner, projectId, writer, true);
    expectFailure(await addCollaborator(writer, projectId, newcomer, true), /owner or an organization admin/);
    expectFailure(
      await call('projects/collaboration/update', { json: { projectId, collaboratorUserId: writer.userId, liveControl: true }, creds: writer }),
      /owner/,
    );
    expectFailure(await call('projects/collaboration/delete', { json: { projectId, collaboratorId: owner.userId }, creds: writer }), /owner/);

    // An admin who is not a collaborator may.
    expect((await addCollaborator(tenant.admin, projectId, newcomer, false)).body.success).toBe(true);
    const list = (await call('projects/collaboration/read', { json: { projectId }, creds: owner })).body.collaborators as CollaboratorView[];
    expect(list.map((c) => c.uid).sort()).toEqual([owner.userId, writer.userId, newcomer.userId].sort());
  });
});

describe('permissions on every project and file endpoint', () => {
  let projectId: number;
  let libraryId: number;
  let nodeId: string;
  let outsider: TestUser;
  let reader: TestUser;
  let viewer: TestUser;
  let writer: TestUser;

  beforeAll(async () => {
    projectId = await newProject();
    libraryId = await newProject();
    nodeId = await firstBacktestNode();
    [outsider, reader, viewer, writer] = await Promise.all([
      addUser(tenant.orgId, 'member'),
      addUser(tenant.orgId, 'member'),
      addUser(tenant.orgId, 'viewer'),
      addUser(tenant.orgId, 'member'),
    ]);
    for (const [user, write] of [
      [reader, false],
      [viewer, true],
      [writer, true],
    ] as const) {
      expect((await addCollaborator(owner, projectId, user, write)).body.success).toBe(true);
    }
    // The library is readable by everyone who might link it, so only the project's permission decides.
    for (const user of [reader, viewer, writer]) await addCollaborator(owner, libraryId, user, false);
    expect((await call('projects/library/create', { json: { projectId, libraryId }, creds: owner })).body.success).toBe(true);
  });

  test('a member who is not a collaborator gets "not found" everywhere, and does not see it listed', async () => {
    const reads: [string, Promise<Answer>][] = [
      ['projects/read', call('projects/read', { method: 'GET', query: { projectId }, creds: outsider })],
      ['files/read', call('files/read', { method: 'GET', query: { projectId }, creds: outsider })],
      ['files/read one', call('files/read', { method: 'GET', query: { projectId, name: 'main.py' }, creds: outsider })],
      ['projects/nodes/read', call('projects/nodes/read', { json: { projectId }, creds: outsider })],
      ['projects/collaboration/read', call('projects/collaboration/read', { json: { projectId }, creds: outsider })],
    ];
    for (const [, answer] of reads) expectFailure(await answer, /not found/i);
    for (const [, write] of writes(projectId, libraryId, nodeId)) expectFailure(await write(outsider), /not found/i);
    const listed = (await call('projects/read', { method: 'GET', query: { organizationId: tenant.orgId }, creds: outsider })).body.projects as {
      projectId: number;
    }[];
    expect(listed.map((p) => p.projectId)).not.toContain(projectId);
    expect(await filesOf(projectId)).toEqual({ 'main.py': 'print("v1")\n' });
  });

  test.each([
    ['a read collaborator', () => reader],
    ['a viewer-role collaborator with the write flag', () => viewer],
  ])('%s reads everything but every write is refused with "write permission"', async (_label, who) => {
    const user = who();
    expect((await call('projects/read', { method: 'GET', query: { projectId }, creds: user })).body.success).toBe(true);
    const files = await call('files/read', { method: 'GET', query: { projectId }, creds: user });
    expect((files.body.files as { name: string }[]).map((f) => f.name)).toContain('main.py');
    expect((await call('projects/nodes/read', { json: { projectId }, creds: user })).body.success).toBe(true);
    expect((await call('projects/collaboration/read', { json: { projectId }, creds: user })).body).toMatchObject({ success: true, userPermissions: 'read' });
    const listed = (await call('projects/read', { method: 'GET', query: { organizationId: tenant.orgId }, creds: user })).body.projects as {
      projectId: number;
    }[];
    expect(listed.map((p) => p.projectId)).toContain(projectId);

    for (const [label, write] of writes(projectId, libraryId, nodeId)) {
      const answer = await write(user);
      expect([label, answer.body.success]).toEqual([label, false]);
      expect([label, answer.body.errors?.join(' ')]).toEqual([label, expect.stringMatching(/write permission/)]);
    }
    expectFailure(await addCollaborator(user, projectId, outsider, true), /write permission/);
    expect(await filesOf(projectId)).toEqual({ 'main.py': 'print("v1")\n' });
    const project = (await call('projects/read', { json: { projectId }, creds: owner })).body.projects as { description: string; libraries: unknown[] }[];
    expect(project[0]).toMatchObject({ description: '', libraries: [expect.objectContaining({ projectId: libraryId })] });
  });

  test('a write collaborator writes files and settings, but cannot delete the project', async () => {
    const w = (json: Record<string, unknown>, endpoint: string) => call(endpoint, { json: { projectId, ...json }, creds: writer });
    expect((await w({ name: 'writer.py', content: 'w = 1\n' }, 'files/create')).body).toEqual({ success: true });
    expect((await w({ name: 'writer.py', content: 'w = 2\n' }, 'files/update')).body).toEqual({ success: true });
    expect((await w({ description: 'by writer' }, 'projects/update')).body).toEqual({ success: true });
    expect((await w({ nodes: [] }, 'projects/nodes/update')).body.success).toBe(true);
    expect((await w({ name: 'writer.py' }, 'files/delete')).body).toEqual({ success: true });
    expectFailure(await w({}, 'projects/delete'), /owner or an organization admin/);
    expect((await call('projects/read', { json: { projectId }, creds: writer })).body.success).toBe(true);
    expect(await filesOf(projectId)).toEqual({ 'main.py': 'print("v1")\n' });
  });

  test('an admin who is not a collaborator sees and writes every project of the organization', async () => {
    const memberProject = await newProject(writer);
    const listed = (await call('projects/read', { json: { organizationId: tenant.orgId }, creds: tenant.admin })).body.projects as { projectId: number }[];
    expect(listed.map((p) => p.projectId)).toEqual(expect.arrayContaining([projectId, libraryId, memberProject]));
    expect((await call('files/update', { json: { projectId: memberProject, name: 'main.py', content: 'admin\n' }, creds: tenant.admin })).body).toEqual({
      success: true,
    });
    expect(await filesOf(memberProject)).toEqual({ 'main.py': 'admin\n' });
    expect((await call('projects/delete', { json: { projectId: memberProject }, creds: tenant.admin })).body).toEqual({ success: true });
    expectFailure(await call('projects/read', { json: { projectId: memberProject }, creds: writer }), /not found/);
  });
});

describe('projects/collaboration/lock/acquire', () => {
  test('holds off other users’ writes that carry a codeSourceId; writes without one (lean-cli --force) pass', async () => {
    const projectId = await newProject();
    const other = await addUser(tenant.orgId, 'member');
    await addCollaborator(owner, projectId, other, true);

    const lock = await call('projects/collaboration/lock/acquire', { json: { projectId, codeSourceId: 'MCP Server' }, creds: owner });
    expect(lock.body).toEqual({ success: true });

    // The lock holder keeps writing from the same code source.
    expect((await call('files/create', { json: { projectId, name: 'holder.py', content: 'h\n', codeSourceId: 'MCP Server' }, creds: owner })).body).toEqual({
      success: true,
    });

    const blocked: [string, Promise<Answer>][] = [
      ['files/create', call('files/create', { json: { projectId, name: 'b.py', content: 'b\n', codeSourceId: 'cli' }, creds: other })],
      ['files/update', call('files/update', { json: { projectId, name: 'main.py', content: 'b\n', codeSourceId: 'cli' }, creds: other })],
      ['files/delete', call('files/delete', { json: { projectId, name: 'main.py', codeSourceId: 'cli' }, creds: other })],
      ['files/patch', call('files/patch', { json: { projectId, patch: patchMain, codeSourceId: 'cli' }, creds: other })],
      [
        'projects/update form',
        call('projects/update', {
          form: [
            ['projectId', projectId],
            ['files[0][name]', 'main.py'],
            ['files[0][content]', 'pushed\n'],
            ['encryptionKey', ''],
            ['codeSourceId', 'cli'],
          ],
          creds: other,
        }),
      ],
      ['lock/acquire', call('projects/collaboration/lock/acquire', { json: { projectId, codeSourceId: 'cli' }, creds: other })],
    ];
    for (const [label, answer] of blocked) {
      const body = (await answer).body;
      expect([label, body.success]).toEqual([label, false]);
      expect([label, body.errors?.join(' ')]).toEqual([label, expect.stringMatching(/write permission/)]);
    }
    expect(await filesOf(projectId)).toEqual({ 'main.py': 'print("v1")\n', 'holder.py': 'h\n' });

    // lean-cli --force omits codeSourceId: the push goes through.
    const forced = await call('projects/update', {
      form: [
        ['projectId', projectId],
        ['files[0][name]', 'main.py'],
        ['files[0][content]', 'forced\n'],
        ['encryptionKey', ''],
      ],
      creds: other,
    });
    expect(forced.body).toEqual({ success: true });
    expect(await filesOf(projectId)).toEqual({ 'main.py': 'forced\n' });
  });

  test('needs write permission and a codeSourceId', async () => {
    const projectId = await newProject();
    const reader = await addUser(tenant.orgId, 'member');
    await addCollaborator(owner, projectId, reader, false);
    expectFailure(await call('projects/collaboration/lock/acquire', { json: { projectId, codeSourceId: 'x' }, creds: reader }), /write permission/);
    expectFailure(await call('projects/collaboration/lock/acquire', { json: { projectId }, creds: owner }), /^codeSourceId: is required/);
    expectFailure(await call('projects/collaboration/lock/acquire', { json: { projectId: 999_999_999, codeSourceId: 'x' }, creds: owner }), /not found/);
    // Nobody holds the lock after those refusals: another writer's code source still writes.
    expect((await call('files/create', { json: { projectId, name: 'free.py', content: 'f\n', codeSourceId: 'cli' }, creds: owner })).body.success).toBe(true);
  });
});
