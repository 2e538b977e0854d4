import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { projectRepository } from '../../core/data/projects/project-repository';
import { type Answer, type Creds, call, type FormPairs, removeStarterFiles } from '../support/api';
import { addUser, createTenant, type Tenant, type TestUser } from '../support/tenants';

/**
 * projects/create, read, update (JSON and lean-cli's bracket-key form), delete, library/*, and
 * nodes/* over HTTP, checked against the fields LEAN and lean-cli require (contract §3.3).
 */
const QC_DATE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;

interface ProjectView {
  projectId: number;
  organizationId: string;
  name: string;
  description: string;
  modified: string;
  created: string;
  language: string;
  collaborators: Record<string, unknown>[];
  leanVersionId: number;
  leanPinnedToMaster: boolean;
  leanEnvironment: number;
  parameters: { key: string; name: string; value: string }[];
  libraries: { projectId: number; libraryName: string; ownerName: string; access: boolean }[];
}

interface FileView {
  name: string;
  content: string;
  modified: string;
  isLibrary: boolean;
}

let tenant: Tenant;
let member: TestUser;

beforeAll(async () => {
  tenant = await createTenant('projects');
  member = await addUser(tenant.orgId, 'member');
});

const unique = (prefix: string) => `${prefix} ${Math.random().toString(36).slice(2, 8)}`;

async function createProject(creds: Creds, name: string, language: 'Py' | 'C#' = 'Py'): Promise<ProjectView> {
  const answer = await call('projects/create', { json: { name, language, organizationId: tenant.orgId }, creds });
  expect(answer.body.errors).toBeUndefined();
  const project = (answer.body.projects as ProjectView[])[0] as ProjectView;
  // These tests follow the project's exact file set; starter files are tested on their own.
  await removeStarterFiles(project.projectId, creds, language);
  return project;
}

async function createWithStarters(creds: Creds, name: string, language: 'Py' | 'C#' = 'Py'): Promise<ProjectView> {
  const answer = await call('projects/create', { json: { name, language, organizationId: tenant.orgId }, creds });
  expect(answer.body.errors).toBeUndefined();
  return (answer.body.projects as ProjectView[])[0] as ProjectView;
}

async function readProject(creds: Creds, projectId: number): Promise<ProjectView> {
  const answer = await call('projects/read', { method: 'GET', query: { projectId, organizationId: tenant.orgId }, creds });
  expect(answer.body.errors).toBeUndefined();
  return (answer.body.projects as ProjectView[])[0] as ProjectView;
}

async function readFiles(creds: Creds, projectId: number): Promise<FileView[]> {
  const answer = await call('files/read', { method: 'GET', query: { projectId }, creds });
  expect(answer.body.errors).toBeUndefined();
  return answer.body.files as FileView[];
}

/** lean-cli's `projects/update` form: the pairs given, plus its trailing encryptionKey and codeSourceId. */
function formUpdate(
  creds: Creds,
  projectId: number,
  pairs: FormPairs,
  tail: FormPairs = [
    ['encryptionKey', ''],
    ['codeSourceId', 'cli'],
  ],
) {
  return call('projects/update', { form: [['projectId', projectId], ...pairs, ...tail], creds });
}

function filePairs(files: { name: string; content: string }[]): FormPairs {
  return files.flatMap(
    (f, i): FormPairs => [
      [`files[${i}][name]`, f.name],
      [`files[${i}][content]`, f.content],
    ],
  );
}

function expectFailure(answer: Answer, pattern: RegExp) {
  expect(answer.status).toBe(200);
  expect(answer.body.success).toBe(false);
  expect(answer.body.errors).toEqual(expect.arrayContaining([expect.stringMatching(pattern)]));
}

/** Every field lean-cli's QCProject requires, with its type (contract §3.3). */
function expectProjectShape(p: ProjectView) {
  expect(Number.isInteger(p.projectId)).toBe(true);
  expect(typeof p.organizationId).toBe('string');
  expect(typeof p.name).toBe('string');
  expect(typeof p.description).toBe('string');
  expect(p.modified).toMatch(QC_DATE);
  expect(p.created).toMatch(QC_DATE);
  expect(['Py', 'C#']).toContain(p.language);
  expect(Array.isArray(p.collaborators)).toBe(true);
  for (const c of p.collaborators) {
    expect(typeof c.liveControl).toBe('boolean');
    expect(typeof c.permission).toBe('string');
    expect(typeof c.profileImage).toBe('string');
    expect(typeof c.name).toBe('string');
  }
  expect(Number.isInteger(p.leanVersionId)).toBe(true);
  expect(typeof p.leanPinnedToMaster).toBe('boolean');
  expect(Number.isInteger(p.leanEnvironment)).toBe(true);
  expect(Array.isArray(p.parameters)).toBe(true);
  expect(Array.isArray(p.libraries)).toBe(true);
}

