import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { readRecords } from '../../cli/backup/archive';
import { backtestRepository } from '../../core/data/backtests/backtest-repository';
import { resultStore } from '../../core/data/results/result-store';
import { newBacktest } from '../../core/domain/backtests/backtest-lifecycle';
import { type ServerProcess, startServerProcess } from '../../local/server-process';
import { call, LeanCli } from '../support/api';
import { runLcs, testDataDir } from '../support/lcs';
import { syntheticResults } from '../support/synthetic-results';
import { createTenant, type Tenant } from '../support/tenants';

/**
 * `lcs backup` / `lcs restore`: an organization of the shared test server backed up while a
 * client keeps pushing to it, restored into a fresh second server, and backed up again there:
 * projects, files and objects must come out byte for byte. Bad archives are refused whole.
 */
jest.setTimeout(300_000);

let dir: string;
let tenant: Tenant;
let fresh: ServerProcess;
let freshAdmin: { userId: number; token: string; organizationId: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lcs-backup-'));
  tenant = await createTenant('backup');
  fresh = await startServerProcess({ dataDir: join(dir, 'fresh'), args: ['--quiet', '--auth-cache-seconds', '0'] });
  freshAdmin = JSON.parse(readFileSync(join(dir, 'fresh', 'admin.json'), 'utf8'));
}, 120_000);

