import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { call } from '../support/api';
import { artifacts, axeSeriousViolations, buildConsole, type ConsolePage, consoleBase, describeBrowser, openBrowser, signIn } from '../support/browser';
import { addUser, createTenant, type Tenant, type TestUser } from '../support/tenants';

/**
 * The console's non-trading pages in chromium against the real local server: a project's files
 * (highlighted, the content exactly what files/read answers), the object store (listing equal to
 * object/list, properties, a download through object/get's job, delete after a confirmation), and
 * the admin pages (an API key whose secret is shown once, revoked; a member's role changed; the
 * audit log showing it all and narrowed by a filter). A non-admin sees no Admin link and the admin
 * endpoints refuse them. Every page passes axe-core (no serious or critical violation).
 */
jest.setTimeout(60_000);

const MAIN_PY = [
  '# A tiny algorithm for the files page',
  'from AlgorithmImports import *',
  '',
  '',
  '@dataclass',
  'class Tiny(QCAlgorithm):',
  '    def initialize(self):',
  '        self.set_cash(100_000)  # start with cash',
  '        self.name = "tiny \\"quoted\\""',
  "        doc = '''two",
  "lines'''",
  '        return None',
  '',
].join('\n');

describeBrowser('web console: files, object store and admin pages', () => {
  let tenant: Tenant;
  let member: TestUser;
  let worker: TestUser;
  let projectId: number;
  let opened: ConsolePage;
  let page: ConsolePage['page'];
  const admin = (endpoint: string, json: Record<string, unknown> = {}) =>
    call(endpoint, { creds: tenant.admin, json: { organizationId: tenant.orgId, ...json } }).then((a) => a.body);
  const axe = () => axeSeriousViolations(page);

  beforeAll(async () => {
    buildConsole();
    tenant = await createTenant('Console admin');
    [member, worker] = await Promise.all([addUser(tenant.orgId, 'member'), addUser(tenant.orgId, 'member')]);
    const created = await tenant.cli.createProject('Console/Files');
    projectId = (created.body.projects as { projectId: number }[])[0]!.projectId;
    const pushed = await tenant.cli.push(projectId, {
      name: 'Console/Files',
      files: [
        { name: 'main.py', content: MAIN_PY },
        { name: 'notes/readme.md', content: '# notes\n' },
      ],
    });
    expect(pushed.body.success).toBe(true);
    for (const [key, value] of [
      ['models/weights.txt', 'w1=0.5\nw2=0.25\n'],
      ['models/more/deep.txt', 'deep\n'],
      ['readme.txt', 'hello object store\n'],
      ['remove-me.txt', 'bye\n'],
    ])
      expect((await admin('object/set', { key, objectData: value })).success).toBe(true);
    opened = await openBrowser();
    page = opened.page;
    await signIn(page, tenant.admin);
  }, 90_000);

  afterAll(async () => {
    await opened?.browser.close();
  });

  test('the header shows Projects, Objects and, for an admin, Admin', async () => {
    const sections = page.getByRole('navigation', { name: 'Sections' });
    await sections.getByRole('link', { name: 'Admin' }).waitFor();
    expect(await sections.getByRole('link').allTextContents()).toEqual(['Projects', 'Objects', 'Admin']);
  });

  test("a project's file is shown highlighted, its text exactly what files/read answers", async () => {
    await page.getByRole('link', { name: 'Console/Files', exact: true }).click();
    await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Files' }).click();
    const code = page.getByTestId('file-content');
    await code.waitFor();
    const read = await call('files/read', { creds: tenant.admin, json: { projectId, name: 'main.py' } });
    const content = (read.body.files as { name: string; content: string }[])[0]!.content;
    expect(content).toBe(MAIN_PY);
    expect(await code.getAttribute('data-language')).toBe('python');
    expect(await code.textContent()).toBe(content);
    const texts = async (cls: string) => code.locator(`.${cls}`).allTextContents();
    expect(await texts('tok-keyword')).toEqual(expect.arrayContaining(['from', 'import', 'class', 'def', 'self', 'return', 'None']));
    expect(await texts('tok-comment')).toEqual(['# A tiny algorithm for the files page', '# start with cash']);
    expect(await texts('tok-string')).toEqual(['"tiny \\"quoted\\""', "'''two\nlines'''"]);
    expect(await texts('tok-number')).toEqual(['100_000']);
    expect(await texts('tok-decorator')).toEqual(['@dataclass']);
    // Highlighting is classes only: nothing inline for the Content-Security-Policy to refuse.
    expect(await code.locator('[style]').count()).toBe(0);
    expect(await page.getByTestId('file-list').getByRole('link').allTextContents()).toEqual(['main.py', 'notes/readme.md']);
    await page.getByRole('link', { name: 'notes/readme.md' }).click();
    await page.locator('[data-testid=file-content][data-language=plain]').waitFor();
    expect(await code.textContent()).toBe('# notes\n');
    expect(await axe()).toEqual([]);
    await page.screenshot({ path: join(artifacts, 'console-files.png'), fullPage: true });
  });

  test('the object store lists what object/list answers, shows properties, downloads and deletes after confirming', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Objects' }).click();
    const rows = page.locator('[data-testid=objects] tbody tr');
    const keysShown = () => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-key')));
    await rows.first().waitFor();
    const root = await admin('object/list', { path: '/' });
    expect(await keysShown()).toEqual((root.objects as { key: string }[]).map((o) => o.key));
    expect(await keysShown()).toEqual(['models', 'readme.txt', 'remove-me.txt']);
    expect(await axe()).toEqual([]);

    await page.getByRole('link', { name: 'models/' }).click();
    await page.locator('[data-testid=objects] tr[data-key="models/weights.txt"]').waitFor();
    const models = await admin('object/list', { path: 'models' });
    expect(await keysShown()).toEqual((models.objects as { key: string }[]).map((o) => o.key));

    await page.getByRole('button', { name: 'weights.txt', exact: true }).click();
    const properties = page.getByTestId('object-properties');
    await properties.getByTestId('object-preview').waitFor();
    const metadata = (await admin('object/properties', { key: 'models/weights.txt' })).metadata as { md5: string; preview: string };
    await expect(properties.textContent()).resolves.toContain(metadata.md5);
    expect(await properties.getByTestId('object-preview').textContent()).toBe(metadata.preview);
    expect(await axe()).toEqual([]);

    await properties.getByRole('button', { name: 'Prepare download' }).click();
    const link = properties.getByRole('link', { name: 'Download weights.txt.zip' });
    await link.waitFor({ timeout: 30_000 });
    const zip = await fetch(new URL((await link.getAttribute('href'))!, consoleBase()));
    expect(zip.status).toBe(200);
    const files = unzipSync(new Uint8Array(await zip.arrayBuffer()));
    expect(Object.keys(files)).toEqual(['models/weights.txt']);
    expect(Buffer.from(files['models/weights.txt']!).toString()).toBe('w1=0.5\nw2=0.25\n');

    // Delete: nothing happens until the dialog is confirmed; Cancel keeps the object.
    await page.getByRole('link', { name: 'Object store' }).click();
    await page.locator('[data-testid=objects] tr[data-key="remove-me.txt"]').waitFor();
    await page.getByRole('button', { name: 'Delete remove-me.txt' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete object?' });
    await dialog.waitFor();
    expect(await axe()).toEqual([]);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await admin('object/properties', { key: 'remove-me.txt' })).success).toBe(true);
    await page.getByRole('button', { name: 'Delete remove-me.txt' }).click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await page.locator('[data-testid=objects] tr[data-key="remove-me.txt"]').waitFor({ state: 'detached' });
    expect(((await admin('object/list', { path: '/' })).objects as { key: string }[]).map((o) => o.key)).toEqual(['models', 'readme.txt']);
    await page.screenshot({ path: join(artifacts, 'console-objects.png'), fullPage: true });
  });

  let keyId: string;

  test('an admin creates an API key whose secret is shown once, and revokes it; authenticate then fails', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('Name').fill('console key');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByTestId('new-key-secret').waitFor();
    keyId = (await page.getByTestId('new-key-id').textContent())!;
    const secret = (await page.getByTestId('new-key-secret').textContent())!;
    const headers = { 'X-API-Key': keyId, 'X-API-Secret': secret };
    expect((await call('authenticate', { headers })).body.success).toBe(true);
    const row = page.locator(`[data-testid=keys] tr[data-key="${keyId}"]`);
    await row.waitFor();
    expect(await axe()).toEqual([]);
    await page.screenshot({ path: join(artifacts, 'console-admin-keys.png'), fullPage: true });

    // Never again: not after a reload, not in the list, not stored by the page.
    await page.reload();
    await row.waitFor();
    expect(await page.getByTestId('new-key').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
    expect(await page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }))).not.toContain(secret);

    await row.getByRole('button', { name: /^Revoke console key/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke API key?' });
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await row.getByText(/^revoked /).waitFor();
    const refused = await call('authenticate', { headers });
    expect(refused.body.success).toBe(false);
  });

  test("an admin changes a member's role", async () => {
    await page.getByRole('link', { name: 'Members' }).click();
    const select = page.locator(`[data-testid=members] tr[data-user="${member.userId}"] select`);
    await select.waitFor();
    expect(await select.inputValue()).toBe('member');
    await select.selectOption('viewer');
    await page
      .getByRole('status')
      .getByText(/is now viewer/)
      .waitFor();
    const members = (await admin('admin/members/list')).members as { userId: number; role: string }[];
    expect(members.find((m) => m.userId === member.userId)?.role).toBe('viewer');
    expect(await axe()).toEqual([]);
  });

  test('the audit log shows those actions, and a filter narrows it', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    const rows = page.locator('[data-testid=audit] tbody tr');
    await rows.first().waitFor();
    const actions = await rows.evaluateAll((trs) => trs.map((tr) => tr.children[2]?.textContent));
    expect(actions.slice(0, 3)).toEqual(['admin/members/update', 'admin/keys/delete', 'admin/keys/create']);
    expect(actions).toEqual(expect.arrayContaining(['object/delete', 'object/set', 'projects/create']));
    const all = await rows.count();
    expect(await axe()).toEqual([]);

    await page.getByLabel('Resource').fill(`key/${keyId}`);
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=audit] tbody tr').length === 2);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.children[2]?.textContent))).toEqual(['admin/keys/delete', 'admin/keys/create']);

    await page.getByLabel('Resource').fill('');
    await page.getByLabel('Action').fill('object/set');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=audit] tbody tr').length === 4);
    const filtered = (await admin('admin/audit/read', { action: 'object/set' })).events as unknown[];
    expect(filtered).toHaveLength(4);
    expect(await rows.count()).toBeLessThan(all);
    await page.screenshot({ path: join(artifacts, 'console-admin-audit.png'), fullPage: true });
  });

  test('admin pages work at phone width in the dark scheme', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: 'dark' });
    for (const hash of ['#/admin/members', '#/admin/keys', '#/admin/audit', '#/objects', `#/projects/${projectId}/files`]) {
      await page.goto(`${consoleBase()}${hash}`);
      await page.locator('table, [data-testid=file-content]').first().waitFor();
      const wide = await page.evaluate(() =>
        [...document.querySelectorAll('body *')]
          .filter((e) => e.getBoundingClientRect().right > innerWidth + 1 && !e.closest('.table-wrap, .code'))
          .map((e) => `${e.tagName}.${e.className}`),
      );
      expect([hash, wide]).toEqual([hash, []]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
      expect(await axe()).toEqual([]);
    }
    await page.screenshot({ path: join(artifacts, 'console-admin-phone-dark.png'), fullPage: true });
    expect(opened.cspViolations).toEqual([]);
  });

  test('a non-admin member sees no Admin link, and the admin endpoints refuse them', async () => {
    const other = await openBrowser();
    try {
      await signIn(other.page, worker);
      const sections = other.page.getByRole('navigation', { name: 'Sections' });
      await sections.getByRole('link', { name: 'Objects' }).waitFor();
      // The organization (and so the admin check) has been read once Objects lists.
      await sections.getByRole('link', { name: 'Objects' }).click();
      await other.page.locator('[data-testid=objects] tbody tr').first().waitFor();
      expect(await sections.getByRole('link').allTextContents()).toEqual(['Projects', 'Objects']);
      await other.page.goto(`${consoleBase()}#/admin/keys`);
      await other.page.getByRole('alert').filter({ hasText: 'admin role' }).waitFor();
      expect(await axeSeriousViolations(other.page)).toEqual([]);
      for (const endpoint of ['admin/members/list', 'admin/members/update', 'admin/keys/list', 'admin/keys/create', 'admin/audit/read']) {
        const refused = await call(endpoint, { creds: worker, json: { organizationId: tenant.orgId, userId: worker.userId, role: 'admin', name: 'mine' } });
        expect(refused.body.success).toBe(false);
        expect(refused.body.errors?.join()).toMatch(/admin role/);
      }
    } finally {
      await other.browser.close();
    }
  });
});