async function memberName(userId: number): Promise<string> {
  const org = await call('organizations/read', { json: { organizationId: tenant.orgId }, creds: tenant.admin });
  const found = (org.body.organization as { members: { id: number; name: string }[] }).members.find((m) => m.id === userId);
  return found?.name ?? '';
}

describe('projects/create', () => {
  test('answers the new project with every field lean-cli requires, and the LEAN versions', async () => {
    const name = unique('Create');
    const answer = await call('projects/create', { json: { name, language: 'Py', organizationId: tenant.orgId }, creds: member });
    expect(answer.status).toBe(200);
    expect(answer.body.success).toBe(true);
    const projects = answer.body.projects as ProjectView[];
    expect(projects).toHaveLength(1);
    const p = projects[0] as ProjectView;
    expectProjectShape(p);
    expect(p).toMatchObject({ organizationId: tenant.orgId, name, description: '', language: 'Py', parameters: [], libraries: [] });
    expect(p.collaborators).toEqual([
      expect.objectContaining({ uid: member.userId, permission: 'write', liveControl: true, owner: true, name: await memberName(member.userId) }),
    ]);
    const versions = answer.body.versions as { id: number }[];
    expect(versions.map((v) => v.id)).toContain(p.leanVersionId);

    const csharp = await createProject(member, unique('CSharp'), 'C#');
    expect(csharp.language).toBe('C#');
    expect(csharp.projectId).not.toBe(p.projectId);
  });

  test('a new project has starter files: main.py and research.ipynb (Py), Main.cs and Research.ipynb (C#)', async () => {
    const py = await createWithStarters(member, unique('Starter Py'));
    const pyFiles = await readFiles(member, py.projectId);
    expect(pyFiles.map((f) => f.name).sort()).toEqual(['main.py', 'research.ipynb']);
    expect(pyFiles.find((f) => f.name === 'main.py')?.content).toMatch(/class \w+\(QCAlgorithm\)/);
    const pyNotebook = JSON.parse(pyFiles.find((f) => f.name === 'research.ipynb')?.content ?? '');
    expect(pyNotebook).toMatchObject({ nbformat: 4, metadata: { kernelspec: { language: 'python' } } });
    // Reading and updating main.py right after create works (QuantConnect's client tests do this).
    const one = await call('files/read', { json: { projectId: py.projectId, name: 'main.py' }, creds: member });
    expect((one.body.files as FileView[])[0]?.modified).toMatch(QC_DATE);
    expect((await call('files/update', { json: { projectId: py.projectId, name: 'main.py', content: 'x = 1\n' }, creds: member })).body).toEqual({
      success: true,
    });

    const cs = await createWithStarters(member, unique('Starter CS'), 'C#');
    const csFiles = await readFiles(member, cs.projectId);
    expect(csFiles.map((f) => f.name).sort()).toEqual(['Main.cs', 'Research.ipynb']);
    expect(csFiles.find((f) => f.name === 'Main.cs')?.content).toMatch(/class \w+ : QCAlgorithm/);
    expect(JSON.parse(csFiles.find((f) => f.name === 'Research.ipynb')?.content ?? '')).toMatchObject({ nbformat: 4 });
  });

  test('a name already in use is accepted, as QuantConnect does (contract §8 item 12); renaming onto it stays refused', async () => {
    const name = unique('Duplicate');
    const first = await createProject(member, name);
    const second = await createProject(member, name);
    const third = await createProject(tenant.admin, name.toUpperCase());
    expect(new Set([first.projectId, second.projectId, third.projectId]).size).toBe(3);
    expect(second.name).toBe(name);
    const other = await createProject(member, unique('Other'));
    expectFailure(await call('projects/update', { json: { projectId: other.projectId, name }, creds: member }), /already exists/);
    // The name stays taken while any project holds it: deleting one of the three frees nothing.
    expect((await call('projects/delete', { json: { projectId: first.projectId }, creds: member })).body).toEqual({ success: true });
    expect((await call('projects/delete', { json: { projectId: third.projectId }, creds: tenant.admin })).body).toEqual({ success: true });
    expectFailure(await call('projects/update', { json: { projectId: other.projectId, name }, creds: member }), /already exists/);
    // ... and is free once the last one is gone.
    expect((await call('projects/delete', { json: { projectId: second.projectId }, creds: member })).body).toEqual({ success: true });
    expect((await call('projects/update', { json: { projectId: other.projectId, name }, creds: member })).body).toEqual({ success: true });
  });

  test('stray slashes around and inside the name are normalised away', async () => {
    const base = unique('Slashes');
    const p = await createProject(member, `/${base}//Alpha/`);
    expect(p.name).toBe(`${base}/Alpha`);
    // The normalised name is the one claimed: renaming another project onto it is refused.
    const other = await createProject(member, unique('Slashes other'));
    expectFailure(await call('projects/update', { json: { projectId: other.projectId, name: `${base}//Alpha` }, creds: member }), /already exists/);
  });

  test('bad input is refused naming the field, never HTTP 5xx', async () => {
    expectFailure(await call('projects/create', { json: { name: unique('Lang'), language: 'Python' }, creds: member }), /^language: /);
    expectFailure(await call('projects/create', { json: { language: 'Py' }, creds: member }), /^name: is required/);
    expectFailure(await call('projects/create', { json: { name: '///', language: 'Py' }, creds: member }), /^name: /);
    expectFailure(await call('projects/create', { json: { name: 'a/../b', language: 'Py' }, creds: member }), /^name: /);
    expectFailure(await call('projects/create', { json: { name: unique('Org'), language: 'Py', organizationId: 'nope' }, creds: member }), /^organizationId: /);
  });

  test('an organization the caller does not belong to is not found, and a viewer cannot create', async () => {
    const other = await createTenant('projects other');
    expectFailure(
      await call('projects/create', { json: { name: unique('Foreign'), language: 'Py', organizationId: other.orgId }, creds: member }),
      /not found/,
    );
    const viewer = await addUser(tenant.orgId, 'viewer');
    expectFailure(await call('projects/create', { json: { name: unique('Viewer'), language: 'Py' }, creds: viewer }), /member role/);
  });
});

