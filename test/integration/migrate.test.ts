import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backtestRepository } from '../../core/data/backtests/backtest-repository';
import { deploymentRepository } from '../../core/data/live/deployment-repository';
import { optimizationRepository } from '../../core/data/optimizations/optimization-repository';
import { resultStore } from '../../core/data/results/result-store';
import { newBacktest } from '../../core/domain/backtests/backtest-lifecycle';
import { identityService } from '../../core/domain/identity/identity-service';
import { GRID_STRATEGY, type Optimization } from '../../core/domain/optimizations/types';
import { type ServerProcess, startServerProcess } from '../../local/server-process';
import { type Answer, apiUrl, type Creds, call, LeanCli, removeStarterFiles } from '../support/api';
import { runLcs, testDataDir } from '../support/lcs';
import { type Loopback, startLoopback } from '../support/loopback';
import { syntheticResults } from '../support/synthetic-results';
import { createTenant, type Tenant } from '../support/tenants';

/**
 * `lcs migrate` end to end between two real local servers: a second server plays QuantConnect
 * (seeded through its API like lean-cli would), the shared test server is the target. A small
 * proxy in front of the source answers 429 or breaks mid-way where a test asks it to.
 */
jest.setTimeout(300_000);

let dir: string;
let source: ServerProcess;
let sourceCli: LeanCli;
let sourceAdmin: Creds & { organizationId: string };
let proxy: Loopback;
/** What the proxy does with the next requests: pass, answer 429 every `every`-th, or fail after `after` more. */
let mode: { kind: 'pass' } | { kind: '429'; every: number } | { kind: 'break'; after: number } = { kind: 'pass' };
let proxied = 0;
let refused429 = 0;

const PROJECTS = {
  lib: { name: 'Migrate/Shared Lib', files: [{ name: 'helpers.py', content: 'def double(x):\n    return 2 * x\n' }] },
  alpha: {
    name: 'Migrate/Alpha',
    description: 'an alpha with parameters',
    parameters: { fast: '10', slow: '30' },
    files: [
      { name: 'main.py', content: 'from AlgorithmImports import *\n# alpha\n' },
      { name: 'models/signal.py', content: 'SIGNAL = 1\n' },
    ],
  },
  beta: { name: 'Migrate/Beta', description: '', files: [{ name: 'main.py', content: '# beta\n' }] },
};

async function seedSource(): Promise<Record<keyof typeof PROJECTS, number>> {
  const ids = {} as Record<keyof typeof PROJECTS, number>;
  for (const [key, spec] of Object.entries(PROJECTS) as [keyof typeof PROJECTS, (typeof PROJECTS)[keyof typeof PROJECTS]][]) {
    const created = await sourceCli.createProject(spec.name);
    expect(created.body.success).toBe(true);
    const projectId = (created.body.projects as { projectId: number }[])[0]?.projectId as number;
    ids[key] = projectId;
    await removeStarterFiles(projectId, sourceAdmin).catch(() => undefined);
  }
  for (const key of Object.keys(PROJECTS) as (keyof typeof PROJECTS)[]) {
    const spec = PROJECTS[key] as { name: string; description?: string; parameters?: Record<string, string>; files: { name: string; content: string }[] };
    const pushed = await sourceCli.push(ids[key], { ...spec, ...(key === 'alpha' ? { libraries: [ids.lib] } : {}) });
    expect(pushed.body).toMatchObject({ success: true });
  }
  for (const [key, value] of [
    ['weights.json', '{"w":[1,2,3]}'],
    ['models/model.bin', 'binary\u0000data'],
  ]) {
    const form = new FormData();
    form.append('organizationId', sourceAdmin.organizationId);
    form.append('key', key as string);
    form.append('objectData', new Blob([value as string]), 'objectData');
    expect((await call('object/set', { multipart: form, creds: sourceAdmin, base: source.apiUrl })).body).toMatchObject({ success: true });
  }
  return ids;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lcs-migrate-'));
  source = await startServerProcess({ dataDir: join(dir, 'source'), args: ['--quiet', '--auth-cache-seconds', '0'] });
  sourceAdmin = JSON.parse(readFileSync(join(dir, 'source', 'admin.json'), 'utf8'));
  sourceCli = new LeanCli(sourceAdmin, sourceAdmin.organizationId, source.apiUrl);
  const origin = new URL(source.apiUrl).origin;
  proxy = await startLoopback((req, res) => {
    proxied++;
    if (mode.kind === '429' && proxied % mode.every === 0) {
      refused429++;
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end(JSON.stringify({ success: false, errors: ['Too many requests: rate limit exceeded'] }));
      return;
    }
    if (mode.kind === 'break' && mode.after-- <= 0) {
      res.destroy();
      return;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers))
      if (typeof value === 'string' && !['host', 'content-length', 'connection'].includes(name)) headers[name] = value;
    fetch(`${origin}${req.url.pathname}${req.url.search}`, { method: req.method, headers, body: req.method === 'GET' ? undefined : req.body })
      .then(async (answer) => {
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
        res.end(Buffer.from(await answer.arrayBuffer()));
      })
      .catch(() => res.destroy());
  });
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await source?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Summary {
  dryRun: boolean;
  projects: {
    name: string;
    sourceId: number;
    action: string;
    targetId?: number;
    targetName?: string;
    note?: string;
    error?: string;
    verify?: { state: string; compileId?: string; errors: string[] };
  }[];
  objects?: { imported: number; unchanged: number; failed: number };
  rateLimited: number;
  people?: { membersAdded: string[]; collaboratorsAdded: number; collaboratorsPresent: number; unmatched: { email: string; reason: string }[] };
}

