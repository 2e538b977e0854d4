import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { backtestRepository } from '../../core/data/backtests/backtest-repository';
import { jobCredentialRepository } from '../../core/data/identity/job-credential-repository';
import { marketDataStore } from '../../core/data/market-data/market-data-store';
import { objectStoreRepository } from '../../core/data/objects/object-store-repository';
import { resultStore } from '../../core/data/results/result-store';
import { newBacktest } from '../../core/domain/backtests/backtest-lifecycle';
import { identityService } from '../../core/domain/identity/identity-service';
import { isJobCredentialId } from '../../core/domain/identity/job-credential';
import { newYorkDay } from '../../runner/map-factor-files';
import { runBacktestJob } from '../../runner/modes/backtest';
import { apiUrl, call } from '../support/api';
import { algorithm, type BacktestBody, pollBacktest, pythonProject } from '../support/backtests';
import { FAKE_ENGINE_ENV } from '../support/fake-engines';
import { seedLeanData } from '../support/lean-data';
import { createTenant, type Tenant } from '../support/tenants';

/**
 * The runner on its own (against the real local storage): the LEAN config it writes, the
 * wall-clock limit, and the object store copied into LEAN's folder and written back.
 */
jest.setTimeout(90_000);

const fakeLean = FAKE_ENGINE_ENV.LCS_LEAN_COMMAND;
let tenant: Tenant;

beforeAll(async () => {
  tenant = await createTenant('runner');
});

/** A backtest item ready for a runner (as the dispatcher leaves it), not on the queue. */
async function startingBacktest(projectId: number, compileId: string, parameterSet: Record<string, string> = {}, userId = tenant.admin.userId) {
  const backtest = newBacktest({
    projectId,
    orgId: tenant.orgId,
    userId,
    compileId,
    name: 'runner test',
    phase: 'starting',
    parameterSet,
  });
  await backtestRepository.put(backtest);
  return backtest;
}

function runOptions(leanCommand: string, extra: Partial<Parameters<typeof runBacktestJob>[1]> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'lcs-runner-'));
  // The data folder as the image has it: LEAN's market hours, symbol properties, CSV map/factor files.
  seedLeanData(join(dir, 'data'));
  return {
    workDir: join(dir, 'job'),
    taskRef: 'test-task',
    leanCommand,
    dataDir: join(dir, 'data'),
    apiUrl: 'http://127.0.0.1:9/api/v2/',
    maxSeconds: 60,
    pollMs: 200,
    log: () => undefined,
    stopSignal: new Promise<void>(() => undefined),
    ...extra,
  };
}