describe('projects/read', () => {
  let own: Tenant;
  const names: string[] = [];

  beforeAll(async () => {
    own = await createTenant('projects list');
    for (let i = 0; i < 12; i++) names.push(`List ${String(i).padStart(2, '0')}`);
    for (const name of names) {
      const created = await call('projects/create', { json: { name, language: 'Py', organizationId: own.orgId }, creds: own.admin });
      expect(created.body.success).toBe(true);
    }
  });

  test('one project by GET query, as lean-cli asks for it', async () => {
    const created = await createProject(member, unique('ReadOne'));
    const answer = await call('projects/read', { method: 'GET', query: { projectId: created.projectId, organizationId: tenant.orgId }, creds: member });
    expect(answer.body.success).toBe(true);
    const projects = answer.body.projects as ProjectView[];
    expect(projects).toHaveLength(1);
    expectProjectShape(projects[0] as ProjectView);
    expect(projects[0]).toMatchObject({ projectId: created.projectId, name: created.name, created: created.created });
    expect(Array.isArray(answer.body.versions)).toBe(true);
    // LEAN's JSON form answers the same.
    const json = await call('projects/read', { json: { projectId: created.projectId }, creds: member });
    expect((json.body.projects as ProjectView[])[0]?.projectId).toBe(created.projectId);
  });

  test('without start/end every project is listed (GET like lean-cli, and LEAN’s empty POST)', async () => {
    const get = await call('projects/read', { method: 'GET', query: { organizationId: own.orgId }, creds: own.admin });
    expect(get.body.success).toBe(true);
    const listed = get.body.projects as ProjectView[];
    expect(listed.map((p) => p.name).sort()).toEqual(names);
    for (const p of listed) expectProjectShape(p);

    const empty = await call('projects/read', { creds: own.admin });
    expect((empty.body.projects as ProjectView[]).map((p) => p.name).sort()).toEqual(names);
  });

  test('start/end page through the list without overlap; start >= end is an error naming end', async () => {
    const page = async (start: number, end: number) => {
      const answer = await call('projects/read', { json: { organizationId: own.orgId, start, end }, creds: own.admin });
      expect(answer.body.success).toBe(true);
      return (answer.body.projects as ProjectView[]).map((p) => p.name);
    };
    const first = await page(0, 5);
    const second = await page(5, 10);
    const third = await page(10, 50);
    expect(first).toHaveLength(5);
    expect(second).toHaveLength(5);
    expect(third).toHaveLength(2);
    expect([...first, ...second, ...third].sort()).toEqual(names);

    expectFailure(await call('projects/read', { json: { organizationId: own.orgId, start: 5, end: 5 }, creds: own.admin }), /^end: /);
    expectFailure(await call('projects/read', { json: { organizationId: own.orgId, start: 6, end: 2 }, creds: own.admin }), /^end: /);
    expectFailure(await call('projects/read', { json: { organizationId: own.orgId, start: -1 }, creds: own.admin }), /^start: /);
  });

  test('an unknown, malformed or foreign project id is refused', async () => {
    expectFailure(await call('projects/read', { method: 'GET', query: { projectId: 999_999_999 }, creds: member }), /not found/);
    expectFailure(await call('projects/read', { method: 'GET', query: { projectId: 'abc' }, creds: member }), /^projectId: /);
    const foreign = (await call('projects/read', { json: { organizationId: own.orgId }, creds: own.admin })).body.projects as ProjectView[];
    const foreignId = foreign[0]?.projectId as number;
    expectFailure(await call('projects/read', { json: { projectId: foreignId }, creds: tenant.admin }), /not found/);
    // A project of this org asked for under another org id is not found either.
    const mine = await createProject(member, unique('WrongOrg'));
    expectFailure(await call('projects/read', { json: { projectId: mine.projectId, organizationId: own.orgId }, creds: member }), /not found/);
    // Another organization's list is not readable.
    expectFailure(await call('projects/read', { json: { organizationId: own.orgId }, creds: member }), /not found/);
  });
});

