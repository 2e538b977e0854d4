import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiUrl, call } from '../support/api';
import { runLcs, testDataDir } from '../support/lcs';
import { createTenant, type Tenant } from '../support/tenants';

/**
 * `lcs lean-config`: the LEAN settings for a user and organization of the test server, with
 * credentials it issues that really authenticate, merged into an existing config file.
 */
jest.setTimeout(120_000);

let tenant: Tenant;
let dir: string;

beforeAll(async () => {
  tenant = await createTenant('lean-config');
  dir = mkdtempSync(join(tmpdir(), 'lcs-lean-config-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Printed {
  config: Record<string, unknown>;
  headers?: { 'X-API-Key': string; 'X-API-Secret': string };
  leanCli: string[];
  written?: string;
}

test('prints the settings with a new token and key that authenticate, and merges them into a config file', async () => {
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ 'data-folder': '/Lean/Data', 'job-user-id': 1 }));
  const run = await runLcs([
    'lean-config',
    '--user',
    String(tenant.admin.userId),
    '--org',
    tenant.orgId,
    '--issue-token',
    '--issue-key',
    '--write',
    file,
    '--json',
    ...testDataDir(),
  ]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const printed = JSON.parse(run.stdout) as Printed;
  expect(printed.config).toEqual({
    'api-url': apiUrl(),
    'job-user-id': tenant.admin.userId,
    'api-access-token': expect.stringMatching(/\S{16,}/),
    'job-organization-id': tenant.orgId,
  });
  expect(printed.leanCli).toContain('export QC_API=local');
  const token = printed.config['api-access-token'] as string;
  expect((await call('authenticate', { method: 'GET', creds: { userId: tenant.admin.userId, token } })).body).toEqual({ success: true });
  const headers = printed.headers as Record<string, string>;
  expect((await call('organizations/read', { json: { organizationId: tenant.orgId }, headers })).body.success).toBe(true);
  expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ 'data-folder': '/Lean/Data', ...printed.config });
});

test('without --issue-token nothing secret is printed; a user outside the organization, or a file that is not JSON, is refused before anything is issued', async () => {
  const plain = await runLcs(['lean-config', '--user', String(tenant.admin.userId), '--api-url', 'https://lcs.example.com/prod/api/v2', ...testDataDir()]);
  expect(plain.code).toBe(0);
  expect(plain.stdout).toContain('"api-url": "https://lcs.example.com/prod/api/v2/"');
  expect(plain.stdout).toContain(`"job-organization-id": "${tenant.orgId}"`);
  expect(plain.stdout).not.toContain('api-access-token":');
  expect(plain.stdout).toContain('lcs proxy --url https://lcs.example.com/prod/api/v2/');

  const other = await createTenant('lean-config other');
  const outsider = await runLcs(['lean-config', '--user', String(other.admin.userId), '--org', tenant.orgId, ...testDataDir()]);
  expect(outsider.code).toBe(1);
  expect(outsider.stderr).toBe(`lcs: user ${other.admin.userId} is not a member of organization ${tenant.orgId}\n`);

  const broken = join(dir, 'broken.json');
  writeFileSync(broken, '{ not json');
  const tokensBefore = (await runLcs(['admin', 'token', 'list', '--user', String(tenant.admin.userId), '--json', ...testDataDir()])).stdout;
  const refused = await runLcs(['lean-config', '--user', String(tenant.admin.userId), '--issue-token', '--write', broken, ...testDataDir()]);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/is not JSON; not changed/);
  expect(readFileSync(broken, 'utf8')).toBe('{ not json');
  // Checked before anything is issued: no token was left behind.
  expect((await runLcs(['admin', 'token', 'list', '--user', String(tenant.admin.userId), '--json', ...testDataDir()])).stdout).toBe(tokensBefore);
});