test("the runner writes LEAN's config: paths, ids, the job's own credential, api-url, parameters", async () => {
  const { projectId, compileId } = await pythonProject(tenant.cli, 'Runner/Config', algorithm());
  const backtest = await startingBacktest(projectId, compileId, { fast: '12' });
  const copy = join(mkdtempSync(join(tmpdir(), 'lcs-config-')), 'seen.json');
  const script = join(tmpdir(), `copy-config-${process.pid}.mjs`);
  // A stand-in LEAN that only keeps the config it was given and exits like a crash.
  writeFileSync(
    script,
    `import { copyFileSync } from 'node:fs';\ncopyFileSync(process.argv[process.argv.indexOf('--config') + 1], ${JSON.stringify(copy)});\nprocess.exit(3);\n`,
  );
  const options = runOptions(`'${process.execPath}' '${script}'`);
  await runBacktestJob({ kind: 'backtest', orgId: tenant.orgId, projectId, backtestId: backtest.backtestId, attempt: 1 }, options);

  const config = JSON.parse(readFileSync(copy, 'utf8')) as Record<string, unknown>;
  expect(config).toMatchObject({
    environment: 'backtesting',
    'algorithm-id': backtest.backtestId,
    'algorithm-language': 'Python',
    'algorithm-type-name': 'main',
    'algorithm-location': join(options.workDir, 'project', 'main.py'),
    'results-destination-folder': join(options.workDir, 'results'),
    'object-store-root': join(options.workDir, 'storage'),
    'data-folder': options.dataDir,
    'close-automatically': true,
    'project-id': projectId,
    'job-organization-id': tenant.orgId,
    'api-url': options.apiUrl,
    'data-provider': 'QuantConnect.Lean.Engine.DataFeeds.ApiDataProvider',
    parameters: { fast: '12' },
  });
  // A job credential minted for this backtest, never the user's token (runner/job-credentials.ts).
  const jobUserId = Number(config['job-user-id']);
  expect(isJobCredentialId(jobUserId)).toBe(true);
  expect(config['api-access-token']).toMatch(/^[0-9a-f]{64}$/);
  expect(config['api-access-token']).not.toBe(tenant.admin.token);
  expect(await jobCredentialRepository.get(jobUserId)).toMatchObject({
    userId: tenant.admin.userId,
    orgId: tenant.orgId,
    projectId,
    job: { kind: 'backtest', id: backtest.backtestId },
    revokedAt: expect.any(String), // the backtest is over
  });
  // LEAN finds its handlers in the launcher's folder, wherever it runs (Lean:Common/Util/Composer.cs).
  expect(config).not.toHaveProperty('composer-dll-directory');
  // Exit 3 with no result files: a failure, with the node freed and the job folder removed.
  const after = await backtestRepository.get(projectId, backtest.backtestId);
  expect(after).toMatchObject({ phase: 'failed', resultsReady: false });
  expect(after?.error).toMatch(/exited with code 3|LEAN/);
});