describe('projects/update (JSON)', () => {
  test('renames and describes a project; the old name is free again', async () => {
    const old = unique('Rename');
    const p = await createProject(member, old);
    const renamed = unique('Renamed');
    const answer = await call('projects/update', { json: { projectId: p.projectId, name: `${renamed}/`, description: 'A better description' }, creds: member });
    expect(answer.body).toEqual({ success: true });
    const read = await readProject(member, p.projectId);
    expect(read).toMatchObject({ name: renamed, description: 'A better description', created: p.created });
    expect(read.modified >= p.modified).toBe(true);

    const reuse = await createProject(member, old);
    expect(reuse.projectId).not.toBe(p.projectId);
    expectFailure(await call('projects/update', { json: { projectId: reuse.projectId, name: renamed }, creds: member }), /already exists/);
  });

  test('LEAN’s parameter list of {name, value} is accepted', async () => {
    const p = await createProject(member, unique('JsonParams'));
    const answer = await call('projects/update', {
      json: {
        projectId: p.projectId,
        parameters: [
          { name: 'period', value: 14 },
          { name: 'symbol', value: 'SPY' },
        ],
      },
      creds: member,
    });
    expect(answer.body).toEqual({ success: true });
    expect((await readProject(member, p.projectId)).parameters).toEqual([
      { key: 'period', name: 'period', value: '14' },
      { key: 'symbol', name: 'symbol', value: 'SPY' },
    ]);
  });

  test('a change of case only is a rename of the same project', async () => {
    const p = await createProject(member, unique('case'));
    const answer = await call('projects/update', { json: { projectId: p.projectId, name: p.name.toUpperCase() }, creds: member });
    expect(answer.body).toEqual({ success: true });
    expect((await readProject(member, p.projectId)).name).toBe(p.name.toUpperCase());
  });

  test('renaming onto an existing name is a conflict and changes nothing', async () => {
    const a = await createProject(member, unique('Taken A'));
    const b = await createProject(member, unique('Taken B'));
    expectFailure(await call('projects/update', { json: { projectId: b.projectId, name: a.name, description: 'x' }, creds: member }), /already exists/);
    expect(await readProject(member, b.projectId)).toMatchObject({ name: b.name, description: '' });
  });

  test('bad input and unknown projects are refused naming the field', async () => {
    const p = await createProject(member, unique('BadUpdate'));
    expectFailure(await call('projects/update', { json: { projectId: 999_999_999, name: 'x' }, creds: member }), /not found/);
    expectFailure(await call('projects/update', { json: { name: 'x' }, creds: member }), /^projectId: is required/);
    expectFailure(await call('projects/update', { json: { projectId: p.projectId, name: '../up' }, creds: member }), /^name: /);
    expectFailure(await call('projects/update', { json: { projectId: p.projectId, name: 'n'.repeat(201) }, creds: member }), /^name: /);
  });
});

