import { type Answer, call, removeStarterFiles } from '../support/api';
import { addUser, createTenant, type Tenant, type TestUser } from '../support/tenants';

/** files/create, read, update (content and rename), delete and patch (contract §3.4). */
const QC_DATE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;

interface FileView {
  id: number | null;
  projectId: number;
  name: string;
  content: string;
  modified: string;
  open: boolean;
  isLibrary: boolean;
}

let tenant: Tenant;
let member: TestUser;

beforeAll(async () => {
  tenant = await createTenant('files');
  member = await addUser(tenant.orgId, 'member');
});

function expectFailure(answer: Answer, pattern: RegExp) {
  expect(answer.status).toBe(200);
  expect(answer.body.success).toBe(false);
  expect(answer.body.errors).toEqual(expect.arrayContaining([expect.stringMatching(pattern)]));
}

async function newProject(files: Record<string, string> = {}): Promise<number> {
  const created = await call('projects/create', {
    json: { name: `Files ${Math.random().toString(36).slice(2, 8)}`, language: 'Py', organizationId: tenant.orgId },
    creds: member,
  });
  const projectId = (created.body.projects as { projectId: number }[])[0]?.projectId as number;
  // These tests follow the project's exact file set; starter files are tested in projects.test.ts.
  await removeStarterFiles(projectId, member);
  for (const [name, content] of Object.entries(files)) {
    const answer = await call('files/create', { json: { projectId, name, content }, creds: member });
    expect(answer.body).toEqual({ success: true });
  }
  return projectId;
}

async function readAll(projectId: number): Promise<FileView[]> {
  const answer = await call('files/read', { method: 'GET', query: { projectId }, creds: member });
  expect(answer.body.success).toBe(true);
  return answer.body.files as FileView[];
}

async function contents(projectId: number): Promise<Record<string, string>> {
  return Object.fromEntries((await readAll(projectId)).map((f) => [f.name, f.content]));
}

function expectFileShape(f: FileView) {
  expect(f.id === null || Number.isInteger(f.id)).toBe(true);
  expect(Number.isInteger(f.projectId)).toBe(true);
  expect(typeof f.name).toBe('string');
  expect(typeof f.content).toBe('string');
  expect(f.modified).toMatch(QC_DATE);
  expect(typeof f.open).toBe('boolean');
  expect(typeof f.isLibrary).toBe('boolean');
}

