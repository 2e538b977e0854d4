import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { compileRepository } from '../../core/data/backtests/backtest-repository';
import { readSnapshot, writeSnapshot } from '../../core/data/compile/snapshot-store';
import { snapshotKeys } from '../../core/data/results/result-model';
import type { Compile } from '../../core/domain/compile/types';
import { hexId } from '../../core/shared/ids';
import { buildAssemblyName, buildOutputPrefix } from '../../runner/build-output';
import { runBuildJob } from '../../runner/modes/build';
import { type Answer, type Creds, call } from '../support/api';
import { addUser, createTenant, type Tenant } from '../support/tenants';

/**
 * compile/create and compile/read over HTTP (contract §3.5, lean-cli's GET form), the immutable
 * snapshot behind a compile, and the C# build job run directly with a fake `dotnet`.
 */
const COMPILE_ID = /^[0-9a-f]{32}-[0-9a-f]{32}$/;
const FAKE_DOTNET = `"${process.execPath}" "${resolve(__dirname, '..', 'support', 'fake-dotnet.mjs')}"`;

const MAIN_PY = `from AlgorithmImports import *


class Demo(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2020, 1, 1)
        self._lookback = int(self.get_parameter("lookback", 20))
        self.add_equity("SPY")

    def on_data(self, data):
        self.debug(f"{self.time}: {data.bars.count}")
`;

let tenant: Tenant;
let outsider: Tenant;

beforeAll(async () => {
  [tenant, outsider] = await Promise.all([createTenant('compile'), createTenant('compile-outsider')]);
});

const unique = (prefix: string) => `${prefix}${Math.random().toString(36).slice(2, 8)}`;

async function createProject(language: 'Py' | 'C#' = 'Py', name = unique('Compile ')): Promise<{ projectId: number; name: string }> {
  const answer = await tenant.cli.createProject(name, language);
  expect(answer.body.errors).toBeUndefined();
  const project = (answer.body.projects as { projectId: number; name: string }[])[0] as { projectId: number; name: string };
  // A new project comes with a template file or not; compile tests want exactly their own files.
  const files = (await tenant.cli.readFiles(project.projectId)).body.files as { name: string }[];
  for (const f of files) await call('files/delete', { json: { projectId: project.projectId, name: f.name }, creds: tenant.admin });
  return project;
}

async function addFile(projectId: number, name: string, content: string, creds: Creds = tenant.admin): Promise<void> {
  const answer = await call('files/create', { json: { projectId, name, content }, creds });
  expect(answer.body).toEqual({ success: true });
}

const createCompile = (projectId: number, creds: Creds = tenant.admin) => call('compile/create', { json: { projectId }, creds });

/** lean-cli's form: `GET compile/read?projectId=&compileId=`. */
const readCompile = (projectId: number, compileId: string, creds: Creds = tenant.admin) =>
  call('compile/read', { method: 'GET', query: { projectId, compileId }, creds });

function expectNotFound(answer: Answer): void {
  expect(answer.status).toBe(200);
  expect(answer.body.success).toBe(false);
  expect(answer.body.errors?.join(' ')).toMatch(/not found/i);
}

async function compiled(projectId: number): Promise<{ create: Answer['body']; read: Answer['body'] }> {
  const create = await createCompile(projectId);
  expect(create.body.errors).toBeUndefined();
  const read = await readCompile(projectId, create.body.compileId as string);
  expect(read.body.errors).toBeUndefined();
  return { create: create.body, read: read.body };
}