describe('projects/update (lean-cli form)', () => {
  test('the pushed file set replaces the project files', async () => {
    const p = await createProject(member, unique('Push'));
    const first = [
      { name: 'main.py', content: 'print(1)\n' },
      { name: 'lib/util.py', content: 'X = 1\n' },
      { name: 'notes.ipynb', content: '{"cells": []}' },
      { name: 'empty.py', content: '' },
    ];
    expect((await formUpdate(member, p.projectId, [['name', p.name], ['description', 'pushed'], ...filePairs(first)])).body).toEqual({ success: true });
    const afterFirst = await readFiles(member, p.projectId);
    expect(afterFirst.map((f) => [f.name, f.content]).sort()).toEqual(first.map((f) => [f.name, f.content]).sort());
    expect((await readProject(member, p.projectId)).description).toBe('pushed');

    const second = [
      { name: 'main.py', content: 'print(2)\n' },
      { name: 'lib/util.py', content: 'X = 1\n' },
      { name: 'new.py', content: 'NEW = True\n' },
    ];
    expect((await formUpdate(member, p.projectId, [['name', p.name], ...filePairs(second)])).body).toEqual({ success: true });
    const afterSecond = await readFiles(member, p.projectId);
    expect(afterSecond.map((f) => [f.name, f.content]).sort()).toEqual(second.map((f) => [f.name, f.content]).sort());

    // A push without files keys (lean-cli leaves empty lists out) keeps the files.
    expect((await formUpdate(member, p.projectId, [['name', p.name]])).body).toEqual({ success: true });
    expect(await readFiles(member, p.projectId)).toHaveLength(3);

    // A push that renames the project and changes its files does both.
    const renamed = unique('Pushed');
    expect((await formUpdate(member, p.projectId, [['name', renamed], ...filePairs([{ name: 'main.py', content: 'print(3)\n' }])])).body).toEqual({
      success: true,
    });
    expect((await readProject(member, p.projectId)).name).toBe(renamed);
    expect((await readFiles(member, p.projectId)).map((f) => [f.name, f.content])).toEqual([['main.py', 'print(3)\n']]);
  });

  test('parameters[i][key|value] set the parameters, and `parameters=` clears them', async () => {
    const p = await createProject(member, unique('Params'));
    const set = await formUpdate(member, p.projectId, [
      ['parameters[0][key]', 'fast'],
      ['parameters[0][value]', '10'],
      ['parameters[1][key]', 'slow'],
      ['parameters[1][value]', '30'],
    ]);
    expect(set.body).toEqual({ success: true });
    const withParams = (await readProject(member, p.projectId)).parameters;
    expect(withParams).toEqual([
      { key: 'fast', name: 'fast', value: '10' },
      { key: 'slow', name: 'slow', value: '30' },
    ]);

    // A push that does not mention parameters keeps them.
    await formUpdate(member, p.projectId, [['description', 'd']]);
    expect((await readProject(member, p.projectId)).parameters).toHaveLength(2);

    expect((await formUpdate(member, p.projectId, [['parameters', '']])).body).toEqual({ success: true });
    expect((await readProject(member, p.projectId)).parameters).toEqual([]);

    const duplicate = await formUpdate(member, p.projectId, [
      ['parameters[0][key]', 'fast'],
      ['parameters[0][value]', '1'],
      ['parameters[1][key]', 'fast'],
      ['parameters[1][value]', '2'],
    ]);
    expectFailure(duplicate, /^parameters: /);
  });

  test('versionId and leanEnvironment are set when known and refused when not', async () => {
    const p = await createProject(member, unique('Versions'));
    const versions = (await call('lean/versions/read', { json: {}, creds: member })).body.versions as { id: number }[];
    const environments = (await call('lean/environments/read', { method: 'GET', creds: member })).body.environments as { id: number }[];
    const versionId = versions[0]?.id as number;
    const environment = environments[0]?.id as number;
    expect(
      (
        await formUpdate(member, p.projectId, [
          ['versionId', versionId],
          ['leanEnvironment', environment],
        ])
      ).body,
    ).toEqual({ success: true });
    expect(await readProject(member, p.projectId)).toMatchObject({ leanVersionId: versionId, leanEnvironment: environment });

    expectFailure(await formUpdate(member, p.projectId, [['versionId', 1]]), /^versionId: /);
    expectFailure(await formUpdate(member, p.projectId, [['leanEnvironment', 987]]), /^leanEnvironment: /);
    expectFailure(await formUpdate(member, p.projectId, [['versionId', 'latest']]), /^versionId: /);
  });

  test('encryptionKey="" is accepted, a key hash is refused and nothing is written', async () => {
    const p = await createProject(member, unique('Encrypt'));
    const files = [{ name: 'main.py', content: 'print("secret")\n' }];
    const refused = await formUpdate(member, p.projectId, filePairs(files), [
      ['encryptionKey', '5d41402abc4b2a76b9719d911017c592'],
      ['codeSourceId', 'cli'],
    ]);
    expectFailure(refused, /^encryptionKey: /);
    expect(await readFiles(member, p.projectId)).toEqual([]);

    expect((await formUpdate(member, p.projectId, filePairs(files))).body).toEqual({ success: true });
    expect((await readFiles(member, p.projectId)).map((f) => f.name)).toEqual(['main.py']);
  });

  test('libraries[i] link library projects', async () => {
    const p = await createProject(member, unique('PushLib'));
    const lib = await createProject(member, unique('PushLibrary'));
    const twice: FormPairs = [
      ['libraries[0]', lib.projectId],
      ['libraries[1]', lib.projectId],
    ];
    expect((await formUpdate(member, p.projectId, twice)).body).toEqual({ success: true });
    expect((await readProject(member, p.projectId)).libraries).toEqual([
      { projectId: lib.projectId, libraryName: lib.name, ownerName: await memberName(member.userId), access: true },
    ]);
    expectFailure(await formUpdate(member, p.projectId, [['libraries[0]', p.projectId]]), /^libraries: /);
    expectFailure(await formUpdate(member, p.projectId, [['libraries[0]', 999_999_999]]), /not found/);
    expect((await readProject(member, p.projectId)).libraries.map((l) => l.projectId)).toEqual([lib.projectId]);
  });

  test('a push of many files that are large in UTF-8 is written whole', async () => {
    const p = await createProject(member, unique('BigPush'));
    // Each file is just below the inline size in bytes but half that in characters; 80 of them
    // (4.9 MB) stay within the project limit (docs/api.md, Limits).
    const body = 'é'.repeat(30_500);
    const files = Array.from({ length: 80 }, (_, i) => ({ name: `f${String(i).padStart(2, '0')}.py`, content: `# ${i}\n${body}` }));
    expect(Buffer.byteLength(files[0]?.content ?? '')).toBeLessThan(64 * 1024);
    const pushed = await call('projects/update', { json: { projectId: p.projectId, files }, creds: member });
    expect(pushed.body).toEqual({ success: true });
    const read = await readFiles(member, p.projectId);
    expect(read).toHaveLength(80);
    expect(read.every((f) => f.content === files.find((x) => x.name === f.name)?.content)).toBe(true);
  }, 30_000);

  test('a push that renames onto a taken name changes nothing: neither the name nor the files', async () => {
    const taken = await createProject(tenant.admin, unique('Taken'));
    const project = await createProject(tenant.admin, unique('Pushed'));
    await formUpdate(tenant.admin, project.projectId, [['name', project.name], ...filePairs([{ name: 'main.py', content: 'v = 1\n' }])]);
    const answer = await formUpdate(tenant.admin, project.projectId, [['name', taken.name], ...filePairs([{ name: 'other.py', content: 'w = 2\n' }])]);
    expectFailure(answer, /already exists/);
    expect((await readProject(tenant.admin, project.projectId)).name).toBe(project.name);
    expect((await readFiles(tenant.admin, project.projectId)).map((f) => [f.name, f.content])).toEqual([['main.py', 'v = 1\n']]);
  });

  test('a push that renames and replaces files does both', async () => {
    const project = await createProject(tenant.admin, unique('Before'));
    const renamed = unique('After');
    const answer = await formUpdate(tenant.admin, project.projectId, [['name', renamed], ...filePairs([{ name: 'main.py', content: 'x = 3\n' }])]);
    expect(answer.body).toEqual({ success: true });
    expect((await readProject(tenant.admin, project.projectId)).name).toBe(renamed);
    expect((await readFiles(tenant.admin, project.projectId)).map((f) => f.name)).toEqual(['main.py']);
    // The old name is free again.
    expect((await call('projects/create', { json: { name: project.name, language: 'Py' }, creds: tenant.admin })).body.success).toBe(true);
  });

  test('bad file names and duplicate names in a push are refused and nothing is written', async () => {
    const p = await createProject(member, unique('BadPush'));
    expectFailure(await formUpdate(member, p.projectId, filePairs([{ name: '../escape.py', content: 'x' }])), /^files\.0\.name: /);
    expectFailure(
      await formUpdate(
        member,
        p.projectId,
        filePairs([
          { name: 'ok.py', content: 'x' },
          { name: '/abs.py', content: 'x' },
        ]),
      ),
      /^files\.1\.name: /,
    );
    expectFailure(
      await formUpdate(
        member,
        p.projectId,
        filePairs([
          { name: 'a.py', content: 'x' },
          { name: 'a.py', content: 'y' },
        ]),
      ),
      /^files: .*twice/,
    );
    expectFailure(await formUpdate(member, p.projectId, filePairs([{ name: `${'é'.repeat(509)}.py`, content: 'x' }])), /^files\.0\.name: .*bytes/);
    expect(await readFiles(member, p.projectId)).toEqual([]);
  });
});