describe('files/create and files/read', () => {
  test('created files read back, all of them or one by name via GET query, with every required field', async () => {
    const projectId = await newProject();
    const create = await call('files/create', { json: { projectId, name: 'main.py', content: 'print("hi")\n' }, creds: member });
    expect(create.status).toBe(200);
    expect(create.body).toEqual({ success: true });
    await call('files/create', { json: { projectId, name: 'indicators/momentum.py', content: 'M = 1\n', codeSourceId: 'cli' }, creds: member });

    const all = await readAll(projectId);
    for (const f of all) expectFileShape(f);
    expect(all.map((f) => [f.name, f.content, f.projectId, f.isLibrary]).sort()).toEqual([
      ['indicators/momentum.py', 'M = 1\n', projectId, false],
      ['main.py', 'print("hi")\n', projectId, false],
    ]);

    const one = await call('files/read', { method: 'GET', query: { projectId, name: 'indicators/momentum.py' }, creds: member });
    expect(one.body.success).toBe(true);
    const files = one.body.files as FileView[];
    expect(files).toHaveLength(1);
    expectFileShape(files[0] as FileView);
    expect(files[0]).toMatchObject({ name: 'indicators/momentum.py', content: 'M = 1\n', isLibrary: false });
    // The id is stable: the same file has the same id in both reads.
    expect(files[0]?.id).toBe(all.find((f) => f.name === 'indicators/momentum.py')?.id);

    // LEAN reads with JSON.
    const json = await call('files/read', { json: { projectId, name: 'main.py' }, creds: member });
    expect((json.body.files as FileView[]).map((f) => f.content)).toEqual(['print("hi")\n']);
  });

  test('a file above the inline size is kept whole', async () => {
    const projectId = await newProject();
    const large = `# big\n${'values = [1, 2, 3, 4, 5, 6, 7, 8, 9]  # é\n'.repeat(3_000)}`;
    expect(Buffer.byteLength(large)).toBeGreaterThan(64 * 1024);
    expect((await call('files/create', { json: { projectId, name: 'big.py', content: large }, creds: member })).body).toEqual({ success: true });
    expect(await contents(projectId)).toEqual({ 'big.py': large });
    const changed = `${large}# more\n`;
    expect((await call('files/update', { json: { projectId, name: 'big.py', content: changed }, creds: member })).body).toEqual({ success: true });
    const one = await call('files/read', { method: 'GET', query: { projectId, name: 'big.py' }, creds: member });
    expect((one.body.files as FileView[])[0]?.content).toBe(changed);
  });

  test('without content, as QuantConnect does, an empty file is created (contract §8 item 12)', async () => {
    const projectId = await newProject({ 'main.py': 'x = 1\n' });
    expect((await call('files/create', { json: { projectId, name: 'none.py' }, creds: member })).body).toEqual({ success: true });
    expect((await call('files/create', { json: { projectId, name: 'null.py', content: null }, creds: member })).body).toEqual({ success: true });
    expect(await contents(projectId)).toEqual({ 'main.py': 'x = 1\n', 'none.py': '', 'null.py': '' });
  });

  test('explicitly empty content, a duplicate name and bad paths are refused naming the field', async () => {
    const projectId = await newProject({ 'main.py': 'x = 1\n' });
    expectFailure(await call('files/create', { json: { projectId, name: 'empty.py', content: '' }, creds: member }), /^content: /);
    expectFailure(await call('files/create', { json: { projectId, name: 'main.py', content: 'x = 2\n' }, creds: member }), /already exists/);
    for (const bad of ['../x.py', 'a/../../x.py', '/abs.py', 'a\\b.py', 'a//b.py', './x.py', 'dir/']) {
      expectFailure(await call('files/create', { json: { projectId, name: bad, content: 'x' }, creds: member }), /^name: /);
    }
    expectFailure(await call('files/create', { json: { projectId, content: 'x' }, creds: member }), /^name: is required/);
    // 512 characters but over 1 KB in UTF-8: too long for the file's key.
    const long = `${'é'.repeat(509)}.py`;
    expectFailure(await call('files/create', { json: { projectId, name: long, content: 'x' }, creds: member }), /^name: .*bytes/);
    expectFailure(await call('files/update', { json: { projectId, name: 'main.py', newName: long }, creds: member }), /^newName: .*bytes/);
    for (const endpoint of ['files/read', 'files/update', 'files/delete']) {
      expectFailure(await call(endpoint, { json: { projectId, name: long, content: 'y' }, creds: member }), /not found/);
    }
    expectFailure(await call('files/create', { json: { name: 'x.py', content: 'x' }, creds: member }), /^projectId: is required/);
    expectFailure(await call('files/create', { json: { projectId: 999_999_999, name: 'x.py', content: 'x' }, creds: member }), /not found/);
    expect(await contents(projectId)).toEqual({ 'main.py': 'x = 1\n' });
  });

  test('reading an unknown file or project is "not found"', async () => {
    const projectId = await newProject({ 'main.py': 'x = 1\n' });
    expectFailure(await call('files/read', { method: 'GET', query: { projectId, name: 'nope.py' }, creds: member }), /not found/);
    expectFailure(await call('files/read', { method: 'GET', query: { projectId: 999_999_999 }, creds: member }), /not found/);
    expectFailure(await call('files/read', { method: 'GET', query: { projectId: 'x' }, creds: member }), /^projectId: /);
    const other = await createTenant('files other');
    expectFailure(await call('files/read', { method: 'GET', query: { projectId }, creds: other.admin }), /not found/);
  });
});

