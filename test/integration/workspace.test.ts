import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLcs, testDataDir } from '../support/lcs';

/**
 * `lcs workspace`: the lean.json lean-cli accepts for this server (a data folder and the
 * organization its cloud commands act in), the next commands, and no silent overwrite.
 */
jest.setTimeout(60_000);
const ORG = 'ab'.repeat(16);
const LCS_VERSION = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

test('writes lean.json with the data folder and the organization, makes the data folder, prints the lean-cli sequence', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'lcs-ws-')), 'My Workspace');
  const run = await runLcs(['workspace', dir, '--org', ORG.toUpperCase()]);
  expect(run.code).toBe(0);
  expect(JSON.parse(readFileSync(join(dir, 'lean.json'), 'utf8'))).toEqual({ 'data-folder': 'data', 'job-organization-id': ORG });
  expect(existsSync(join(dir, 'data'))).toBe(true);
  for (const step of ['export QC_API=local', 'lean login', 'lean project-create', 'lean cloud push --project "My Project"']) expect(run.stdout).toContain(step);
});

test('the local server’s organization by default; an existing lean.json is kept unless --force', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lcs-ws-'));
  const admin = JSON.parse(readFileSync(join(process.env.LCS_TEST_DATA_DIR as string, 'admin.json'), 'utf8')) as { organizationId: string };
  expect((await runLcs(['workspace', dir, ...testDataDir()])).code).toBe(0);
  expect(JSON.parse(readFileSync(join(dir, 'lean.json'), 'utf8'))['job-organization-id']).toBe(admin.organizationId);
  writeFileSync(join(dir, 'lean.json'), '{"mine": true}\n');
  const refused = await runLcs(['workspace', dir, '--org', ORG]);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/exists; pass --force/);
  expect(readFileSync(join(dir, 'lean.json'), 'utf8')).toBe('{"mine": true}\n');
  expect((await runLcs(['workspace', dir, '--org', ORG, '--force'])).code).toBe(0);
  expect(JSON.parse(readFileSync(join(dir, 'lean.json'), 'utf8'))['job-organization-id']).toBe(ORG);
});

test('no organization to be found, or a malformed one, is a one-line error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lcs-ws-'));
  const none = await runLcs(['workspace', dir, '--data-dir', join(dir, 'nothing-here')]);
  expect(none.code).toBe(1);
  expect(none.stderr).toMatch(/^lcs: no --org given and no local server data/);
  const bad = await runLcs(['workspace', dir, '--org', 'xyz']);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/32-character hex organization id/);
});

test('lcs --version prints the package version', async () => {
  const run = await runLcs(['--version']);
  expect(run.code).toBe(0);
  expect(run.stdout.trim()).toBe(LCS_VERSION);
});