describe('projects/delete', () => {
  const s3 = () =>
    new S3Client({
      region: process.env.AWS_REGION ?? 'us-east-1',
      endpoint: process.env.S3_ENDPOINT,
      forcePathStyle: true,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });

  async function storedObjects(projectId: number): Promise<string[]> {
    const out = await s3().send(new ListObjectsV2Command({ Bucket: process.env.ARTIFACTS_BUCKET_NAME, Prefix: `projects/${projectId}/` }));
    return (out.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : []));
  }

  test('removes the project, its files and the large file kept in S3; the name can be used again', async () => {
    const p = await createProject(member, unique('Delete'));
    const large = `# large\n${'x = 1\n'.repeat(20_000)}`;
    expect(Buffer.byteLength(large)).toBeGreaterThan(64 * 1024);
    const created = await call('files/create', { json: { projectId: p.projectId, name: 'data/large.py', content: large }, creds: member });
    expect(created.body).toEqual({ success: true });
    await call('files/create', { json: { projectId: p.projectId, name: 'main.py', content: 'print(1)\n' }, creds: member });
    expect((await readFiles(member, p.projectId)).find((f) => f.name === 'data/large.py')?.content).toBe(large);
    expect((await storedObjects(p.projectId)).length).toBeGreaterThan(0);

    expect((await call('projects/delete', { json: { projectId: p.projectId }, creds: member })).body).toEqual({ success: true });

    expectFailure(await call('files/read', { method: 'GET', query: { projectId: p.projectId }, creds: member }), /not found/);
    expectFailure(await call('files/read', { method: 'GET', query: { projectId: p.projectId, name: 'main.py' }, creds: member }), /not found/);
    expectFailure(await call('projects/read', { method: 'GET', query: { projectId: p.projectId }, creds: member }), /not found/);
    expect(await storedObjects(p.projectId)).toEqual([]);
    const listed = (await call('projects/read', { json: {}, creds: member })).body.projects as ProjectView[];
    expect(listed.map((x) => x.projectId)).not.toContain(p.projectId);

    const again = await createProject(member, p.name);
    expect(again.projectId).not.toBe(p.projectId);
    expect(await readFiles(member, again.projectId)).toEqual([]);
  });

  test('an unknown or already deleted project is not found', async () => {
    const p = await createProject(member, unique('DeleteTwice'));
    expect((await call('projects/delete', { json: { projectId: p.projectId }, creds: member })).body.success).toBe(true);
    expectFailure(await call('projects/delete', { json: { projectId: p.projectId }, creds: member }), /not found/);
    expectFailure(await call('projects/delete', { json: {}, creds: member }), /^projectId: is required/);
  });
});

