import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { moduleFileProblem } from '../../cli/modules/module-files';
import { call } from '../support/api';
import { runLcs, testDataDir } from '../support/lcs';
import { createTenant, type Tenant } from '../support/tenants';

/**
 * modules/list and modules/read as lean-cli's ModuleManager calls them (contract §3.11), serving
 * what the operator uploaded with `lcs modules push` (the real CLI as a subprocess).
 */
jest.setTimeout(120_000);

let tenant: Tenant;
const dir = mkdtempSync(join(tmpdir(), 'lcs-modules-'));
// A product id of its own, so runs sharing the test bucket never collide.
const productId = randomInt(100_000_000, 999_999_999);
const packages = {
  'QuantConnect.Brokerages.Example.2.5.100.nupkg': randomBytes(4000),
  'QuantConnect.Brokerages.Example.2.5.101.nupkg': randomBytes(5000),
  'QuantConnect.Lean.DataSource.Example.1.0.7.nupkg': randomBytes(300),
};

beforeAll(async () => {
  tenant = await createTenant('modules');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const list = (pid: number) => call('modules/list', { json: { productId: pid, organizationId: tenant.orgId }, creds: tenant.admin });
const read = (pid: number, fileName: string) => call('modules/read', { json: { productId: pid, organizationId: tenant.orgId, fileName }, creds: tenant.admin });

test('a product with no uploaded module lists no files', async () => {
  expect((await list(productId)).body).toEqual({ success: true, files: [] });
});

test('lcs modules push uploads <productId>/<package>.nupkg; modules/list names them and modules/read links to their bytes', async () => {
  const folder = join(dir, 'modules');
  mkdirSync(join(folder, String(productId)), { recursive: true });
  for (const [name, bytes] of Object.entries(packages)) writeFileSync(join(folder, String(productId), name), bytes);
  const run = await runLcs(['modules', 'push', folder, '--json', ...testDataDir()]);
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  expect(JSON.parse(run.stdout)).toMatchObject({ uploaded: 3, skipped: 0 });

  expect((await list(productId)).body).toEqual({ success: true, files: Object.keys(packages).sort() });
  for (const [name, bytes] of Object.entries(packages)) {
    const answer = await read(productId, name);
    expect(answer.body.success).toBe(true);
    // lean-cli downloads the link without credentials.
    const download = await fetch(answer.body.url as string);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
  }

  // Pushing again uploads nothing; the module folder is no market-data dataset.
  const again = await runLcs(['modules', 'push', folder, '--json', ...testDataDir()]);
  expect(JSON.parse(again.stdout)).toMatchObject({ uploaded: 0, skipped: 3 });
  const datasets = await call('market/data/list', { json: {}, creds: tenant.admin });
  expect((datasets.body.list as { name: string }[]).map((d) => d.name).join(',')).not.toMatch(/lcs-modules/);
});

test('a folder that is not <productId>/<Package>.<version>.nupkg is refused whole, before any upload', async () => {
  const folder = join(dir, 'bad');
  const other = randomInt(100_000_000, 999_999_999);
  mkdirSync(join(folder, String(other)), { recursive: true });
  writeFileSync(join(folder, String(other), 'Good.Package.1.0.0.nupkg'), 'x');
  writeFileSync(join(folder, 'loose.nupkg'), 'x');
  const run = await runLcs(['modules', 'push', folder, ...testDataDir()]);
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/loose\.nupkg: must be <productId>\/<file>/);
  expect((await list(other)).body).toEqual({ success: true, files: [] });

  expect(moduleFileProblem('12/QuantConnect.Brokerages.Example.2.5.100.nupkg')).toBeUndefined();
  expect(moduleFileProblem('12/readme.txt')).toMatch(/NuGet package/);
  expect(moduleFileProblem('12/1.0.nupkg')).toMatch(/NuGet package/);
  expect(moduleFileProblem('abc/Example.1.0.nupkg')).toMatch(/product id/);
  expect(moduleFileProblem('12/sub/Example.1.0.nupkg')).toMatch(/product id/);
});

test('an unknown file, a path-like file name and bad product ids are refused with the envelope', async () => {
  const expectFailure = async (answer: Promise<{ status: number; body: Record<string, unknown> }>, pattern: RegExp) => {
    const got = await answer;
    expect(got.status).toBe(200);
    expect(got.body).toEqual({ success: false, errors: [expect.stringMatching(pattern)] });
  };
  await expectFailure(read(productId, 'Missing.1.0.0.nupkg'), /not found/);
  await expectFailure(read(productId, '../secret.nupkg'), /^fileName: /);
  await expectFailure(read(productId, 'a/b.nupkg'), /^fileName: /);
  await expectFailure(call('modules/list', { json: { productId: 'x' }, creds: tenant.admin }), /^productId: /);
  await expectFailure(call('modules/list', { json: { productId: -3 }, creds: tenant.admin }), /^productId: /);
  await expectFailure(call('modules/read', { json: { productId }, creds: tenant.admin }), /^fileName: is required/);
});