test("LEAN, reading its config, reaches the API with the job's credential only: ApiDataProvider's calls work, user-only ones are refused, and nothing once the job ended", async () => {
  const shared = mkdtempSync(join(tmpdir(), 'lcs-lean-api-'));
  chmodSync(shared, 0o777); // writable by LEAN's user too
  const file = join(shared, 'api.json');
  const { projectId, compileId } = await pythonProject(
    tenant.cli,
    `Runner/LeanApi-${Date.now()}`,
    algorithm({ 'api-file': file, 'api-probes': 'projects/read,projects/create,account/read' }),
  );
  const backtest = await startingBacktest(projectId, compileId);
  const options = runOptions(fakeLean, { apiUrl: apiUrl() });
  await runBacktestJob({ kind: 'backtest', orgId: tenant.orgId, projectId, backtestId: backtest.backtestId, attempt: 1 }, options);
  expect(await backtestRepository.get(projectId, backtest.backtestId)).toMatchObject({ phase: 'completed' });

  const seen = JSON.parse(readFileSync(file, 'utf8')) as {
    config: Record<string, string>;
    calls: { endpoint: string; success: boolean; errors: string[] }[];
  };
  // What LEAN read from its config: a job credential, not the user's id or token.
  expect(isJobCredentialId(Number(seen.config['job-user-id']))).toBe(true);
  expect(seen.config['api-access-token']).not.toBe(tenant.admin.token);
  expect(seen.config['data-provider']).toBe('QuantConnect.Lean.Engine.DataFeeds.ApiDataProvider');
  const outcome = Object.fromEntries(seen.calls.map((c) => [c.endpoint, c.success]));
  expect(outcome).toMatchObject({ 'data/prices': true, 'organizations/read': true, 'projects/read': true, 'projects/create': false, 'account/read': false });
  // data/read answers (a link, or "not found" for a file the bucket lacks), never an auth refusal.
  expect(seen.calls.find((c) => c.endpoint === 'data/read')?.errors.join(' ') ?? '').not.toMatch(/Hash doesn't match|cannot call/);

  // The backtest is over: the same credential, signed as LEAN signs, is refused.
  const after = await call('data/prices', {
    json: { organizationId: tenant.orgId },
    creds: { userId: Number(seen.config['job-user-id']), token: seen.config['api-access-token'] ?? '' },
  });
  expect(after.body).toMatchObject({ success: false });
  expect(after.body.errors?.[0]).toMatch(/revoked/);
});

test('a backtest of a user without any API token gets the same API access and data providers (issue 20 item 15)', async () => {
  const member = await identityService.createUser({ name: 'No token', email: `runner-notoken-${Date.now()}@test.local` });
  await identityService.addMember(tenant.orgId, member.id, 'admin');
  const shared = mkdtempSync(join(tmpdir(), 'lcs-lean-api-'));
  chmodSync(shared, 0o777);
  const file = join(shared, 'api.json');
  const { projectId, compileId } = await pythonProject(tenant.cli, `Runner/NoToken-${Date.now()}`, algorithm({ 'api-file': file }));
  const backtest = await startingBacktest(projectId, compileId, {}, member.id);
  await runBacktestJob(
    { kind: 'backtest', orgId: tenant.orgId, projectId, backtestId: backtest.backtestId, attempt: 1 },
    runOptions(fakeLean, { apiUrl: apiUrl() }),
  );
  expect(await backtestRepository.get(projectId, backtest.backtestId)).toMatchObject({ phase: 'completed' });
  const seen = JSON.parse(readFileSync(file, 'utf8')) as { config: Record<string, string>; calls: { endpoint: string; success: boolean }[] };
  expect(seen.config['data-provider']).toBe('QuantConnect.Lean.Engine.DataFeeds.ApiDataProvider');
  expect(seen.calls.filter((c) => c.endpoint !== 'data/read').every((c) => c.success)).toBe(true);
  expect(await jobCredentialRepository.get(Number(seen.config['job-user-id']))).toMatchObject({ userId: member.id });
});

test('a crash is explained by its own ERROR lines, not by a python path LEAN could not find', async () => {
  const { projectId, compileId } = await pythonProject(tenant.cli, 'Runner/Crash', algorithm({ scenario: 'crash' }));
  const backtest = await startingBacktest(projectId, compileId);
  await runBacktestJob({ kind: 'backtest', orgId: tenant.orgId, projectId, backtestId: backtest.backtestId, attempt: 1 }, runOptions(fakeLean));
  const after = await backtestRepository.get(projectId, backtest.backtestId);
  expect(after?.phase).toBe('failed');
  expect(after?.error).toBe(
    'Engine.Run(): System.AccessViolationException: Attempted to read or write protected memory.\n   at QuantConnect.Lean.Engine.AlgorithmManager.Run()',
  );
});

describe("what the algorithm sees of the runner (LEAN's environment and user)", () => {
  const planted = {
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/planted',
    AWS_ACCESS_KEY_ID: 'AKIAPLANTED',
    AWS_SECRET_ACCESS_KEY: 'planted-secret',
    ECS_CONTAINER_METADATA_URI_V4: 'http://169.254.170.2/v4/planted',
    LCS_PLANTED_SECRET: 'planted',
  };
  beforeAll(() => Object.assign(process.env, planted));
  afterAll(() => {
    for (const name of Object.keys(planted)) delete process.env[name];
  });

  /** Runs the fake LEAN through the runner, which dumps what it could see. */
  async function seenByLean(extra: Partial<Parameters<typeof runBacktestJob>[1]> = {}) {
    const shared = mkdtempSync(join(tmpdir(), 'lcs-seen-'));
    chmodSync(shared, 0o777); // writable by LEAN's user too
    const file = join(shared, 'seen.json');
    const { projectId, compileId } = await pythonProject(tenant.cli, `Runner/Env-${Date.now()}`, algorithm({ 'env-file': file }));
    const backtest = await startingBacktest(projectId, compileId);
    const options = runOptions(fakeLean, extra);
    chmodSync(join(options.workDir, '..'), 0o755); // the job folder's parent, as /tmp is on ECS
    await runBacktestJob({ kind: 'backtest', orgId: tenant.orgId, projectId, backtestId: backtest.backtestId, attempt: 1 }, options);
    expect(await backtestRepository.get(projectId, backtest.backtestId)).toMatchObject({ phase: 'completed' });
    return JSON.parse(readFileSync(file, 'utf8')) as { env: Record<string, string>; uid: number; parentEnviron: string[] | string };
  }

  test('no AWS credential, ECS metadata URI or LCS setting in its environment', async () => {
    const seen = await seenByLean();
    const names = Object.keys(seen.env);
    expect(names.filter((name) => /^(AWS_|ECS_|LCS_)/.test(name))).toEqual([]);
    expect(JSON.stringify(seen.env)).not.toMatch(/planted/i);
    expect(seen.env.PATH).toBe(process.env.PATH);
    expect(seen.env.PYTHONUSERBASE).toMatch(/job\/python$/);
  });

  const asRoot = process.getuid?.() === 0 ? test : test.skip;
  asRoot("as root with a LEAN user: LEAN runs as that user and cannot read the runner's /proc environ", async () => {
    const seen = await seenByLean({ leanUser: { uid: 65534, gid: 65534, home: '/tmp' } });
    expect(seen.uid).toBe(65534);
    expect(seen.env.HOME).toBe('/tmp');
    expect(seen.parentEnviron).toBe('EACCES');
    // Without one, the same-user process reads the runner's environment as it started (on ECS,
    // with the credentials URI in it): why the user matters.
    const same = await seenByLean();
    expect(same.uid).toBe(0);
    expect(Array.isArray(same.parentEnviron) && same.parentEnviron.some((entry) => entry.startsWith('PATH='))).toBe(true);
  });
});

test('a backtest past the wall-clock limit is stopped and fails saying so', async () => {
  const { projectId, compileId } = await pythonProject(tenant.cli, 'Runner/Limit', algorithm({ scenario: 'hang' }));
  const backtest = await startingBacktest(projectId, compileId);
  const started = Date.now();
  await runBacktestJob(
    { kind: 'backtest', orgId: tenant.orgId, projectId, backtestId: backtest.backtestId, attempt: 1 },
    runOptions(fakeLean, { maxSeconds: 2 }),
  );
  expect(Date.now() - started).toBeLessThan(20_000);
  const after = await backtestRepository.get(projectId, backtest.backtestId);
  expect(after?.phase).toBe('failed');
  expect(after?.error).toMatch(/exceeded maximum runtime \(2 s\)/);
});

test("the organization's object store is LEAN's object-store-root during the run, and changes are written back", async () => {
  const set = (key: string, value: string) => call('object/set', { json: { organizationId: tenant.orgId, key, objectData: value }, creds: tenant.admin });
  expect((await set('models/weights.txt', 'v1')).body.success).toBe(true);
  expect((await set('old.txt', 'to be deleted')).body.success).toBe(true);
  const { projectId, compileId } = await pythonProject(
    tenant.cli,
    'Runner/Objects',
    algorithm({ 'store-write': 'results/out.txt', 'store-delete': 'old.txt' }),
  );
  const created = await tenant.cli.createBacktest(projectId, compileId, 'object store');
  const backtestId = (created.body.backtest as BacktestBody).backtestId;
  const { final } = await pollBacktest(tenant.cli, projectId, backtestId);
  expect(final.status).toBe('Completed.');

  expect((await objectStoreRepository.read(tenant.orgId, 'results/out.txt')).toString()).toBe(`saved by ${backtestId}\n`);
  expect(await objectStoreRepository.head(tenant.orgId, 'old.txt')).toBeUndefined();
  expect((await objectStoreRepository.read(tenant.orgId, 'models/weights.txt')).toString()).toBe('v1');
  // The algorithm saw the objects that existed when it started.
  expect(await resultStore.readLog(projectId, backtestId)).toContain('Object store keys: models/weights.txt, old.txt');
});

describe('requirements.txt', () => {
  const ranFile = join(mkdtempSync(join(tmpdir(), 'lcs-pip-ran-')), 'pip-ran.txt');

  /** A stand-in pip: records its arguments, fails for a package that does not exist. */
  function fakePip(): string {
    const script = join(mkdtempSync(join(tmpdir(), 'lcs-pip-')), 'pip.mjs');
    writeFileSync(
      script,
      [
        "import { readFileSync, writeFileSync } from 'node:fs';",
        "const wanted = readFileSync('requirements.txt', 'utf8');",
        "if (wanted.includes('no-such-package')) { console.error('ERROR: No matching distribution found for no-such-package'); process.exit(1); }",
        `writeFileSync(${JSON.stringify(ranFile)}, process.argv.slice(2).join(' ') + '\\n' + wanted);`,
      ].join('\n'),
    );
    return `'${process.execPath}' '${script}'`;
  }

  async function runWith(requirements: string) {
    const name = `Runner/Pip-${Date.now()}`;
    const created = await tenant.cli.createProject(name);
    const projectId = (created.body.projects as { projectId: number }[])[0]?.projectId as number;
    await tenant.cli.push(projectId, {
      name,
      files: [
        { name: 'main.py', content: algorithm() },
        { name: 'requirements.txt', content: requirements },
      ],
    });
    const compiled = await tenant.cli.compile(projectId);
    const backtest = await startingBacktest(projectId, compiled.body.compileId as string);
    await runBacktestJob(
      { kind: 'backtest', orgId: tenant.orgId, projectId, backtestId: backtest.backtestId, attempt: 1 },
      runOptions(fakeLean, { pipCommand: fakePip() }),
    );
    return backtestRepository.get(projectId, backtest.backtestId);
  }

  test('are installed before LEAN starts', async () => {
    expect(await runWith('numpy==2.1.0\n')).toMatchObject({ phase: 'completed' });
    expect(readFileSync(ranFile, 'utf8')).toBe('install --user --no-input -r requirements.txt\nnumpy==2.1.0\n');
  });

  test("a failing install fails the backtest fast with pip's message", async () => {
    const after = await runWith('no-such-package==1.0\n');
    expect(after?.phase).toBe('failed');
    expect(after?.error).toMatch(/Installing requirements\.txt failed \(pip exit code 1\):\nERROR: No matching distribution found for no-such-package/);
  });
});

describe('map and factor files for LocalZipMapFileProvider / LocalZipFactorFileProvider', () => {
  const job = (projectId: number, backtestId: string) => ({ kind: 'backtest' as const, orgId: tenant.orgId, projectId, backtestId, attempt: 1 });
  const zipIn = (dataDir: string, kind: string) => join(dataDir, 'equity', 'usa', kind, `${kind}_${newYorkDay(1)}.zip`);

  test("a fresh data folder (the image's CSV files only) gets yesterday's zips before LEAN starts, so the backtest runs", async () => {
    const { projectId, compileId } = await pythonProject(tenant.cli, 'Runner/MapFiles', algorithm());
    const backtest = await startingBacktest(projectId, compileId);
    const lines: string[] = [];
    const options = runOptions(fakeLean, { log: (line: string) => lines.push(line) });
    // A download that failed inside LEAN (Api.DownloadData) left an empty, date-named file.
    const empty = join(options.dataDir, 'equity', 'usa', 'minute', 'spy', '20131007_trade.zip');
    mkdirSync(join(empty, '..'), { recursive: true });
    writeFileSync(empty, '');
    await runBacktestJob(job(projectId, backtest.backtestId), options);
    expect(await backtestRepository.get(projectId, backtest.backtestId)).toMatchObject({ phase: 'completed' });
    for (const kind of ['map_files', 'factor_files']) {
      const entries = unzipSync(readFileSync(zipIn(options.dataDir, kind)));
      expect(Object.keys(entries)).toEqual(['spy.csv']);
      expect(Buffer.from(entries['spy.csv'] as Uint8Array).toString()).toBe(readFileSync(join(options.dataDir, 'equity', 'usa', kind, 'spy.csv'), 'utf8'));
    }
    expect(existsSync(empty)).toBe(false);
    expect(lines).toContain('data folder: removed 1 empty zip file(s) left by failed downloads');
    // LEAN found the zip (the fake logs what LocalZipMapFileProvider fetched).
    expect(await resultStore.readLog(projectId, backtest.backtestId)).not.toContain('map files going all the way back');
  });

  test('without any map files the backtest fails at initialization, as LEAN does', async () => {
    const { projectId, compileId } = await pythonProject(tenant.cli, 'Runner/NoMapFiles', algorithm());
    const backtest = await startingBacktest(projectId, compileId);
    const options = runOptions(fakeLean);
    const bare = mkdtempSync(join(tmpdir(), 'lcs-bare-data-'));
    seedLeanData(bare, ['market-hours', 'symbol-properties']);
    // A market folder of its own, so a zip the operator uploaded for equity/usa plays no part.
    const marketDir = join(bare, 'equity', 'usa');
    mkdirSync(marketDir, { recursive: true });
    await runBacktestJob(job(projectId, backtest.backtestId), { ...options, dataDir: bare, apiUrl: options.apiUrl });
    const after = await backtestRepository.get(projectId, backtest.backtestId);
    if (existsSync(zipIn(bare, 'map_files'))) {
      // Another test file uploaded equity/usa map files to the shared data bucket meanwhile: they were used.
      expect(after?.phase).toBe('completed');
    } else {
      expect(after?.phase).toBe('failed');
      expect(after?.error).toMatch(/LocalZipMapFileProvider couldn't find any map files going all the way back to/);
    }
  });

  test("a map zip the operator uploaded to the data bucket is used (under yesterday's name), not one built from CSV files", async () => {
    const uploaded = zipSync({
      'spy.csv': new TextEncoder().encode('19980102,spy,P\n20501231,spy,P\n'),
      'aapl.csv': new TextEncoder().encode('19980102,aapl,Q\n'),
    });
    await marketDataStore.put('equity/usa/map_files/map_files_20240102.zip', uploaded);
    const { projectId, compileId } = await pythonProject(tenant.cli, 'Runner/UploadedMapFiles', algorithm());
    const backtest = await startingBacktest(projectId, compileId);
    const options = runOptions(fakeLean);
    await runBacktestJob(job(projectId, backtest.backtestId), options);
    expect(await backtestRepository.get(projectId, backtest.backtestId)).toMatchObject({ phase: 'completed' });
    expect(Buffer.from(readFileSync(zipIn(options.dataDir, 'map_files'))).equals(Buffer.from(uploaded))).toBe(true);
  });
});

test('data reads the API throttled (HTTP 429) are reported in the job log and the algorithm log, not silently lost', async () => {
  const { projectId, compileId } = await pythonProject(tenant.cli, 'Runner/Throttled', algorithm({ 'throttled-reads': 3 }));
  const backtest = await startingBacktest(projectId, compileId);
  const lines: string[] = [];
  await runBacktestJob(
    { kind: 'backtest', orgId: tenant.orgId, projectId, backtestId: backtest.backtestId, attempt: 1 },
    runOptions(fakeLean, { log: (line: string) => lines.push(line) }),
  );
  expect(await backtestRepository.get(projectId, backtest.backtestId)).toMatchObject({ phase: 'completed' });
  const warning = /Warning: 3 market data read\(s\) were refused by the API's rate limit \(HTTP 429\); LEAN ran without these files: /;
  expect(lines.some((line) => warning.test(line))).toBe(true);
  expect(await resultStore.readLog(projectId, backtest.backtestId)).toMatch(warning);
});