afterAll(async () => {
  await fresh?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const freshDir = (): string[] => ['--data-dir', join(dir, 'fresh')];

async function newFreshOrg(name: string): Promise<string> {
  const run = await runLcs(['admin', 'org', 'create', '--name', name, '--owner', String(freshAdmin.userId), '--json', ...freshDir()]);
  expect(run.code).toBe(0);
  return (JSON.parse(run.stdout) as { id: string }).id;
}

async function projectId(cli: LeanCli, name: string): Promise<number> {
  const created = await cli.createProject(name);
  return (created.body.projects as { projectId: number }[])[0]?.projectId as number;
}

async function records(file: string, types: string[]) {
  const out: unknown[] = [];
  for await (const r of readRecords(file)) if (types.includes(r.type)) out.push(r);
  return out;
}

test('backup while writes continue, restore into a fresh instance, and the restored organization backs up to the same projects, files and objects', async () => {
  const lib = await projectId(tenant.cli, 'Backup/Lib');
  const main = await projectId(tenant.cli, 'Backup/Main');
  const busy = await projectId(tenant.cli, 'Backup/Busy');
  expect((await tenant.cli.push(lib, { name: 'Backup/Lib', files: [{ name: 'util.py', content: 'U = "ü"\n' }] })).body.success).toBe(true);
  const pushed = await tenant.cli.push(main, {
    name: 'Backup/Main',
    description: 'main one',
    parameters: { period: '14' },
    files: [
      { name: 'main.py', content: '# main\n' },
      { name: 'research.ipynb', content: '{"cells": []}' },
    ],
    libraries: [lib],
  });
  expect(pushed.body.success).toBe(true);
  for (const [key, value] of [
    ['a.txt', Buffer.from('alpha')],
    ['deep/b.bin', Buffer.from([0, 1, 2, 255, 254])],
  ] as const) {
    const form = new FormData();
    form.append('organizationId', tenant.orgId);
    form.append('key', key);
    form.append('objectData', new Blob([value]), 'objectData');
    expect((await call('object/set', { multipart: form, creds: tenant.admin })).body.success).toBe(true);
  }
  const results = syntheticResults({ orders: 120, insights: 2, points: 50 });
  const done = newBacktest({ projectId: main, orgId: tenant.orgId, userId: tenant.admin.userId, compileId: 'c', name: 'Kept run' });
  const written = await resultStore.writeResults(main, done.backtestId, results);
  await backtestRepository.put({ ...done, ...written, phase: 'completed', progress: 1, resultsReady: true, statistics: results.summary.statistics });

  // A client keeps pushing while the backup runs.
  let writing = true;
  let writes = 0;
  const writer = (async () => {
    while (writing) {
      await tenant.cli.push(busy, { name: 'Backup/Busy', files: [{ name: 'main.py', content: `# write ${writes}\n` }] });
      writes++;
    }
  })();
  const file = join(dir, 'org.lcsbackup');
  const backup = await runLcs(['backup', file, '--org', tenant.orgId, '--json', ...testDataDir()]);
  writing = false;
  await writer;
  expect(backup.stderr).toBe('');
  expect(backup.code).toBe(0);
  expect(writes).toBeGreaterThan(0);
  // The project pushed to during the backup is named; the others are as they were at its start.
  expect(JSON.parse(backup.stdout)).toMatchObject({ projects: 3, objects: 2, backtests: 1, members: 1, changedDuringBackup: ['Backup/Busy'] });
  // Never a credential: the archive holds no token or key secret of the admin.
  const raw = gunzipSync(readFileSync(file)).toString();
  expect(raw).not.toContain(tenant.admin.token);
  expect(raw).not.toContain(tenant.admin.secret);

  const target = await newFreshOrg('Restored');
  const restore = await runLcs(['restore', file, '--org', target, '--json', ...freshDir()]);
  expect(restore.stderr).toBe('');
  expect(restore.code).toBe(0);
  expect(JSON.parse(restore.stdout)).toMatchObject({ projects: 3, objects: 2, backtests: 1 });

  const again = join(dir, 'restored.lcsbackup');
  const quiet = await runLcs(['backup', again, '--org', target, '--json', ...freshDir()]);
  expect(quiet.code).toBe(0);
  expect(JSON.parse(quiet.stdout)).toMatchObject({ projects: 3, changedDuringBackup: [] });
  const types = ['project', 'file', 'object'];
  expect(await records(again, types)).toEqual(await records(file, types));

  // The library link points at the restored library, and the backtest reads like the original.
  const cli = new LeanCli(freshAdmin, target, fresh.apiUrl);
  const listed = (await cli.listProjects()).body.projects as { projectId: number; name: string; libraries: { projectId: number }[] }[];
  const restoredMain = listed.find((p) => p.name === 'Backup/Main');
  expect(restoredMain?.libraries.map((l) => l.projectId)).toEqual([listed.find((p) => p.name === 'Backup/Lib')?.projectId]);
  const backtests = await call('backtests/list', { json: { projectId: restoredMain?.projectId }, creds: freshAdmin, base: fresh.apiUrl });
  const restoredId = (backtests.body.backtests as { backtestId: string }[])[0]?.backtestId;
  const orders = await call('backtests/orders/read', {
    json: { projectId: restoredMain?.projectId, backtestId: restoredId, start: 100, end: 200 },
    creds: freshAdmin,
    base: fresh.apiUrl,
  });
  const original = await call('backtests/orders/read', { json: { projectId: main, backtestId: done.backtestId, start: 100, end: 200 }, creds: tenant.admin });
  expect(orders.body).toEqual(original.body);

  // Restoring into an organization that is no longer empty is refused.
  const twice = await runLcs(['restore', file, '--org', target, ...freshDir()]);
  expect(twice.code).toBe(1);
  expect(twice.stderr).toMatch(/is not empty \(3 projects\)/);
});

test('a truncated, tampered or unknown-version archive is refused before anything is written', async () => {
  const file = join(dir, 'small.lcsbackup');
  const source = await createTenant('backup small');
  const pid = await projectId(source.cli, 'Small');
  expect((await source.cli.push(pid, { name: 'Small', files: [{ name: 'main.py', content: '# the original\n' }] })).body.success).toBe(true);
  expect((await runLcs(['backup', file, '--org', source.orgId, ...testDataDir()])).code).toBe(0);
  const bytes = readFileSync(file);
  const text = gunzipSync(bytes).toString();
  const bad: [string, Buffer, RegExp][] = [
    ['truncated', bytes.subarray(0, Math.floor(bytes.length / 2)), /is truncated/],
    ['tampered', gzipSync(text.replace('# the original', '# tampered!!')), /was altered: its checksum does not match/],
    ['version', gzipSync(text.replace('"version":1', '"version":99')), /has archive version 99; this lcs reads version 1/],
    ['not-gzip', Buffer.from('hello'), /not an lcs backup archive/],
  ];
  const target = await newFreshOrg('Untouched');
  for (const [name, content, message] of bad) {
    const path = join(dir, `${name}.lcsbackup`);
    writeFileSync(path, content);
    const run = await runLcs(['restore', path, '--org', target, ...freshDir()]);
    expect([name, run.code]).toEqual([name, 1]);
    expect(run.stderr).toMatch(message);
  }
  const cli = new LeanCli(freshAdmin, target, fresh.apiUrl);
  expect((await cli.listProjects()).body.projects).toEqual([]);
  // An existing archive is not overwritten by accident.
  const exists = await runLcs(['backup', file, '--org', source.orgId, ...testDataDir()]);
  expect(exists.code).toBe(1);
  expect(exists.stderr).toMatch(/exists; pass --force/);
});