describe('Python compiles', () => {
  test('compile/create answers InQueue with the signature and parameters; compile/read shows BuildSuccess', async () => {
    const { projectId } = await createProject();
    await addFile(projectId, 'main.py', MAIN_PY);
    await addFile(projectId, 'util.py', 'def helper(x):\n    return x * 2\n');
    const { create, read } = await compiled(projectId);

    expect(create).toEqual({
      success: true,
      compileId: expect.stringMatching(COMPILE_ID),
      state: 'InQueue',
      projectId,
      signature: expect.stringMatching(/^[0-9a-f]{64}$/),
      signatureOrder: ['main.py', 'util.py'],
      parameters: [{ file: 'main.py', parameters: [{ line: 7, type: 'integer parameter "lookback" read with get_parameter (default 20)' }] }],
    });
    // The compile id starts with the content hash, so it names the sources it was made from.
    expect((create.compileId as string).slice(0, 32)).toBe((create.signature as string).slice(0, 32));

    expect(read.success).toBe(true);
    expect(read.compileId).toBe(create.compileId);
    expect(read.state).toBe('BuildSuccess');
    const logs = read.logs as string[];
    expect(logs[0]).toMatch(new RegExp(`^Build Request Successful for Project ID: ${projectId}, with CompileID: ${create.compileId}, Lean Version: `));
    expect(logs).toContain('Syntax check passed for 2 Python files.');
    expect(logs[logs.length - 1]).toBe('Build Successful');
  });

  test('a syntax error in a second file is a BuildError (still success:true) whose logs name the file, line and column', async () => {
    const { projectId } = await createProject();
    await addFile(projectId, 'main.py', MAIN_PY);
    await addFile(projectId, 'helpers.py', 'import math\n\ndef area(r)\n    return math.pi * r ** 2\n');
    const { create, read } = await compiled(projectId);
    expect(create.state).toBe('InQueue');
    expect(read).toEqual({ success: true, compileId: create.compileId, state: 'BuildError', logs: expect.any(Array) });
    const logs = read.logs as string[];
    expect(logs).toContain("Build Error: File: helpers.py Line: 3 Column: 12 - SyntaxError: expected ':'");
    expect(logs).toContain('    def area(r)');
    expect(logs.some((l) => l.includes('main.py'))).toBe(false);
  });

  test('compile/read answers logs: [] while the compile is in queue, in the JSON form too', async () => {
    const { projectId } = await createProject();
    await addFile(projectId, 'main.py', MAIN_PY);
    const compileId = `${hexId()}-${hexId()}`;
    const queued: Compile = {
      compileId,
      projectId,
      orgId: tenant.orgId,
      userId: tenant.admin.userId,
      language: 'Py',
      state: 'InQueue',
      logs: ['Build Request Successful for Project ID: x'],
      manifestKey: snapshotKeys.manifest(projectId, compileId),
      parameters: [],
      signature: '0'.repeat(64),
      signatureOrder: [],
      created: new Date().toISOString(),
    };
    await compileRepository.put(queued);
    expect((await readCompile(projectId, compileId)).body).toEqual({ success: true, compileId, state: 'InQueue', logs: [] });
    const json = await call('compile/read', { json: { projectId, compileId }, creds: tenant.admin });
    expect(json.body).toEqual({ success: true, compileId, state: 'InQueue', logs: [] });
  });

  test("unknown compiles, another project's compile and another organisation's project are not found", async () => {
    const { projectId } = await createProject();
    await addFile(projectId, 'main.py', MAIN_PY);
    const { create } = await compiled(projectId);
    const compileId = create.compileId as string;
    const second = await createProject();

    expectNotFound(await readCompile(projectId, `${hexId()}-${hexId()}`));
    expectNotFound(await readCompile(second.projectId, compileId));
    expectNotFound(await readCompile(projectId, compileId, outsider.admin));
    expectNotFound(await createCompile(projectId, outsider.admin));
    expectNotFound(await createCompile(987_654_321));
    const malformed = await readCompile(projectId, 'not-a-compile');
    expect(malformed.body.success).toBe(false);
    expect(malformed.body.errors?.[0]).toMatch(/^compileId: /);
  });

  test('a viewer of the organisation cannot start a compile', async () => {
    const { projectId } = await createProject();
    await addFile(projectId, 'main.py', MAIN_PY);
    const viewer = await addUser(tenant.orgId, 'viewer');
    const refused = await createCompile(projectId, viewer);
    expect(refused.body.success).toBe(false);
    expect(refused.body.compileId).toBeUndefined();
  });

  test('the snapshot is immutable: editing a file after compiling changes the next compile only', async () => {
    const { projectId } = await createProject();
    await addFile(projectId, 'main.py', MAIN_PY);
    await addFile(projectId, 'util.py', 'VALUE = 1\n');
    const first = (await compiled(projectId)).create;
    const edited = await call('files/update', { json: { projectId, name: 'util.py', content: 'VALUE = 2\n' }, creds: tenant.admin });
    expect(edited.body.success).toBe(true);
    const second = (await compiled(projectId)).create;

    const before = await readSnapshot(projectId, first.compileId as string);
    const after = await readSnapshot(projectId, second.compileId as string);
    expect(before.files).toEqual([
      { name: 'main.py', content: MAIN_PY },
      { name: 'util.py', content: 'VALUE = 1\n' },
    ]);
    expect(after.files.find((f) => f.name === 'util.py')?.content).toBe('VALUE = 2\n');
    expect(second.signature).not.toBe(first.signature);
    // The unchanged file is one shared blob; the changed one is a new blob.
    const blobOf = (m: typeof before.manifest, name: string) => m.files.find((f) => f.name === name)?.sha256;
    expect(blobOf(after.manifest, 'main.py')).toBe(blobOf(before.manifest, 'main.py'));
    expect(blobOf(after.manifest, 'util.py')).not.toBe(blobOf(before.manifest, 'util.py'));
    expect(before.manifest).toEqual(expect.objectContaining({ projectId, compileId: first.compileId, language: 'Py', libraries: [] }));
  });

  test("a linked library's files are compiled under Library/<name>/ and syntax-checked", async () => {
    const libraryName = unique('Library/Shared');
    const library = await createProject('Py', libraryName);
    await addFile(library.projectId, 'tools.py', 'def double(x):\n    return 2 * x\n');
    const { projectId } = await createProject();
    await addFile(projectId, 'main.py', MAIN_PY);
    const linked = await call('projects/library/create', { json: { projectId, libraryId: library.projectId }, creds: tenant.admin });
    expect(linked.body.success).toBe(true);

    const good = await compiled(projectId);
    const folder = `Library/${library.name.replace(/^Library\//, '')}`;
    expect(good.create.signatureOrder).toEqual(['main.py', `${folder}/tools.py`]);
    expect(good.read.state).toBe('BuildSuccess');
    const snapshot = await readSnapshot(projectId, good.create.compileId as string);
    expect(snapshot.files).toContainEqual({ name: `${folder}/tools.py`, content: 'def double(x):\n    return 2 * x\n' });
    expect(snapshot.manifest.libraries).toEqual([{ projectId: library.projectId, name: library.name }]);

    await call('files/update', { json: { projectId: library.projectId, name: 'tools.py', content: 'def double(x:\n    return 2 * x\n' }, creds: tenant.admin });
    const bad = await compiled(projectId);
    expect(bad.read.state).toBe('BuildError');
    expect((bad.read.logs as string[]).some((l) => l.startsWith(`Build Error: File: ${folder}/tools.py Line: 1 `))).toBe(true);
  });
});

