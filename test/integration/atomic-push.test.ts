import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { projectRepository } from '../../core/data/projects/project-repository';
import { documentClient, tableName } from '../../core/data/table/clients';
import { toItem } from '../../core/data/table/item';
import { keys } from '../../core/data/table/keys';
import { queryAll } from '../../core/data/table/query';
import { startServerProcess } from '../../local/server-process';
import { type Creds, call, LeanCli, type PushedFile } from '../support/api';
import { createTenant, type Tenant } from '../support/tenants';

/**
 * A push of any size is seen all at once or not at all: parallel large pushes end with exactly one
 * of them (the others refused), readers never see a mix, a server killed mid-push comes back with
 * the old or the new file set, and projects stored one item per file still read and write.
 */
const CONFLICT = 'The project was changed by another request; please retry';
let tenant: Tenant;

beforeAll(async () => {
  tenant = await createTenant('atomic push');
});

/** A push's file set: shared names with this push's content, one name of its own, and a file the next set drops. */
function fileSet(tag: string, count: number, bytes: number): PushedFile[] {
  // Lines of letters and digits: a form-encoded push of 500 files of 9 KB stays below the request
  // and project limits (docs/api.md, Limits).
  const body = `value${'0123456789'.repeat(9)}\n`.repeat(Math.ceil(bytes / 96));
  return [
    ...Array.from({ length: count }, (_, i) => ({ name: `pkg${i % 7}/module_${i}.py`, content: `# ${tag} ${i}\n${body}` })),
    { name: `only_${tag}.py`, content: `# ${tag}\n` },
  ];
}

/** Name → content, in name order (so two equal sets print alike). */
const asMap = (files: PushedFile[]) => Object.fromEntries(files.map((f) => [f.name, f.content]).sort(([a], [b]) => ((a as string) < (b as string) ? -1 : 1)));

async function readSet(cli: LeanCli, projectId: number): Promise<Record<string, string>> {
  const answer = await cli.readFiles(projectId);
  if (answer.body.success !== true) throw new Error(`files/read failed: ${answer.text}`);
  return asMap(answer.body.files as PushedFile[]);
}

/** Which of the given sets `seen` is exactly, or -1. */
const whichSet = (seen: Record<string, string>, sets: PushedFile[][]) => {
  const text = JSON.stringify(asMap(Object.entries(seen).map(([name, content]) => ({ name, content }))));
  return sets.findIndex((s) => JSON.stringify(asMap(s)) === text);
};

async function newProject(cli: LeanCli, name: string): Promise<number> {
  const created = await cli.createProject(name);
  if (created.body.success !== true) throw new Error(`projects/create failed: ${created.text}`);
  return (created.body.projects as { projectId: number }[])[0]?.projectId as number;
}

test('parallel pushes of 300 files: the project ends with the whole set of one that succeeded, each success is one commit, the others are refused, readers never see a mix', async () => {
  const projectId = await newProject(tenant.cli, 'Race/Parallel');
  const initial = fileSet('initial', 320, 2000);
  expect((await tenant.cli.push(projectId, { name: 'Race/Parallel', files: initial })).body).toEqual({ success: true });

  let previous = initial;
  let version = (await projectRepository.get(projectId))?.version as number;
  for (let round = 0; round < 2; round++) {
    const sets = Array.from({ length: 5 }, (_, i) => fileSet(`r${round}p${i}`, 300 + i, 2000));
    const pushes = Promise.all(sets.map((files) => tenant.cli.push(projectId, { name: 'Race/Parallel', files })));
    // Readers while the pushes run: each sees one whole set.
    const reads: Promise<Record<string, string>>[] = [];
    for (let i = 0; i < 6; i++) {
      reads.push(readSet(tenant.cli, projectId));
      await new Promise((r) => setTimeout(r, 40));
    }
    const answers = await pushes;
    // Each success is one commit of one whole set: the version moved once per success, and the
    // files are the set of one that succeeded. Under load a push may read the project only after
    // another committed, and then rightly succeeds on top of it; every other push is refused.
    const succeeded = answers.flatMap((a, i) => (a.body.success === true ? [i] : []));
    expect(succeeded.length).toBeGreaterThanOrEqual(1);
    expect((await projectRepository.get(projectId))?.version).toBe(version + succeeded.length);
    version += succeeded.length;
    for (const [i, a] of answers.entries()) {
      if (succeeded.includes(i)) continue;
      expect(a.status).toBe(200);
      expect(a.body).toEqual({ success: false, errors: [CONFLICT] });
    }
    const winner = whichSet(await readSet(tenant.cli, projectId), sets);
    expect(succeeded).toContain(winner);
    for (const seen of await Promise.all(reads)) expect(whichSet(seen, [previous, ...sets])).not.toBe(-1);
    previous = sets[winner] as PushedFile[];
  }

  // The refused pushes left nothing behind: no stage, and only the packs the project names.
  const stored = await projectRepository.get(projectId);
  const items = await queryAll(keys.projectPartition(projectId));
  expect(items.filter((i) => String(i.SK).startsWith('FILESTAGE#'))).toEqual([]);
  const packs = items.filter((i) => String(i.SK).startsWith('FILEPACK#')).map((i) => String(i.SK).slice('FILEPACK#'.length));
  expect(packs.sort()).toEqual((stored?.project.fileSet?.packs ?? []).filter(Boolean).sort());
}, 120_000);

