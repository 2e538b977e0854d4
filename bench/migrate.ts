import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { type BenchServer, qcHeaders, startBenchServer } from './local-server';

/**
 * `lcs migrate` between two local servers: a source seeded with BENCH_MIGRATE_PROJECTS projects
 * of BENCH_MIGRATE_FILES files each (through its API), imported into the other server's first
 * organization by the real command, then run again with nothing changed (the idempotent re-run
 * reads everything and writes nothing). Prints projects/s and files/s; asserts nothing.
 */
const PROJECTS = Number(process.env.BENCH_MIGRATE_PROJECTS ?? 200);
const FILES = Number(process.env.BENCH_MIGRATE_FILES ?? 5);
const CONCURRENCY = process.env.BENCH_MIGRATE_CONCURRENCY ?? '8';
const root = resolve(import.meta.dirname, '..');

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

function migrate(source: BenchServer, target: BenchServer): Promise<{ seconds: number; summary: { projects: { action: string; files: number }[] } }> {
  const args = ['--import', 'tsx', join(root, 'bin', 'lcs.ts'), 'migrate', '--from', source.server.apiUrl, '--user-id', String(source.admin.userId)];
  args.push('--api-token', source.admin.token, '--data-dir', target.dataDir, '--json', '--quiet', '--concurrency', CONCURRENCY);
  const started = performance.now();
  return new Promise((done, fail) => {
    execFile(process.execPath, args, { cwd: root, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) fail(new Error(`lcs migrate failed: ${stderr}`));
      else done({ seconds: (performance.now() - started) / 1000, summary: JSON.parse(stdout) });
    });
  });
}

export async function runMigrate(): Promise<void> {
  const source = await startBenchServer('migrate-source');
  const target = await startBenchServer('migrate-target');
  try {
    await seed(source);
    for (const title of ['first run (everything new)', 're-run (nothing changed)']) {
      const { seconds, summary } = await migrate(source, target);
      const files = summary.projects.reduce((sum, p) => sum + p.files, 0);
      const actions: Record<string, number> = {};
      for (const p of summary.projects) actions[p.action] = (actions[p.action] ?? 0) + 1;
      console.log(
        `${title.padEnd(30)} ${String(summary.projects.length).padStart(4)} projects ${String(files).padStart(5)} files ${seconds.toFixed(1).padStart(6)} s ` +
          `${(summary.projects.length / seconds).toFixed(1).padStart(6)} projects/s ${(files / seconds).toFixed(0).padStart(6)} files/s  ${JSON.stringify(actions)}`,
      );
    }
    console.log('(times include starting the lcs process, about 1-2 s)');
  } finally {
    await target.stop();
    await source.stop();
  }
}
