import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startBenchServer } from './local-server';
import { lcs } from './migrate';

/**
 * `lcs backup` and `lcs restore` of an organization holding BENCH_BACKUP_MB MB of objects
 * (default 1024; BENCH_BACKUP_MB=32 for a quick check) in objects of BENCH_BACKUP_OBJECT_MB MB
 * (default 8). The objects are written straight into the emulator's objects bucket under the
 * object store's own keys (objectStoreRepository.put, `<orgId>/<key>` with its md5 and created
 * metadata): `object/set` through the emulator would take longer than the backup measured.
 * Random bytes: gzip cannot shrink them, only take base64's third back out. Prints MB/s, each
 * process's peak RSS (the archive streams one record at a time, so it stays far below the data
 * size) and the archive's size; asserts nothing.
 */
const TOTAL_MB = Number(process.env.BENCH_BACKUP_MB ?? 1024);
const OBJECT_MB = Number(process.env.BENCH_BACKUP_OBJECT_MB ?? 8);
const MB = 1024 * 1024;
const peakRss = resolve(import.meta.dirname, 'peak-rss.mjs');

export async function runBackup(): Promise<void> {
  const server = await startBenchServer('backup');
  try {
    const { objectStoreRepository } = await import('../core/data/objects/object-store-repository');
    const orgId = server.admin.organizationId;
    const count = Math.max(1, Math.round(TOTAL_MB / OBJECT_MB));
    const seeded = performance.now();
    for (let i = 0; i < count; i += 4) {
      await Promise.all(
        Array.from({ length: Math.min(4, count - i) }, async (_, k) => {
          const body = randomBytes(OBJECT_MB * MB);
          const md5 = createHash('md5').update(body).digest('hex');
          await objectStoreRepository.put(orgId, `bench/${String(i + k).padStart(5, '0')}.bin`, body, {
            mime: 'application/octet-stream',
            md5,
            created: new Date(),
          });
        }),
      );
    }
    const dataMb = count * OBJECT_MB;
    console.log(`seeded ${count} objects of ${OBJECT_MB} MB (${dataMb} MB) into the objects bucket in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);

    const file = join(server.dir, 'bench.lcsbackup');
    const measured = async (argv: string[], name: string) => {
      const rssFile = join(server.dir, `${name}.rss`);
      const run = await lcs(argv, { module: peakRss, env: { LCS_BENCH_RSS_FILE: rssFile } });
      return { ...run, rssMb: Number(readFileSync(rssFile, 'utf8')) / 1024 };
    };
    const backup = await measured(['backup', file, '--org', orgId, '--data-dir', server.dataDir, '--json'], 'backup');
    const archiveMb = statSync(file).size / MB;
    const org = await lcs([
      'admin',
      'org',
      'create',
      '--name',
      'Bench restore',
      '--owner',
      String(server.admin.userId),
      '--json',
      '--data-dir',
      server.dataDir,
    ]);
    const restoreOrg = (JSON.parse(org.stdout) as { id: string }).id;
    const restore = await measured(['restore', file, '--org', restoreOrg, '--data-dir', server.dataDir, '--json'], 'restore');
    const restored = JSON.parse(restore.stdout) as { objects: number };
    if (restored.objects !== count) throw new Error(`restore brought back ${restored.objects} of ${count} objects`);
    for (const [title, run] of [
      ['backup', backup],
      ['restore', restore],
    ] as const) {
      console.log(
        `${title.padEnd(8)} ${String(dataMb).padStart(6)} MB of objects ${run.seconds.toFixed(1).padStart(7)} s ${(dataMb / run.seconds).toFixed(1).padStart(6)} MB/s  peak RSS ${run.rssMb.toFixed(0).padStart(5)} MB`,
      );
    }
    console.log(`archive  ${archiveMb.toFixed(1)} MB (${(archiveMb / dataMb).toFixed(2)} × the objects: random bytes, base64 in JSON lines, gzipped)`);
    console.log('(times include starting the lcs process, about 1-2 s)');
  } finally {
    await server.stop();
  }
}
