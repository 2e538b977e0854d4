import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type BenchServer, qcHeaders, startBenchServer } from './local-server';

/**
 * `lcs migrate` between two local servers: a source seeded with BENCH_MIGRATE_PROJECTS projects
 * of BENCH_MIGRATE_FILES files each (through its API), imported into the other server's first
 * organization by the real command, then run again with nothing changed (the idempotent re-run
 * reads everything and writes nothing); then `lcs backup` of the imported organization (with
 * BENCH_BACKUP_OBJECTS objects of BENCH_BACKUP_OBJECT_MB MB) and `lcs restore` into a new one.
 * Prints projects/s, files/s and MB/s; asserts nothing.
 */
const PROJECTS = Number(process.env.BENCH_MIGRATE_PROJECTS ?? 200);
const FILES = Number(process.env.BENCH_MIGRATE_FILES ?? 5);
const CONCURRENCY = process.env.BENCH_MIGRATE_CONCURRENCY ?? '8';
const root = resolve(import.meta.dirname, '..');
const MB = 1024 * 1024;

async function post(server: BenchServer, endpoint: string, body: object): Promise<Record<string, unknown>> {
  const answer = await fetch(`${server.server.apiUrl}${endpoint}`, {
    method: 'POST',
    headers: { ...qcHeaders(server.admin), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const parsed = (await answer.json()) as Record<string, unknown>;
  if (parsed.success !== true) throw new Error(`${endpoint}: ${JSON.stringify(parsed)}`);
  return parsed;
}

async function seed(source: BenchServer): Promise<void> {
  const one = async (i: number) => {
    const created = await post(source, 'projects/create', { name: `Bench/Project ${i}`, language: 'Py', organizationId: source.admin.organizationId });
    const projectId = (created.projects as { projectId: number }[])[0]?.projectId;
    const files = Array.from({ length: FILES }, (_, f) => ({
      name: f === 0 ? 'main.py' : `lib/module_${f}.py`,
      content: `# project ${i}, file ${f}\n${'x = 1\n'.repeat(200)}`,
    }));
    await post(source, 'projects/update', { projectId, description: `project ${i}`, parameters: [{ key: 'n', value: String(i) }], files });
  };
  for (let i = 0; i < PROJECTS; i += 10) await Promise.all(Array.from({ length: Math.min(10, PROJECTS - i) }, (_, k) => one(i + k)));
}

/** Runs `lcs`; with `preload`, that module is imported first (bench/peak-rss.mjs measures the process). */
export function lcs(argv: string[], preload?: { module: string; env: Record<string, string> }): Promise<{ seconds: number; stdout: string }> {
  const started = performance.now();
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', ...(preload ? ['--import', preload.module] : []), join(root, 'bin', 'lcs.ts'), ...argv],
      { cwd: root, maxBuffer: 64 * 1024 * 1024, ...(preload ? { env: { ...process.env, ...preload.env } } : {}) },
      (error, stdout, stderr) => {
        if (error) fail(new Error(`lcs ${argv[0]} failed: ${stderr}`));
        else done({ seconds: (performance.now() - started) / 1000, stdout });
      },
    );
  });
}

/** Objects for the backup figures: OBJECTS values of OBJECT_MB each in the source organization. */
const OBJECTS = Number(process.env.BENCH_BACKUP_OBJECTS ?? 20);
const OBJECT_MB = Number(process.env.BENCH_BACKUP_OBJECT_MB ?? 2);

async function seedObjects(server: BenchServer): Promise<void> {
  for (let i = 0; i < OBJECTS; i++) {
    const form = new FormData();
    form.append('organizationId', server.admin.organizationId);
    form.append('key', `bench/object-${i}.bin`);
    form.append('objectData', new Blob([randomBytes(OBJECT_MB * 1024 * 1024)]), 'objectData');
    const answer = await fetch(`${server.server.apiUrl}object/set`, { method: 'POST', headers: qcHeaders(server.admin), body: form });
    if (((await answer.json()) as { success?: boolean }).success !== true) throw new Error('object/set failed');
  }
}

/** Backs up the target's organization (projects, files, objects) and restores it into a new organization of the source server. */
async function backupAndRestore(source: BenchServer, target: BenchServer): Promise<void> {
  const file = join(target.dir, 'bench.lcsbackup');
  const backup = await lcs(['backup', file, '--data-dir', target.dataDir, '--json']);
  const summary = JSON.parse(backup.stdout) as { files: number; objects: number; objectBytes: number };
  const { size } = statSync(file);
  const raw = gunzipSync(readFileSync(file)).length / MB;
  const org = await lcs(['admin', 'org', 'create', '--name', 'Bench restore', '--owner', String(source.admin.userId), '--json', '--data-dir', source.dataDir]);
  const orgId = (JSON.parse(org.stdout) as { id: string }).id;
  const restore = await lcs(['restore', file, '--org', orgId, '--data-dir', source.dataDir, '--json']);
  for (const [title, seconds] of [
    ['backup', backup.seconds],
    ['restore', restore.seconds],
  ] as const) {
    console.log(
      `${title.padEnd(30)} ${raw.toFixed(1).padStart(6)} MB of records (${(size / MB).toFixed(1)} MB compressed, ${summary.files} files, ${summary.objects} objects) ` +
        `${seconds.toFixed(1).padStart(6)} s ${(raw / seconds).toFixed(1).padStart(6)} MB/s`,
    );
  }
}

function migrate(
  source: BenchServer,
  target: BenchServer,
  extra: string[],
): Promise<{ seconds: number; summary: { projects: { action: string; files: number }[] } }> {
  const args = ['--import', 'tsx', join(root, 'bin', 'lcs.ts'), 'migrate', '--from', source.server.apiUrl, '--user-id', String(source.admin.userId)];
  args.push('--api-token', source.admin.token, '--data-dir', target.dataDir, '--json', '--quiet', '--concurrency', CONCURRENCY, ...extra);
  const started = performance.now();
  return new Promise((done, fail) => {
    execFile(process.execPath, args, { cwd: root, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) fail(new Error(`lcs migrate failed: ${stderr}${stdout.slice(0, 3000)}`));
      else done({ seconds: (performance.now() - started) / 1000, summary: JSON.parse(stdout) });
    });
  });
}

export async function runMigrate(): Promise<void> {
  const source = await startBenchServer('migrate-source');
  const target = await startBenchServer('migrate-target');
  try {
    await seed(source);
    await seedObjects(source);
    for (const title of ['first run (everything new)', 're-run (nothing changed)']) {
      const { seconds, summary } = await migrate(source, target, title.startsWith('first') ? ['--with-object-store'] : []);
      const files = summary.projects.reduce((sum, p) => sum + p.files, 0);
      const actions: Record<string, number> = {};
      for (const p of summary.projects) actions[p.action] = (actions[p.action] ?? 0) + 1;
      console.log(
        `${title.padEnd(30)} ${String(summary.projects.length).padStart(4)} projects ${String(files).padStart(5)} files ${seconds.toFixed(1).padStart(6)} s ` +
          `${(summary.projects.length / seconds).toFixed(1).padStart(6)} projects/s ${(files / seconds).toFixed(0).padStart(6)} files/s  ${JSON.stringify(actions)}`,
      );
    }
    await backupAndRestore(source, target);
    console.log('(times include starting the lcs process, about 1-2 s)');
  } finally {
    await target.stop();
    await source.stop();
  }
}