async function migrate(tenant: Tenant, extra: string[] = [], via = `${proxy.endpoint}/api/v2/`) {
  const run = await runLcs(
    [
      'migrate',
      '--from',
      via,
      '--user-id',
      String(sourceAdmin.userId),
      '--api-token',
      sourceAdmin.token,
      '--org',
      tenant.orgId,
      '--json',
      '--retries',
      '1',
      ...testDataDir(),
      ...extra,
      // The target's buckets come from its data folder, never from the caller's environment.
    ],
    { OBJECTS_BUCKET_NAME: 'not-the-objects-bucket' },
  );
  return { ...run, summary: run.stdout.trim() ? (JSON.parse(run.stdout) as Summary) : undefined };
}

const actions = (s: Summary | undefined) => Object.fromEntries((s?.projects ?? []).map((p) => [p.name, p.action]));

async function targetProjects(tenant: Tenant) {
  const listed = await tenant.cli.listProjects();
  return new Map(
    (
      listed.body.projects as {
        projectId: number;
        name: string;
        description: string;
        parameters: { key: string; value: string }[];
        libraries: { projectId: number }[];
      }[]
    ).map((p) => [p.name, p]),
  );
}

async function ownFiles(cli: LeanCli, projectId: number) {
  const read: Answer = await cli.readFiles(projectId);
  return (read.body.files as { name: string; content: string; isLibrary: boolean }[])
    .filter((f) => !f.isLibrary)
    .map((f) => ({ name: f.name, content: f.content }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Every source project arrives with identical files, description and parameters; libraries point at the imported ids. */
async function expectSameAsSource(tenant: Tenant) {
  const here = await targetProjects(tenant);
  const sourceProjects = (await sourceCli.listProjects()).body.projects as { projectId: number; name: string; description: string; parameters: unknown[] }[];
  for (const sp of sourceProjects) {
    const tp = here.get(sp.name);
    expect(tp).toBeDefined();
    if (!tp) continue;
    expect(tp.description).toBe(sp.description);
    expect(tp.parameters).toEqual(sp.parameters);
    expect(await ownFiles(tenant.cli, tp.projectId)).toEqual(await ownFiles(sourceCli, sp.projectId));
  }
  const alpha = here.get(PROJECTS.alpha.name);
  const lib = here.get(PROJECTS.lib.name);
  expect(alpha?.libraries.map((l) => l.projectId)).toEqual([lib?.projectId]);
}

let ids: Record<keyof typeof PROJECTS, number>;

test('a dry run prints the plan and writes nothing; the migration copies projects, files, parameters, libraries and objects; a second run imports nothing; a changed file is updated', async () => {
  ids = await seedSource();
  const tenant = await createTenant('migrate');

  const plan = await migrate(tenant, ['--dry-run', '--with-object-store']);
  expect(plan.code).toBe(0);
  expect(plan.summary?.dryRun).toBe(true);
  expect(actions(plan.summary)).toEqual({ [PROJECTS.lib.name]: 'create', [PROJECTS.alpha.name]: 'create', [PROJECTS.beta.name]: 'create' });
  expect(plan.summary?.objects).toMatchObject({ imported: 2, failed: 0 });
  expect((await targetProjects(tenant)).size).toBe(0);

  const first = await migrate(tenant, ['--with-object-store']);
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  expect(actions(first.summary)).toEqual({ [PROJECTS.lib.name]: 'create', [PROJECTS.alpha.name]: 'create', [PROJECTS.beta.name]: 'create' });
  expect(first.summary?.objects).toEqual(expect.objectContaining({ imported: 2, unchanged: 0, failed: 0 }));
  await expectSameAsSource(tenant);
  const props = await call('object/properties', { json: { organizationId: tenant.orgId, key: 'models/model.bin' }, creds: tenant.admin });
  expect(props.body).toMatchObject({ success: true, metadata: { size: 'binary\u0000data'.length } });

  const second = await migrate(tenant, ['--with-object-store']);
  expect(second.code).toBe(0);
  expect(new Set(Object.values(actions(second.summary)))).toEqual(new Set(['unchanged']));
  expect(second.summary?.objects).toEqual(expect.objectContaining({ imported: 0, unchanged: 2 }));
  expect((await targetProjects(tenant)).size).toBe(3);

  const changed = await sourceCli.push(ids.beta, {
    name: PROJECTS.beta.name,
    files: [
      { name: 'main.py', content: '# beta, changed\n' },
      { name: 'extra.py', content: 'X = 1\n' },
    ],
  });
  expect(changed.body.success).toBe(true);
  const third = await migrate(tenant);
  expect(actions(third.summary)).toEqual({ [PROJECTS.lib.name]: 'unchanged', [PROJECTS.alpha.name]: 'unchanged', [PROJECTS.beta.name]: 'update' });
  await expectSameAsSource(tenant);
});

test('the source answering 429 slows the import down instead of failing it', async () => {
  const tenant = await createTenant('migrate 429');
  mode = { kind: '429', every: 3 };
  refused429 = 0;
  const started = Date.now();
  const run = await migrate(tenant);
  mode = { kind: 'pass' };
  expect(run.code).toBe(0);
  expect(refused429).toBeGreaterThan(0);
  expect(run.summary?.rateLimited).toBe(refused429);
  expect(Date.now() - started).toBeGreaterThanOrEqual(refused429 * 1000);
  expect(new Set(Object.values(actions(run.summary)))).toEqual(new Set(['create']));
  await expectSameAsSource(tenant);
});

test('the source failing mid-way leaves the target consistent and a re-run completes it', async () => {
  const tenant = await createTenant('migrate break');
  // authenticate, account/read, projects/read, then one project's files: the rest fail.
  mode = { kind: 'break', after: 4 };
  const broken = await migrate(tenant, ['--concurrency', '1']);
  mode = { kind: 'pass' };
  expect(broken.code).toBe(1);
  const outcome = actions(broken.summary);
  expect(Object.values(outcome)).toContain('failed');
  // Whatever arrived is complete: every project here equals its source.
  const here = await targetProjects(tenant);
  expect(here.size).toBeLessThan(3);
  const sourceProjects = (await sourceCli.listProjects()).body.projects as { projectId: number; name: string }[];
  for (const [name, tp] of here) {
    const sp = sourceProjects.find((p) => p.name === name);
    expect(await ownFiles(tenant.cli, tp.projectId)).toEqual(await ownFiles(sourceCli, sp?.projectId as number));
  }
  const rerun = await migrate(tenant);
  expect(rerun.code).toBe(0);
  expect(Object.values(actions(rerun.summary))).not.toContain('failed');
  await expectSameAsSource(tenant);
});

test('bad sources: unreachable, wrong credentials, not an API: one clear line, nothing written', async () => {
  const tenant = await createTenant('migrate bad');
  // A port nothing listens on: one that was just free.
  const closed = await startLoopback((_req, res) => res.end());
  await closed.close();
  const unreachable = await migrate(tenant, [], `${closed.endpoint}/api/v2/`);
  expect(unreachable.code).toBe(1);
  expect(unreachable.stderr).toContain('lcs: source unreachable: waiting');
  expect(unreachable.stderr).toMatch(/^lcs: cannot reach the source http:\/\/127\.0\.0\.1:\d+\/api\/v2\/ \(authenticate\): ECONNREFUSED$/m);

  const wrong = await runLcs([
    'migrate',
    '--from',
    source.apiUrl,
    '--user-id',
    String(sourceAdmin.userId),
    '--api-token',
    'not-the-token',
    '--org',
    tenant.orgId,
    ...testDataDir(),
  ]);
  expect(wrong.code).toBe(1);
  expect(wrong.stderr).toMatch(/^lcs: the source .* refused the credentials of user \d+/);

  const noCreds = await runLcs(['migrate', '--from', source.apiUrl, '--org', tenant.orgId, ...testDataDir()], { HOME: dir, QC_USER_ID: '', QC_API_TOKEN: '' });
  expect(noCreds.code).toBe(1);
  expect(noCreds.stderr).toMatch(/no source credentials/);
  expect((await targetProjects(tenant)).size).toBe(0);
});

test('imports are matched by where they came from: a same-named project of this server is left untouched, a re-run updates the imported one', async () => {
  const tenant = await createTenant('migrate provenance');
  // Someone's own projects here that happen to carry source names, one of them in the other language.
  const own: Record<string, number> = {};
  for (const [name, language, file] of [
    [PROJECTS.beta.name, 'Py', { name: 'main.py', content: '# my own beta\n' }],
    [PROJECTS.alpha.name, 'C#', { name: 'Main.cs', content: '// my own alpha\n' }],
  ] as const) {
    const projectId = ((await tenant.cli.createProject(name, language)).body.projects as { projectId: number }[])[0]?.projectId as number;
    await removeStarterFiles(projectId, tenant.admin, language);
    expect((await tenant.cli.push(projectId, { name, description: 'mine', files: [file] })).body.success).toBe(true);
    own[name] = projectId;
  }
  const ownBefore = new Map(await Promise.all(Object.values(own).map(async (id) => [id, await ownFiles(tenant.cli, id)] as const)));
  const expectOwnUntouched = async () => {
    const here = await targetProjects(tenant);
    for (const [name, id] of Object.entries(own)) {
      expect(here.get(name)).toMatchObject({ projectId: id, description: 'mine', parameters: [], libraries: [] });
      expect(await ownFiles(tenant.cli, id)).toEqual(ownBefore.get(id));
    }
  };
  /** Each source project and the project here it was imported into, by the name the summary reports. */
  const expectImportsEqualSource = async (summary: Summary | undefined) => {
    const here = await targetProjects(tenant);
    const sourceProjects = (await sourceCli.listProjects()).body.projects as { projectId: number; name: string; description: string; parameters: unknown[] }[];
    for (const sp of sourceProjects) {
      const outcome = summary?.projects.find((p) => p.sourceId === sp.projectId);
      const tp = here.get(outcome?.targetName ?? sp.name);
      expect(tp?.projectId).toBe(outcome?.targetId);
      expect(tp?.description).toBe(sp.description);
      expect(tp?.parameters).toEqual(sp.parameters);
      expect(await ownFiles(tenant.cli, tp?.projectId as number)).toEqual(await ownFiles(sourceCli, sp.projectId));
    }
    expect(here.get(`${PROJECTS.alpha.name} (imported)`)?.libraries.map((l) => l.projectId)).toEqual([here.get(PROJECTS.lib.name)?.projectId]);
  };

  const plan = await migrate(tenant, ['--dry-run']);
  expect(plan.summary?.projects.find((p) => p.name === PROJECTS.beta.name)).toMatchObject({
    action: 'create',
    targetName: `${PROJECTS.beta.name} (imported)`,
    note: expect.stringContaining('already exists here'),
  });

  const first = await migrate(tenant);
  expect(first.code).toBe(0);
  expect(actions(first.summary)).toEqual({ [PROJECTS.lib.name]: 'create', [PROJECTS.alpha.name]: 'create', [PROJECTS.beta.name]: 'create' });
  const targetNames = Object.fromEntries((first.summary?.projects ?? []).map((p) => [p.name, p.targetName]));
  expect(targetNames).toEqual({
    [PROJECTS.lib.name]: undefined,
    [PROJECTS.alpha.name]: `${PROJECTS.alpha.name} (imported)`,
    [PROJECTS.beta.name]: `${PROJECTS.beta.name} (imported)`,
  });
  await expectOwnUntouched();
  await expectImportsEqualSource(first.summary);
  expect((await targetProjects(tenant)).size).toBe(5);

  // The table names the project here too; the same source reached by another address finds its imports.
  const again = await runLcs([
    'migrate',
    '--from',
    source.apiUrl,
    '--user-id',
    String(sourceAdmin.userId),
    '--api-token',
    sourceAdmin.token,
    '--org',
    tenant.orgId,
    ...testDataDir(),
  ]);
  expect(again.code).toBe(0);
  expect(again.stdout).toContain(`${PROJECTS.beta.name} -> ${PROJECTS.beta.name} (imported)`);
  expect(again.stdout).toMatch(/0 created, 0 updated, 3 unchanged/);
  expect((await targetProjects(tenant)).size).toBe(5);

  const pushed = await sourceCli.push(ids.beta, { name: PROJECTS.beta.name, files: [{ name: 'main.py', content: '# beta, changed for provenance\n' }] });
  expect(pushed.body.success).toBe(true);
  const rerun = await migrate(tenant);
  expect(rerun.code).toBe(0);
  expect(actions(rerun.summary)).toEqual({ [PROJECTS.lib.name]: 'unchanged', [PROJECTS.alpha.name]: 'unchanged', [PROJECTS.beta.name]: 'update' });
  expect(rerun.summary?.projects.find((p) => p.name === PROJECTS.beta.name)?.targetId).toBe(
    first.summary?.projects.find((p) => p.name === PROJECTS.beta.name)?.targetId,
  );
  await expectOwnUntouched();
  await expectImportsEqualSource(rerun.summary);
  expect((await targetProjects(tenant)).size).toBe(5);

  // A backup keeps the provenance: the organization restored elsewhere is recognised by the next migration.
  const archive = join(dir, 'provenance.lcsbackup');
  expect((await runLcs(['backup', archive, '--org', tenant.orgId, ...testDataDir()])).code).toBe(0);
  const restored = await createTenant('migrate restored');
  const restore = await runLcs(['restore', archive, '--org', restored.orgId, ...testDataDir()]);
  expect(restore.stderr).toBe('');
  const afterRestore = await migrate(restored);
  expect(afterRestore.code).toBe(0);
  expect(new Set(Object.values(actions(afterRestore.summary)))).toEqual(new Set(['unchanged']));
  expect((await targetProjects(restored)).size).toBe(5);
});

test('--verify compiles every imported project here and reports the ones that fail', async () => {
  const tenant = await createTenant('migrate verify');
  const clean = await migrate(tenant, ['--verify']);
  expect(clean.code).toBe(0);
  expect(clean.summary?.projects.map((p) => [p.name, p.verify?.state])).toEqual(
    expect.arrayContaining([
      [PROJECTS.lib.name, 'BuildSuccess'],
      [PROJECTS.alpha.name, 'BuildSuccess'],
      [PROJECTS.beta.name, 'BuildSuccess'],
    ]),
  );

  const broken = ((await sourceCli.createProject('Migrate/Broken')).body.projects as { projectId: number }[])[0]?.projectId as number;
  try {
    // A push replaces the whole file set: the starter files go.
    expect((await sourceCli.push(broken, { name: 'Migrate/Broken', files: [{ name: 'main.py', content: 'def broken(:\n    pass\n' }] })).body.success).toBe(
      true,
    );
    const run = await migrate(tenant, ['--verify']);
    expect(run.code).toBe(1);
    const verdict = Object.fromEntries((run.summary?.projects ?? []).map((p) => [p.name, p.verify]));
    expect(verdict[PROJECTS.lib.name]?.state).toBe('BuildSuccess');
    expect(verdict[PROJECTS.alpha.name]?.state).toBe('BuildSuccess');
    expect(verdict[PROJECTS.beta.name]?.state).toBe('BuildSuccess');
    expect(verdict['Migrate/Broken']).toEqual({
      state: 'BuildError',
      compileId: expect.any(String),
      errors: expect.arrayContaining([expect.stringMatching(/^Build Error: File: main\.py Line: 1 /)]),
    });
    // A dry run compiles nothing.
    const plan = await migrate(tenant, ['--verify', '--dry-run']);
    expect(plan.code).toBe(0);
    expect(plan.summary?.projects.every((p) => p.verify === undefined)).toBe(true);
  } finally {
    await sourceCli.deleteProject(broken);
  }
});

test('--with-collaborators carries members and project collaborators over by email; people with no user here are reported', async () => {
  const tenant = await createTenant('migrate people');
  const tag = randomBytes(3).toString('hex');
  const shared = `shared-${tag}@example.com`;
  const onlyThere = `only-there-${tag}@example.com`;
  const sourceUser: Record<string, number> = {};
  for (const [email, role] of [
    [shared, 'admin'],
    [onlyThere, 'member'],
  ] as const) {
    const made = await runLcs([
      'admin',
      'user',
      'create',
      '--email',
      email,
      '--name',
      email,
      '--org',
      sourceAdmin.organizationId,
      '--role',
      role,
      '--json',
      '--data-dir',
      join(dir, 'source'),
    ]);
    expect(made.code).toBe(0);
    sourceUser[email] = (JSON.parse(made.stdout) as { id: number }).id;
  }
  for (const email of [shared, onlyThere]) {
    const added = await call('projects/collaboration/create', {
      json: { projectId: ids.alpha, collaboratorUserId: String(sourceUser[email]), collaborationLiveControl: true, collaborationWrite: false },
      creds: sourceAdmin,
      base: source.apiUrl,
    });
    expect(added.body.success).toBe(true);
  }
  // Here only the shared address has a user, and not yet in the tenant's organization.
  const here = await identityService.createUser({ email: shared, name: 'Shared here' });

  const plan = await migrate(tenant, ['--with-collaborators', '--dry-run']);
  // Both servers' first admin is admin@localhost: that one is matched too (a member and each project's owner there).
  expect(plan.summary?.people?.membersAdded).toEqual(expect.arrayContaining([shared]));
  expect(await identityService.findMember(tenant.orgId, here.id)).toBeUndefined();

  const run = await migrate(tenant, ['--with-collaborators']);
  expect(run.code).toBe(0);
  expect(run.summary?.people).toMatchObject({ membersAdded: plan.summary?.people?.membersAdded, collaboratorsAdded: plan.summary?.people?.collaboratorsAdded });
  expect(run.summary?.people?.membersAdded).not.toContain(onlyThere);
  expect(run.summary?.people?.unmatched).toContainEqual({ email: onlyThere, reason: 'no user with this email here' });
  expect(await identityService.findMember(tenant.orgId, here.id)).toMatchObject({ role: 'admin' });
  const alphaHere = run.summary?.projects.find((p) => p.name === PROJECTS.alpha.name)?.targetId as number;
  const collaborators = await call('projects/collaboration/read', { json: { projectId: alphaHere }, creds: tenant.admin });
  expect(collaborators.body.collaborators).toContainEqual(
    expect.objectContaining({ uid: here.id, email: shared, permission: 'read', liveControl: true, owner: false }),
  );

  const again = await migrate(tenant, ['--with-collaborators']);
  expect(again.code).toBe(0);
  expect(again.summary?.people).toMatchObject({ membersAdded: [], collaboratorsAdded: 0, collaboratorsPresent: run.summary?.people?.collaboratorsAdded });
});

test('--with-backtests: finished backtests arrive read-only with their statistics, charts, orders and insights; a re-run imports none again', async () => {
  // The other way round: a tenant of the shared test server is the source, the second server's first organization the target.
  const from = await createTenant('migrate backtests');
  const name = `Backtested ${randomBytes(3).toString('hex')}`;
  const projectId = ((await from.cli.createProject(name)).body.projects as { projectId: number }[])[0]?.projectId as number;
  const results = syntheticResults({ orders: 150, insights: 3, points: 300 });
  const finished = newBacktest({ projectId, orgId: from.orgId, userId: from.admin.userId, compileId: 'c', name: 'Old run', parameterSet: { fast: 10 } });
  // 450 log lines: the import reads them in pages of 200.
  const log = Array.from({ length: 450 }, (_, i) => `2020-01-01 00:00:${String(i % 60).padStart(2, '0')} line ${i}${i % 7 ? '' : ' ERROR'}`);
  const written = await resultStore.writeResults(projectId, finished.backtestId, { ...results, algorithmLog: `${log.join('\n')}\n` });
  await resultStore.writeReport(projectId, finished.backtestId, '<html><body>report of Old run</body></html>');
  await backtestRepository.put({
    ...finished,
    ...written,
    phase: 'completed',
    progress: 1,
    resultsReady: true,
    reportReady: true,
    statistics: results.summary.statistics,
  });
  // A finished backtest whose report the source is still generating (and keeps generating): it arrives without one.
  const noReport = newBacktest({ projectId, orgId: from.orgId, userId: from.admin.userId, compileId: 'c', name: 'No report' });
  const noReportResults = await resultStore.writeResults(projectId, noReport.backtestId, { ...results, algorithmLog: '' });
  await backtestRepository.put({ ...noReport, ...noReportResults, phase: 'completed', progress: 1, resultsReady: true });
  // A backtest still queued on the source is not imported.
  await backtestRepository.put(newBacktest({ projectId, orgId: from.orgId, userId: from.admin.userId, compileId: 'c', name: 'Still queued' }));

  const args = [
    'migrate',
    '--from',
    apiUrl(),
    '--user-id',
    String(from.admin.userId),
    '--api-token',
    from.admin.token,
    '--with-backtests',
    '--report-wait',
    '0',
    '--json',
    '--data-dir',
    join(dir, 'source'),
  ];
  const run = await runLcs(args);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const summary = JSON.parse(run.stdout) as Summary & { projects: { backtests?: unknown }[]; organizationId: string };
  expect(summary.organizationId).toBe(sourceAdmin.organizationId);
  expect(summary.projects[0]).toMatchObject({ name, action: 'create', backtests: { imported: 2, unchanged: 0, failed: 0 } });

  const here = (await targetProjects({ cli: sourceCli } as Tenant)).get(name);
  const targetId = here?.projectId as number;
  const at = (endpoint: string, body: Record<string, unknown>, base?: string) =>
    call(endpoint, { json: body, creds: base ? sourceAdmin : from.admin, ...(base ? { base } : {}) });
  const listed = (await at('backtests/list', { projectId: targetId }, source.apiUrl)).body.backtests as { backtestId: string; name: string }[];
  expect(listed).toHaveLength(2);
  expect(listed).toContainEqual(expect.objectContaining({ name: 'Old run', status: 'Completed.', parameterSet: { fast: 10 } }));
  const importedId = listed.find((b) => b.name === 'Old run')?.backtestId as string;
  const noReportId = listed.find((b) => b.name === 'No report')?.backtestId as string;
  const original = (await at('backtests/read', { projectId, backtestId: finished.backtestId })).body.backtest as Record<string, unknown>;
  const copy = (await at('backtests/read', { projectId: targetId, backtestId: importedId }, source.apiUrl)).body.backtest as Record<string, unknown>;
  for (const field of [
    'name',
    'status',
    'completed',
    'statistics',
    'runtimeStatistics',
    'totalPerformance',
    'backtestStart',
    'backtestEnd',
    'charts',
    'parameterSet',
    'created',
  ]) {
    expect([field, copy[field]]).toEqual([field, original[field]]);
  }
  for (const chart of ['Strategy Equity', 'Benchmark']) {
    const a = await at('backtests/chart/read', { projectId, backtestId: finished.backtestId, name: chart, count: 100_000 });
    const b = await at('backtests/chart/read', { projectId: targetId, backtestId: importedId, name: chart, count: 100_000 }, source.apiUrl);
    expect(b.body.chart).toEqual(a.body.chart);
  }
  for (const [endpoint, start] of [
    ['backtests/orders/read', 0],
    ['backtests/orders/read', 100],
    ['backtests/insights/read', 0],
  ] as const) {
    const a = await at(endpoint, { projectId, backtestId: finished.backtestId, start, end: start + 100 });
    const b = await at(endpoint, { projectId: targetId, backtestId: importedId, start, end: start + 100 }, source.apiUrl);
    expect(b.body).toEqual(a.body);
  }
  // The report and the log read back as on the source, window by window and filtered alike.
  const report = await at('backtests/read/report', { projectId: targetId, backtestId: importedId }, source.apiUrl);
  expect(report.body).toEqual({ success: true, report: '<html><body>report of Old run</body></html>' });
  for (const window of [
    { start: 0, end: 200 },
    { start: 400, end: 600 },
    { start: 10, end: 30, query: 'error' },
  ]) {
    const a = await at('backtests/read/log', { projectId, backtestId: finished.backtestId, ...window });
    const b = await at('backtests/read/log', { projectId: targetId, backtestId: importedId, ...window }, source.apiUrl);
    expect(b.body).toEqual(a.body);
    expect(a.body).toMatchObject({ success: true, length: window.query ? 65 : 450 });
  }
  // Read-only: a rename is refused. Without a report on the source none comes, and it is not "generating" here.
  const renamed = await at('backtests/update', { projectId: targetId, backtestId: importedId, name: 'renamed' }, source.apiUrl);
  expect(renamed.body).toMatchObject({ success: false, errors: [expect.stringMatching(/imported .* read-only/)] });
  const missing = await at('backtests/read/report', { projectId: targetId, backtestId: noReportId }, source.apiUrl);
  expect(missing.body).toMatchObject({ success: false });
  expect(missing.body.generating).toBeUndefined();
  expect((await at('backtests/read/log', { projectId: targetId, backtestId: noReportId }, source.apiUrl)).body).toEqual({ success: true, logs: [], length: 0 });

  const again = JSON.parse((await runLcs(args)).stdout) as { projects: { backtests?: unknown }[] };
  expect(again.projects[0]).toMatchObject({ action: 'unchanged', backtests: { imported: 0, unchanged: 2, failed: 0 } });
  expect(((await at('backtests/list', { projectId: targetId }, source.apiUrl)).body.backtests as unknown[]).length).toBe(2);
});

test('--with-optimizations and --with-live: ended optimizations arrive read-only and read back field for field, running ones are skipped; live deployments are listed to redeploy, never started', async () => {
  const from = await createTenant('migrate history');
  const name = `Optimized ${randomBytes(3).toString('hex')}`;
  const projectId = ((await from.cli.createProject(name)).body.projects as { projectId: number }[])[0]?.projectId as number;
  const created = '2026-03-01T10:00:00.000Z';
  const parameters = [{ name: 'fast', min: 5, max: 15, step: 5, minStep: 5 }];
  const optimization = (optimizationId: string, status: Optimization['status'], extra: Partial<Optimization> = {}): Optimization => ({
    optimizationId,
    orgId: from.orgId,
    projectId,
    userId: from.admin.userId,
    name: `Search ${status}`,
    compileId: 'c',
    status,
    strategy: GRID_STRATEGY,
    target: 'TotalPerformance.PortfolioStatistics.SharpeRatio',
    extremum: 'max',
    targetValue: null,
    parameters,
    constraints: [{ target: 'TotalPerformance.PortfolioStatistics.Drawdown', operator: 'Less', targetValue: 0.25 }],
    nodeType: 'O2-8',
    parallelNodes: 2,
    estimatedCost: 0,
    created,
    round: { number: 1, parameters, size: 3, next: 3 },
    total: 3,
    running: 0,
    completed: 2,
    failed: 1,
    runtimeSeconds: 3725,
    ...extra,
  });
  const ended = optimization(`O-${randomBytes(16).toString('hex')}`, 'completed', {
    finished: created,
    best: { backtestId: 'b'.repeat(32), value: 1.5, parameterSet: { fast: '10' } },
  });
  const statistics = Array.from({ length: 21 }, (_, i) => i / 10);
  for (const [index, fast] of ['5', '10', '15'].entries()) {
    await optimizationRepository.putPoint({
      optimizationId: ended.optimizationId,
      backtestId: String(index).repeat(32),
      projectId,
      round: 1,
      index,
      name: `fast ${fast}`,
      parameterSet: { fast },
      phase: index === 2 ? 'failed' : 'completed',
      started: created,
      finished: created,
      exitCode: index === 2 ? 1 : 0,
      ...(index === 2 ? { error: 'the algorithm threw' } : { statistics, equity: [[1_700_000_000, 1, 2, 0.5, 1.5]] }),
      backtestStart: '2020-01-01T00:00:00.000Z',
      backtestEnd: '2020-12-31T00:00:00.000Z',
    });
  }
  await optimizationRepository.create(ended);
  await optimizationRepository.create(optimization(`O-${randomBytes(16).toString('hex')}`, 'running', { completed: 0, failed: 0, running: 2 }));
  // A stopped deployment on the source (a record only: nothing runs).
  await deploymentRepository.create({
    deployId: `L-${randomBytes(16).toString('hex')}`,
    projectId,
    orgId: from.orgId,
    userId: from.admin.userId,
    projectName: name,
    compileId: 'c',
    versionId: -1,
    nodeId: 'node-1',
    nodeName: 'Live Node 1',
    sku: 'L-MICRO',
    brokerage: 'PaperBrokerage',
    leanBrokerage: 'PaperBrokerage',
    dataQueueHandlers: [],
    dataProviders: [],
    automaticRedeploy: true,
    status: 'Stopped',
    launched: created,
    stopped: created,
    restarts: [],
    logOffset: 0,
    logLines: 0,
    orderCount: 0,
    insightCount: 0,
    chartNames: [],
    runtimeStatistics: {},
    holdings: {},
    cash: {},
  });

  const args = (...extra: string[]) => [
    'migrate',
    '--from',
    apiUrl(),
    '--user-id',
    String(from.admin.userId),
    '--api-token',
    from.admin.token,
    '--with-optimizations',
    '--with-live',
    '--data-dir',
    join(dir, 'source'),
    ...extra,
  ];
  const plan = await runLcs(args('--dry-run'));
  expect(plan.code).toBe(0);
  expect(plan.stdout).toMatch(new RegExp(`${name} +create .*1 new, 0 had, 1 running \\(skipped\\)`));
  expect(plan.stdout).toContain('optimization not imported (not ended on the source)');
  expect(plan.stdout).toContain('to redeploy');
  expect(plan.stdout).toContain(`lean cloud live deploy "${name}" --brokerage PaperBrokerage --node "Live Node 1" --auto-restart yes`);

  const run = await runLcs(args('--json'));
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const summary = JSON.parse(run.stdout) as { projects: { name: string; targetId: number; optimizations?: unknown; live?: unknown }[] };
  const outcome = summary.projects.find((p) => p.name === name);
  expect(outcome).toMatchObject({
    optimizations: { imported: 1, unchanged: 0, failed: 0, skipped: [expect.stringContaining('running')] },
    live: { status: 'Stopped', brokerage: 'PaperBrokerage', node: 'Live Node 1' },
  });
  const targetId = outcome?.targetId as number;
  // Nothing was deployed here.
  const liveHere = await call('live/read', { json: { projectId: targetId }, creds: sourceAdmin, base: source.apiUrl });
  expect(liveHere.body).toMatchObject({ success: false, deployId: '' });

  const listHere = (await call('optimizations/list', { json: { projectId: targetId }, creds: sourceAdmin, base: source.apiUrl })).body.optimizations as Record<
    string,
    unknown
  >[];
  const listThere = (await call('optimizations/list', { json: { projectId }, creds: from.admin })).body.optimizations as Record<string, unknown>[];
  const endedThere = listThere.find((o) => o.optimizationId === ended.optimizationId) as Record<string, unknown>;
  expect(listHere).toHaveLength(1);
  const { optimizationId: importedId, projectId: _p, ...summaryHere } = listHere[0] as Record<string, unknown>;
  const { optimizationId: _o, projectId: _q, ...summaryThere } = endedThere;
  expect(summaryHere).toEqual(summaryThere);

  const readHere = (await call('optimizations/read', { json: { optimizationId: importedId }, creds: sourceAdmin, base: source.apiUrl })).body
    .optimization as Record<string, unknown>;
  const readThere = (await call('optimizations/read', { json: { optimizationId: ended.optimizationId }, creds: from.admin })).body.optimization as Record<
    string,
    unknown
  >;
  for (const field of [
    'name',
    'status',
    'runtimeStatistics',
    'backtests',
    'criterion',
    'parameters',
    'constraints',
    'strategy',
    'nodeType',
    'parallelNodes',
    'created',
  ]) {
    expect([field, readHere[field]]).toEqual([field, readThere[field]]);
  }
  expect(Object.values(readHere.backtests as Record<string, { parameterSet: unknown; statistics: unknown }>)).toContainEqual(
    expect.objectContaining({ parameterSet: { fast: '10' }, statistics }),
  );
  // Ended, so it cannot be aborted.
  const abort = await call('optimizations/abort', { json: { optimizationId: importedId }, creds: sourceAdmin, base: source.apiUrl });
  expect(abort.body).toMatchObject({ success: false });

  const again = JSON.parse((await runLcs(args('--json'))).stdout) as typeof summary;
  expect(again.projects.find((p) => p.name === name)).toMatchObject({ optimizations: { imported: 0, unchanged: 1, failed: 0 } });
  expect(
    ((await call('optimizations/list', { json: { projectId: targetId }, creds: sourceAdmin, base: source.apiUrl })).body.optimizations as unknown[]).length,
  ).toBe(1);
});