describe('files/update', () => {
  test('replaces content, and renames with newName', async () => {
    const projectId = await newProject({ 'main.py': 'v = 1\n', 'other.py': 'o = 1\n' });
    const before = (await readAll(projectId)).find((f) => f.name === 'main.py') as FileView;

    expect((await call('files/update', { json: { projectId, name: 'main.py', content: 'v = 2\n' }, creds: member })).body).toEqual({ success: true });
    expect(await contents(projectId)).toEqual({ 'main.py': 'v = 2\n', 'other.py': 'o = 1\n' });
    const after = (await readAll(projectId)).find((f) => f.name === 'main.py') as FileView;
    expect(after.modified >= before.modified).toBe(true);
    expect(after.id).toBe(before.id);

    expect((await call('files/update', { json: { projectId, name: 'main.py', newName: 'src/algo.py' }, creds: member })).body).toEqual({ success: true });
    expect(await contents(projectId)).toEqual({ 'src/algo.py': 'v = 2\n', 'other.py': 'o = 1\n' });
    expectFailure(await call('files/read', { method: 'GET', query: { projectId, name: 'main.py' }, creds: member }), /not found/);

    // Rename and new content at once.
    const both = await call('files/update', { json: { projectId, name: 'src/algo.py', newName: 'main.py', content: 'v = 3\n' }, creds: member });
    expect(both.body).toEqual({ success: true });
    expect(await contents(projectId)).toEqual({ 'main.py': 'v = 3\n', 'other.py': 'o = 1\n' });
  });

  test('renaming onto an existing file, bad names, empty content and unknown files are refused and change nothing', async () => {
    const projectId = await newProject({ 'a.py': 'a\n', 'b.py': 'b\n' });
    expectFailure(await call('files/update', { json: { projectId, name: 'a.py', newName: 'b.py' }, creds: member }), /already exists/);
    expectFailure(await call('files/update', { json: { projectId, name: 'a.py', newName: '../b.py' }, creds: member }), /^newName: /);
    expectFailure(await call('files/update', { json: { projectId, name: 'a.py', content: '' }, creds: member }), /^content: /);
    expectFailure(await call('files/update', { json: { projectId, name: 'a.py' }, creds: member }), /newName|content/);
    expectFailure(await call('files/update', { json: { projectId, name: 'zzz.py', content: 'z' }, creds: member }), /not found/);
    expectFailure(await call('files/update', { json: { projectId: 999_999_999, name: 'a.py', content: 'z' }, creds: member }), /not found/);
    expect(await contents(projectId)).toEqual({ 'a.py': 'a\n', 'b.py': 'b\n' });
  });
});

describe('files/delete', () => {
  test('deletes one file; deleting it again or an unknown file is "not found"', async () => {
    const projectId = await newProject({ 'a.py': 'a\n', 'b.py': 'b\n' });
    expect((await call('files/delete', { json: { projectId, name: 'a.py' }, creds: member })).body).toEqual({ success: true });
    expect(await contents(projectId)).toEqual({ 'b.py': 'b\n' });
    expectFailure(await call('files/read', { method: 'GET', query: { projectId, name: 'a.py' }, creds: member }), /not found/);
    expectFailure(await call('files/delete', { json: { projectId, name: 'a.py' }, creds: member }), /not found/);
    expectFailure(await call('files/delete', { json: { projectId }, creds: member }), /^name: is required/);
    // The name is free again.
    expect((await call('files/create', { json: { projectId, name: 'a.py', content: 'again\n' }, creds: member })).body).toEqual({ success: true });
    expect(await contents(projectId)).toEqual({ 'a.py': 'again\n', 'b.py': 'b\n' });
  });
});