test('a project stored one item per file (before packs) reads as it was, and its first push moves it into packs', async () => {
  const projectId = await newProject(tenant.cli, 'Legacy/Files');
  const stored = await projectRepository.get(projectId);
  if (!stored) throw new Error('project not stored');
  // Rewrite the project as an older server left it: no fileSet, one FILE# item per file.
  const partition = await queryAll(keys.projectPartition(projectId));
  for (const item of partition.filter((i) => String(i.SK).startsWith('FILEPACK#'))) {
    await documentClient().send(new DeleteCommand({ TableName: tableName(), Key: { PK: item.PK, SK: item.SK } }));
  }
  const { fileSet: _dropped, ...legacy } = stored.project;
  await documentClient().send(
    new PutCommand({
      TableName: tableName(),
      Item: toItem('Project', keys.project(projectId), legacy, {
        GSI1PK: keys.orgProjectsIndex(legacy.orgId),
        GSI1SK: keys.projectSort(projectId),
        version: stored.version,
      }),
    }),
  );
  const old = fileSet('legacy', 150, 500);
  const now = new Date().toISOString();
  for (const f of old) {
    const size = Buffer.byteLength(f.content);
    await documentClient().send(
      new PutCommand({
        TableName: tableName(),
        Item: toItem('ProjectFile', keys.file(projectId, f.name), { projectId, name: f.name, created: now, modified: now, size, content: f.content }),
      }),
    );
  }
  expect(await readSet(tenant.cli, projectId)).toEqual(asMap(old));
  const one = await tenant.cli.readFile(projectId, 'only_legacy.py');
  expect((one.body.files as PushedFile[])[0]?.content).toBe('# legacy\n');

  const next = fileSet('moved', 140, 500);
  expect((await tenant.cli.push(projectId, { name: 'Legacy/Files', files: next })).body).toEqual({ success: true });
  expect(await readSet(tenant.cli, projectId)).toEqual(asMap(next));
  const after = await queryAll(keys.projectPartition(projectId));
  expect(after.filter((i) => String(i.SK).startsWith('FILE#'))).toEqual([]);
  expect(after.filter((i) => String(i.SK).startsWith('FILESTAGE#'))).toEqual([]);
}, 60_000);

/** Each kill restarts the server (DynamoDB Local included): two keep the test near a minute. */
const KILLS = 2;

test('a server killed (SIGKILL) during a 500-file push comes back with the old or the new file set, never a mix, and takes the next push', async () => {
  const dataDir = join(await mkdtemp(join(tmpdir(), 'lcs-atomic-push-')), 'state');
  let server = await startServerProcess({ dataDir });
  try {
    const admin = JSON.parse(readFileSync(join(dataDir, 'admin.json'), 'utf8')) as Creds & { organizationId: string };
    let cli = new LeanCli(admin, admin.organizationId, server.apiUrl);
    const projectId = await newProject(cli, 'Killed/Push');
    let current = fileSet('start', 500, 9_000);
    const started = Date.now();
    expect((await cli.push(projectId, { name: 'Killed/Push', files: current })).body).toEqual({ success: true });
    const pushMs = Date.now() - started;
    for (let round = 0; round < KILLS; round++) {
      const next = fileSet(`kill${round}`, 500, 9_000);
      const push = cli.push(projectId, { name: 'Killed/Push', files: next }).catch(() => undefined);
      // A random point of the push, from its request being sent to about when it answers.
      await new Promise((r) => setTimeout(r, pushMs * (0.05 + 0.9 * Math.random())));
      await server.stop('SIGKILL');
      const answered = await push;
      // DynamoDB Local (Java) starting again is most of a round; on a loaded machine it takes long.
      server = await startServerProcess({ dataDir, timeoutMs: 150_000 });
      cli = new LeanCli(admin, admin.organizationId, server.apiUrl);
      const seen = await readSet(cli, projectId);
      const which = whichSet(seen, [current, next]);
      expect(which).not.toBe(-1);
      // An answered success means the new set was committed.
      if (answered?.body.success === true) expect(which).toBe(1);
      if (which === 1) current = next;
    }
    const last = fileSet('after', 120, 1000);
    expect((await cli.push(projectId, { name: 'Killed/Push', files: last })).body).toEqual({ success: true });
    expect(await readSet(cli, projectId)).toEqual(asMap(last));
  } finally {
    // Stopped gracefully: a SIGKILL here would leave its DynamoDB Local (Java) running after the test.
    await server.stop();
    rmSync(join(dataDir, '..'), { recursive: true, force: true });
  }
}, 420_000);

test('a push refused for a taken name writes nothing', async () => {
  const first = await newProject(tenant.cli, 'Names/Taken');
  const second = await newProject(tenant.cli, 'Names/Other');
  const before = await readSet(tenant.cli, second);
  const refused = await tenant.cli.push(second, { name: 'Names/Taken', files: fileSet('renamed', 200, 2000) });
  expect(refused.body.success).toBe(false);
  expect(await readSet(tenant.cli, second)).toEqual(before);
  expect(first).toBeGreaterThan(0);
  expect(await call('projects/read', { json: { projectId: second }, creds: tenant.admin }).then((a) => (a.body.projects as { name: string }[])[0]?.name)).toBe(
    'Names/Other',
  );
});