describe('C# compiles', () => {
  test('compile/create answers InQueue and the compile waits for the build job', async () => {
    const { projectId } = await createProject('C#');
    await addFile(projectId, 'Main.cs', 'namespace QuantConnect.Algorithm.CSharp { public class Demo : QCAlgorithm { } }\n');
    const create = await createCompile(projectId);
    expect(create.body).toEqual(expect.objectContaining({ success: true, state: 'InQueue', projectId, signatureOrder: ['Main.cs'] }));
    const read = await readCompile(projectId, create.body.compileId as string);
    // No build runner in this server: the compile stays queued (or a local worker already built it).
    expect(['InQueue', 'BuildSuccess', 'BuildError']).toContain(read.body.state);
    if (read.body.state === 'InQueue') expect(read.body.logs).toEqual([]);
  });
});

describe('runBuildJob (C# build with a fake dotnet)', () => {
  let workDir: string;
  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'lcs-build-'));
  });
  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  /** A queued C# compile stored the way compile/create stores one. */
  async function queuedCompile(files: { name: string; content: string }[]): Promise<{ projectId: number; compileId: string }> {
    const projectId = 800_000_000 + Math.floor(Math.random() * 99_000_000);
    const compileId = `${hexId()}-${hexId()}`;
    await writeSnapshot(projectId, compileId, 'C#', files, []);
    await compileRepository.put({
      compileId,
      projectId,
      orgId: tenant.orgId,
      userId: tenant.admin.userId,
      language: 'C#',
      state: 'InQueue',
      logs: [`Build Request Successful for Project ID: ${projectId}, with CompileID: ${compileId}, Lean Version: test`],
      manifestKey: snapshotKeys.manifest(projectId, compileId),
      parameters: [],
      signature: '0'.repeat(64),
      signatureOrder: files.map((f) => f.name),
      created: new Date().toISOString(),
    });
    return { projectId, compileId };
  }

  const job = (ids: { projectId: number; compileId: string }) => ({ kind: 'build' as const, orgId: tenant.orgId, attempt: 1, ...ids });

  test("the csproj targets the LEAN build's framework, read from the launcher's runtimeconfig next to LEAN's DLLs", async () => {
    const ids = await queuedCompile([{ name: 'Main.cs', content: 'public class Demo : QCAlgorithm { }\n' }]);
    const leanBinDir = join(workDir, 'lean-bin');
    await mkdir(leanBinDir, { recursive: true });
    await writeFile(join(leanBinDir, 'QuantConnect.Lean.Launcher.runtimeconfig.json'), JSON.stringify({ runtimeOptions: { tfm: 'net9.0' } }));
    await runBuildJob(job(ids), { workDir: join(workDir, 'tfm'), dotnetCommand: FAKE_DOTNET, leanBinDir });
    expect((await compileRepository.get(ids.projectId, ids.compileId))?.state).toBe('BuildSuccess');
    const project = join(workDir, 'tfm', 'project');
    const csproj = (await readdir(project)).find((name) => name.endsWith('.csproj'))!;
    expect(await readFile(join(project, csproj), 'utf8')).toContain('<TargetFramework>net9.0</TargetFramework>');
  });

  test('a clean build records BuildSuccess and uploads the assembly', async () => {
    const ids = await queuedCompile([
      { name: 'Main.cs', content: 'public class Demo : QCAlgorithm { }\n' },
      { name: 'Library/Tools/Helper.cs', content: 'public static class Helper { }\n' },
    ]);
    await runBuildJob(job(ids), { workDir: join(workDir, 'ok'), dotnetCommand: FAKE_DOTNET });
    const compile = await compileRepository.get(ids.projectId, ids.compileId);
    expect(compile?.state).toBe('BuildSuccess');
    expect(compile?.logs[0]).toMatch(/^Build Request Successful for Project ID: /);
    expect(compile?.logs[compile.logs.length - 1]).toMatch(/^Build Successful \(\d+\.\d s\)$/);

    const s3 = new S3Client({ region: 'us-east-1', endpoint: process.env.S3_ENDPOINT, forcePathStyle: true });
    const key = `${buildOutputPrefix(ids.projectId, ids.compileId)}${buildAssemblyName(ids.projectId, ids.compileId)}.dll`;
    const dll = await s3.send(new GetObjectCommand({ Bucket: process.env.ARTIFACTS_BUCKET_NAME, Key: key }));
    expect(await dll.Body?.transformToString()).toContain('fake assembly QCAlgorithm_');
    s3.destroy();
  });

  test('a compiler error records BuildError with the CS line (once), named relative to the project', async () => {
    const ids = await queuedCompile([
      { name: 'Main.cs', content: 'public class Demo : QCAlgorithm {\n  void F() {\n    var x = 1 FAKE_BUILD_ERROR\n  }\n}\n' },
      { name: 'Library/Tools/Helper.cs', content: 'public static class Helper { }\n' },
    ]);
    await runBuildJob(job(ids), { workDir: join(workDir, 'error'), dotnetCommand: FAKE_DOTNET });
    const compile = await compileRepository.get(ids.projectId, ids.compileId);
    expect(compile?.state).toBe('BuildError');
    expect(compile?.logs.filter((l) => l.includes('CS1002'))).toEqual(['Build Error: File: Main.cs Line: 3 Column: 15 - CS1002: ; expected']);
    expect(compile?.logs[compile.logs.length - 1]).toBe('Build Error: 1 error');

    // A duplicate delivery changes nothing: the outcome is recorded once.
    await runBuildJob(job(ids), { workDir: join(workDir, 'again'), dotnetCommand: FAKE_DOTNET });
    expect(await compileRepository.get(ids.projectId, ids.compileId)).toEqual(compile);
  });

  test('errors in library files name the library path; a failing command is still a BuildError', async () => {
    const ids = await queuedCompile([
      { name: 'Main.cs', content: 'public class Demo : QCAlgorithm { }\n' },
      { name: 'Library/Tools/Helper.cs', content: 'static class Helper { FAKE_BUILD_ERROR }\n' },
    ]);
    await runBuildJob(job(ids), { workDir: join(workDir, 'lib'), dotnetCommand: FAKE_DOTNET });
    expect((await compileRepository.get(ids.projectId, ids.compileId))?.logs).toContain(
      'Build Error: File: Library/Tools/Helper.cs Line: 1 Column: 23 - CS1002: ; expected',
    );

    const broken = await queuedCompile([{ name: 'Main.cs', content: 'class A { }\n' }]);
    await runBuildJob(job(broken), { workDir: join(workDir, 'broken'), dotnetCommand: `"${process.execPath}" -e "process.exit(3)"` });
    const failed = await compileRepository.get(broken.projectId, broken.compileId);
    expect(failed?.state).toBe('BuildError');
    expect(failed?.logs[failed.logs.length - 1]).toMatch(/^Build Error: the build failed \(exit code 3\)/);
  });
});