describe('files/patch', () => {
  const main =
    'from AlgorithmImports import *\n\nFAST = 10\nSLOW = 30\n\nclass Momentum(QCAlgorithm):\n    def initialize(self):\n        self.set_cash(100000)\n';
  const start = { 'main.py': main, 'old.py': 'print("old")\n', 'keep.py': 'X = 1\n' };

  /** Made with `git diff --cached` after editing main.py, deleting old.py and adding utils/helpers.py. */
  const gitPatch = `diff --git a/main.py b/main.py
index daf3b7d..71e3529 100644
--- a/main.py
+++ b/main.py
@@ -1,6 +1,6 @@
 from AlgorithmImports import *
 
-FAST = 10
+FAST = 12
 SLOW = 30
 
 class Momentum(QCAlgorithm):
diff --git a/old.py b/old.py
deleted file mode 100644
index c3d1bb6..0000000
--- a/old.py
+++ /dev/null
@@ -1 +0,0 @@
-print("old")
diff --git a/utils/helpers.py b/utils/helpers.py
new file mode 100644
index 0000000..e4ac446
--- /dev/null
+++ b/utils/helpers.py
@@ -0,0 +1,2 @@
+def double(x):
+    return 2 * x
`;

  test('a multi-file git diff modifies, creates and deletes files', async () => {
    const projectId = await newProject(start);
    const answer = await call('files/patch', { json: { projectId, patch: gitPatch }, creds: member });
    expect(answer.body).toEqual({ success: true });
    expect(await contents(projectId)).toEqual({
      'main.py': main.replace('FAST = 10', 'FAST = 12'),
      'keep.py': 'X = 1\n',
      'utils/helpers.py': 'def double(x):\n    return 2 * x\n',
    });
    // The same patch no longer applies: main.py has changed and old.py is gone.
    expectFailure(await call('files/patch', { json: { projectId, patch: gitPatch }, creds: member }), /^patch: /);
  });

  test('a patch that does not apply to one file leaves every file unchanged', async () => {
    const projectId = await newProject(start);
    // The first two sections apply; the last names a line keep.py does not have.
    const partlyWrong = `${gitPatch}diff --git a/keep.py b/keep.py
--- a/keep.py
+++ b/keep.py
@@ -1 +1 @@
-X = 2
+X = 3
`;
    expectFailure(await call('files/patch', { json: { projectId, patch: partlyWrong }, creds: member }), /^patch: .*keep\.py/);
    expect(await contents(projectId)).toEqual(start);

    const missing = gitPatch.replaceAll('old.py', 'gone.py');
    expectFailure(await call('files/patch', { json: { projectId, patch: missing }, creds: member }), /^patch: .*gone\.py/);
    expect(await contents(projectId)).toEqual(start);
  });

  test('a patch that creates a file that already exists is refused', async () => {
    const projectId = await newProject({ ...start, 'utils/helpers.py': 'existing = True\n' });
    expectFailure(await call('files/patch', { json: { projectId, patch: gitPatch }, creds: member }), /^patch: .*utils\/helpers\.py/);
    expect(await contents(projectId)).toEqual({ ...start, 'utils/helpers.py': 'existing = True\n' });
  });

  test('git renames and empty new files (sections without hunks) are applied', async () => {
    const projectId = await newProject(start);
    const patch = `diff --git a/keep.py b/lib/kept.py
similarity index 100%
rename from keep.py
rename to lib/kept.py
diff --git a/__init__.py b/__init__.py
new file mode 100644
index 0000000..e69de29
`;
    expect((await call('files/patch', { json: { projectId, patch }, creds: member })).body).toEqual({ success: true });
    expect(await contents(projectId)).toEqual({ 'main.py': main, 'old.py': 'print("old")\n', 'lib/kept.py': 'X = 1\n', '__init__.py': '' });
  });

  test('sections apply in order: a file renamed by an earlier section is gone for later ones', async () => {
    const projectId = await newProject(start);
    const rename = 'diff --git a/keep.py b/kept.py\nsimilarity index 100%\nrename from keep.py\nrename to kept.py\n';
    const thenEdit = (name: string) => `${rename}diff --git a/${name} b/${name}\n--- a/${name}\n+++ b/${name}\n@@ -1 +1 @@\n-X = 1\n+X = 2\n`;
    expectFailure(await call('files/patch', { json: { projectId, patch: thenEdit('keep.py') }, creds: member }), /^patch: .*keep\.py/);
    expect(await contents(projectId)).toEqual(start);
    expect((await call('files/patch', { json: { projectId, patch: thenEdit('kept.py') }, creds: member })).body).toEqual({ success: true });
    expect(await contents(projectId)).toEqual({ 'main.py': main, 'old.py': 'print("old")\n', 'kept.py': 'X = 2\n' });
  });

  test('a deletion that does not remove the whole content is refused', async () => {
    const projectId = await newProject({ 'two.py': 'a = 1\nb = 2\n' });
    const partial = 'diff --git a/two.py b/two.py\ndeleted file mode 100644\n--- a/two.py\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-a = 1\n';
    expectFailure(await call('files/patch', { json: { projectId, patch: partial }, creds: member }), /^patch: .*two\.py/);
    expect(await contents(projectId)).toEqual({ 'two.py': 'a = 1\nb = 2\n' });
  });

  test('text that is not a diff, a diff escaping the project, and an unknown project are refused', async () => {
    const projectId = await newProject(start);
    expectFailure(await call('files/patch', { json: { projectId, patch: 'just some words' }, creds: member }), /^patch: /);
    expectFailure(await call('files/patch', { json: { projectId }, creds: member }), /^patch: is required/);
    const escaping = '--- /dev/null\n+++ b/../escape.py\n@@ -0,0 +1 @@\n+x = 1\n';
    expectFailure(await call('files/patch', { json: { projectId, patch: escaping }, creds: member }), /^patch: /);
    expectFailure(await call('files/patch', { json: { projectId: 999_999_999, patch: gitPatch }, creds: member }), /not found/);
    expect(await contents(projectId)).toEqual(start);
  });
});
