import { join } from 'node:path';
import { call } from '../support/api';
import { algorithm, pythonProject } from '../support/backtests';
import { artifacts, axeSeriousViolations, buildConsole, type ConsolePage, consoleBase, describeBrowser, openBrowser, signIn } from '../support/browser';
import { deploy, liveNode, readLive, waitForLive } from '../support/live';
import { addUser, createTenant, type Tenant, type TestUser } from '../support/tenants';

/**
 * The console's live page against paper trading on the fake LEAN (its live mode; the runner,
 * supervisor and stores are the real ones): status Running, equity, a fill in the orders table,
 * holdings, the log tail, a command acknowledged, then Stop from the console through its
 * confirmation dialog. A viewer collaborator sees the same page without Stop, Liquidate or the
 * command box, and the API refuses the stop with the viewer's credentials.
 */
jest.setTimeout(120_000);

describeBrowser('web console: live trading', () => {
  let tenant: Tenant;
  let viewer: TestUser;
  let projectId: number;
  let opened: ConsolePage;
  let page: ConsolePage['page'];
  const status = () => page.getByTestId('live-status').getAttribute('data-status');

  beforeAll(async () => {
    buildConsole();
    tenant = await createTenant('Console live');
    const project = await pythonProject(tenant.cli, 'Console/Live', algorithm({ 'live-interval-ms': 150, 'live-hours-per-tick': 6 }));
    projectId = project.projectId;
    viewer = await addUser(tenant.orgId, 'viewer');
    // A viewer sees a project only as its collaborator; read permission, no live control.
    const shared = await call('projects/collaboration/create', {
      json: { projectId, collaboratorUserId: String(viewer.userId), collaborationLiveControl: false, collaborationWrite: false },
      creds: tenant.admin,
    });
    expect(shared.body.success).toBe(true);
    const node = await liveNode(tenant.cli);
    const created = await deploy(tenant.cli, projectId, project.compileId, node.id);
    expect(created.body.success).toBe(true);
    await waitForLive(tenant.cli, projectId, (l) => l.status === 'Running');
    opened = await openBrowser();
    page = opened.page;
    await signIn(page, tenant.admin);
  }, 90_000);

  afterAll(async () => {
    // Never leave a runner behind if a test failed before stopping it.
    if ((await readLive(tenant.cli, projectId)).body.status === 'Running') await call('live/update/stop', { json: { projectId }, creds: tenant.admin });
    await opened?.browser.close();
  });

  test('shows the running deployment: status, equity, a fill, holdings, cash and the log tail, updated while it runs', async () => {
    await page.getByRole('link', { name: 'Console/Live' }).click();
    await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Live' }).click();
    await page.locator('[data-testid=live-status][data-status=Running]').waitFor();
    await page.locator('[data-testid=orders] tbody tr', { hasText: 'Filled' }).first().waitFor({ timeout: 30_000 });
    await page.locator('[data-testid=holdings] tbody tr', { hasText: 'SPY' }).waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('cash').textContent()).resolves.toContain('USD');
    await page.getByTestId('live-logs').filter({ hasText: 'Debug: update' }).waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=equity-chart]')?.getAttribute('data-points')) > 1, undefined, {
      timeout: 30_000,
    });
    // What the table shows is what the API serves.
    const orders = await call('live/orders/read', { json: { projectId, start: 0, end: 25 }, creds: tenant.admin });
    const firstId = (orders.body.orders as { id: number }[])[0]?.id;
    expect(await page.locator('[data-testid=orders] tbody tr td').first().textContent()).toBe(String(firstId));
    // Changes are pushed over the socket (docs/realtime.md), each one re-reading the page, and the page says so.
    await page.locator('[data-testid=updates][data-state=live]').waitFor({ timeout: 15_000 });
    await expect(page.getByTestId('live-updated').textContent()).resolves.toContain('Updated as changes are pushed');
    const updated = await page.getByTestId('live-updated').textContent();
    expect(updated).toMatch(/last update \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    await page.waitForFunction((before) => document.querySelector('[data-testid=live-updated]')?.textContent !== before, updated, { timeout: 15_000 });
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=equity-chart]')?.getAttribute('data-reads')) > 1, undefined, {
      timeout: 15_000,
    });
    expect(await axeSeriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(artifacts, 'console-live.png'), fullPage: true });
  });

  test('a command typed in the console reaches LEAN, which acknowledges it in the log', async () => {
    await page.getByLabel('Command (a JSON object)').fill('{"text": "from the console"}');
    await page.getByRole('button', { name: 'Send command' }).click();
    await page.getByRole('status').filter({ hasText: 'Command sent' }).waitFor();
    await page.getByTestId('live-logs').filter({ hasText: 'from the console' }).waitFor({ timeout: 30_000 });
    await page.getByLabel('Command (a JSON object)').fill('[1, 2]');
    await page.getByRole('button', { name: 'Send command' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'must be a JSON object' }).textContent()).resolves.toBeTruthy();
  });

  test('a viewer sees the deployment without Stop, Liquidate or commands, and the API refuses the viewer’s stop', async () => {
    const context = await opened.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const viewerPage = await context.newPage();
    await signIn(viewerPage, viewer);
    await viewerPage.goto(`${consoleBase()}#/projects/${projectId}/live`);
    await viewerPage.locator('[data-testid=live-status][data-status=Running]').waitFor();
    await viewerPage.locator('[data-testid=orders] tbody tr').first().waitFor();
    // The page has the viewer's permissions (projects/collaboration/read) before it is checked.
    await viewerPage.locator('[data-testid=live][data-permissions=read]').waitFor();
    expect(await page.locator('[data-testid=live]').getAttribute('data-permissions')).toBe('write');
    expect(await viewerPage.getByRole('button', { name: 'Stop' }).count()).toBe(0);
    expect(await viewerPage.getByRole('button', { name: 'Liquidate' }).count()).toBe(0);
    expect(await viewerPage.getByRole('button', { name: 'Send command' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Stop', exact: true }).count()).toBe(1);
    expect(await axeSeriousViolations(viewerPage)).toEqual([]);
    await context.close();

    for (const endpoint of ['live/update/stop', 'live/update/liquidate', 'live/commands/create']) {
      const refused = await call(endpoint, { json: { projectId, command: { text: 'x' } }, creds: viewer });
      expect({ endpoint, success: refused.body.success }).toEqual({ endpoint, success: false });
      expect(refused.body.errors?.[0]).toMatch(/viewer/);
    }
    expect((await readLive(tenant.cli, projectId)).body.status).toBe('Running');
  });

  test('Stop asks for confirmation in a dialog, then stops the algorithm; the page shows Stopped and stops polling', async () => {
    const stop = page.getByRole('button', { name: 'Stop', exact: true });
    await stop.click();
    const dialog = page.getByRole('dialog', { name: 'Stop the algorithm?' });
    await dialog.waitFor();
    expect(await axeSeriousViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await status()).toBe('Running');
    expect((await readLive(tenant.cli, projectId)).body.status).toBe('Running');

    await stop.click();
    await dialog.getByRole('button', { name: 'Stop the algorithm' }).click();
    await page.locator('[data-testid=live-status][data-status=Stopped]').waitFor({ timeout: 30_000 });
    expect((await readLive(tenant.cli, projectId)).body.status).toBe('Stopped');
    expect(await page.getByRole('button', { name: 'Stop', exact: true }).count()).toBe(0);
    const reads = () => opened.apiCalls.filter((u) => u.endsWith('/live/read')).length;
    const after = reads();
    await page.waitForTimeout(4000);
    expect(reads()).toBe(after);
    expect(opened.cspViolations).toEqual([]);
  });

  test('works at phone width in the dark scheme', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.reload();
    await page.locator('[data-testid=live-status][data-status=Stopped]').waitFor();
    await page.locator('[data-testid=orders] tbody tr').first().waitFor();
    // The page itself does not scroll sideways; tables and the log scroll inside their own box.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
    expect(await axeSeriousViolations(page)).toEqual([]);
  });
});