describe('projects/library/create and delete', () => {
  test('a linked library is listed in libraries and its files appear in files/read with isLibrary', async () => {
    const other = await addUser(tenant.orgId, 'member');
    const project = await createProject(tenant.admin, unique('WithLib'));
    const library = await createProject(other, unique('Library'));
    await call('files/create', { json: { projectId: project.projectId, name: 'main.py', content: 'from lib import x\n' }, creds: tenant.admin });
    await call('files/create', { json: { projectId: library.projectId, name: 'lib.py', content: 'x = 42\n' }, creds: other });

    const linked = await call('projects/library/create', { json: { projectId: project.projectId, libraryId: library.projectId }, creds: tenant.admin });
    expect(linked.body).toEqual({ success: true });

    const read = await readProject(tenant.admin, project.projectId);
    expect(read.libraries).toEqual([{ projectId: library.projectId, libraryName: library.name, ownerName: await memberName(other.userId), access: true }]);

    const files = await readFiles(tenant.admin, project.projectId);
    expect(files.find((f) => f.name === 'main.py')).toMatchObject({ isLibrary: false, content: 'from lib import x\n' });
    const libFile = files.find((f) => f.isLibrary);
    expect(libFile).toMatchObject({ content: 'x = 42\n', modified: expect.stringMatching(QC_DATE) });
    expect(libFile?.name.endsWith('lib.py')).toBe(true);
    expect(files).toHaveLength(2);

    expectFailure(
      await call('projects/library/create', { json: { projectId: project.projectId, libraryId: library.projectId }, creds: tenant.admin }),
      /already/,
    );

    const unlinked = await call('projects/library/delete', { json: { projectId: project.projectId, libraryId: library.projectId }, creds: tenant.admin });
    expect(unlinked.body).toEqual({ success: true });
    expect((await readProject(tenant.admin, project.projectId)).libraries).toEqual([]);
    expect((await readFiles(tenant.admin, project.projectId)).map((f) => f.name)).toEqual(['main.py']);
    expectFailure(
      await call('projects/library/delete', { json: { projectId: project.projectId, libraryId: library.projectId }, creds: tenant.admin }),
      /not found/,
    );
  });

  test('deleting a library project unlinks it from the projects that used it', async () => {
    const project = await createProject(tenant.admin, unique('UsesLib'));
    const library = await createProject(tenant.admin, unique('DoomedLib'));
    await call('projects/library/create', { json: { projectId: project.projectId, libraryId: library.projectId }, creds: tenant.admin });
    expect((await readProject(tenant.admin, project.projectId)).libraries.map((l) => l.projectId)).toEqual([library.projectId]);
    expect((await call('projects/delete', { json: { projectId: library.projectId }, creds: tenant.admin })).body.success).toBe(true);
    // Gone from the stored list too, so it no longer counts toward the library limit.
    const stored = await projectRepository.get(project.projectId);
    expect(stored?.project.libraries).toEqual([]);
  });

  test('self-library, another language, unknown and foreign libraries are refused', async () => {
    const py = await createProject(member, unique('LibPy'));
    const cs = await createProject(member, unique('LibCs'), 'C#');
    expectFailure(await call('projects/library/create', { json: { projectId: py.projectId, libraryId: py.projectId }, creds: member }), /own library/);
    expectFailure(await call('projects/library/create', { json: { projectId: py.projectId, libraryId: cs.projectId }, creds: member }), /C#/);
    expectFailure(await call('projects/library/create', { json: { projectId: py.projectId, libraryId: 999_999_999 }, creds: member }), /not found/);
    expectFailure(await call('projects/library/create', { json: { projectId: py.projectId }, creds: member }), /^libraryId: is required/);
    const other = await createTenant('projects library other');
    const foreign = await call('projects/create', { json: { name: unique('Foreign'), language: 'Py', organizationId: other.orgId }, creds: other.admin });
    const foreignId = (foreign.body.projects as ProjectView[])[0]?.projectId as number;
    expectFailure(await call('projects/library/create', { json: { projectId: py.projectId, libraryId: foreignId }, creds: member }), /not found/);
    expect((await readProject(member, py.projectId)).libraries).toEqual([]);
  });
});

describe('projects/nodes/read and update', () => {
  interface Node {
    id: string;
    active: boolean;
    [field: string]: unknown;
  }
  interface NodesAnswer {
    nodes: { backtest: Node[]; research: Node[]; live: Node[] };
    autoSelectNode: boolean;
  }

  function expectNodeShape(n: Record<string, unknown>) {
    for (const field of ['id', 'name', 'projectName', 'description', 'usedBy', 'sku', 'userProfile', 'host']) expect(typeof n[field]).toBe('string');
    for (const field of ['speed', 'cpu', 'ram', 'assets', 'hasGpu']) expect(typeof n[field]).toBe('number');
    expect(typeof n.busy).toBe('boolean');
    expect(typeof n.active).toBe('boolean');
    expect(n.price).toEqual({ monthly: expect.any(Number), yearly: expect.any(Number) });
    expect(n.projectId === null || Number.isInteger(n.projectId)).toBe(true);
  }

  test('a new project auto-selects; selecting nodes marks exactly those active; an empty list goes back to auto', async () => {
    const p = await createProject(member, unique('Nodes'));
    const initial = await call('projects/nodes/read', { json: { projectId: p.projectId }, creds: member });
    expect(initial.body.success).toBe(true);
    const start = initial.body as unknown as NodesAnswer;
    expect(start.autoSelectNode).toBe(true);
    const all = [...start.nodes.backtest, ...start.nodes.research, ...start.nodes.live];
    expect(start.nodes.backtest.length).toBeGreaterThan(0);
    expect(start.nodes.research.length).toBeGreaterThan(0);
    expect(start.nodes.live.length).toBeGreaterThan(0);
    for (const n of all) expectNodeShape(n);
    expect(all.every((n) => n.active === false)).toBe(true);

    const backtestNode = start.nodes.backtest[0]?.id as string;
    const liveNode = start.nodes.live[0]?.id as string;
    const updated = await call('projects/nodes/update', { json: { projectId: p.projectId, nodes: [backtestNode, liveNode] }, creds: member });
    expect(updated.body.success).toBe(true);
    const selected = updated.body as unknown as NodesAnswer;
    expect(selected.autoSelectNode).toBe(false);
    const active = (a: NodesAnswer) => [...a.nodes.backtest, ...a.nodes.research, ...a.nodes.live].filter((n) => n.active).map((n) => n.id);
    expect(active(selected).sort()).toEqual([backtestNode, liveNode].sort());

    const reread = (await call('projects/nodes/read', { json: { projectId: p.projectId }, creds: member })).body as unknown as NodesAnswer;
    expect(reread.autoSelectNode).toBe(false);
    expect(active(reread).sort()).toEqual([backtestNode, liveNode].sort());

    const cleared = (await call('projects/nodes/update', { json: { projectId: p.projectId, nodes: [] }, creds: member })).body as unknown as NodesAnswer;
    expect(cleared.autoSelectNode).toBe(true);
    expect(active(cleared)).toEqual([]);
    const absent = (await call('projects/nodes/update', { json: { projectId: p.projectId }, creds: member })).body as unknown as NodesAnswer;
    expect(absent.autoSelectNode).toBe(true);
  });

  test('unknown node ids and nodes of another organization are refused and the selection is kept', async () => {
    const p = await createProject(member, unique('BadNodes'));
    const mine = (await call('projects/nodes/read', { json: { projectId: p.projectId }, creds: member })).body as unknown as NodesAnswer;
    const myNode = mine.nodes.backtest[0]?.id as string;
    await call('projects/nodes/update', { json: { projectId: p.projectId, nodes: [myNode] }, creds: member });

    const unknown = await call('projects/nodes/update', { json: { projectId: p.projectId, nodes: [myNode, 'B28-nope'] }, creds: member });
    expectFailure(unknown, /^nodes: .*B28-nope/);
    const other = await createTenant('projects nodes other');
    const foreignNode = ((await other.cli.nodes()).body.backtest as Node[])[0]?.id as string;
    expectFailure(await call('projects/nodes/update', { json: { projectId: p.projectId, nodes: [foreignNode] }, creds: member }), /^nodes: /);

    const after = (await call('projects/nodes/read', { json: { projectId: p.projectId }, creds: member })).body as unknown as NodesAnswer;
    expect(after.autoSelectNode).toBe(false);
    expect(after.nodes.backtest.filter((n) => n.active).map((n) => n.id)).toEqual([myNode]);
    expectFailure(await call('projects/nodes/read', { json: { projectId: 999_999_999 }, creds: member }), /not found/);
  });
});
