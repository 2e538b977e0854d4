import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { call } from '../support/api';
import { algorithm, pollBacktest, pythonProject } from '../support/backtests';
import { artifacts, axeSeriousViolations as axeOn, buildConsole, type ConsolePage, consoleBase, describeBrowser, openBrowser } from '../support/browser';
import { createTenant, type Tenant } from '../support/tenants';

/**
 * The web console (console/) in Debian's chromium, headless, against the real local server: it
 * signs in with the user's id and token (hashed in the browser), lists projects and backtests,
 * draws a finished backtest's equity chart from backtests/chart/read, pages through its orders,
 * passes axe-core, and forgets the token on sign-out. Screenshots go to test-artifacts/.
 */
jest.setTimeout(60_000);

const ORDERS = 60;
const CHART_POINTS = 5_000;

describeBrowser('web console', () => {
  let tenant: Tenant;
  let projectId: number;
  let backtestId: string;
  let opened: ConsolePage;
  let page: ConsolePage['page'];
  const base = consoleBase;
  let apiCalls: string[];
  let cspViolations: string[];

  beforeAll(async () => {
    buildConsole();
    tenant = await createTenant('Console');
    const project = await pythonProject(tenant.cli, 'Console/Momentum', algorithm({ seconds: 1, orders: ORDERS, 'chart-points': CHART_POINTS }));
    projectId = project.projectId;
    const created = await tenant.cli.createBacktest(projectId, project.compileId, 'Sleepy Green Heron');
    backtestId = created.body.backtest ? (created.body.backtest as { backtestId: string }).backtestId : (created.body.backtestId as string);
    await pollBacktest(tenant.cli, projectId, backtestId);
    opened = await openBrowser();
    ({ page, apiCalls, cspViolations } = opened);
  }, 90_000);

  afterAll(async () => {
    await opened?.browser.close();
  });

  const axeSeriousViolations = () => axeOn(page);

  test('is served at / with a strict Content-Security-Policy; the API and its 404 envelope are unchanged', async () => {
    const index = await fetch(base());
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = index.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await index.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(new URL(script!, base()));
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/^text\/javascript/);
    // The budget: the console's JavaScript is at most 200 KB gzipped (the production build).
    const gzipped = gzipSync(Buffer.from(await asset.arrayBuffer()), { level: 9 }).length;
    console.log(`web console: ${script} is ${gzipped} bytes gzipped`);
    expect(gzipped).toBeLessThanOrEqual(200 * 1024);
    // Nothing outside the build folder, and no other path, is served.
    for (const path of [
      'assets/..%2f..%2fpackage.json',
      'assets/%2e%2e/%2e%2e/package.json',
      'package.json',
      'console/src/main.tsx',
      'assets/%E0%A4%A.js',
      'assets/x%00.js',
    ]) {
      const outside = await fetch(`${base()}${path}`);
      expect(outside.status).toBe(404);
      expect(await outside.json()).toMatchObject({ success: false });
    }
    const posted = await call('', { path: base(), method: 'POST', rawBody: '' });
    expect(posted.status).toBe(404);
    expect(posted.body.success).toBe(false);
    const authenticated = await call('authenticate', { creds: tenant.admin });
    expect(authenticated.body.success).toBe(true);
  });

  test('signs in with the hashed token, lists projects and backtests, draws the equity chart and pages through orders', async () => {
    await page.goto(base());
    expect(await axeSeriousViolations()).toEqual([]);
    await page.getByLabel('User id').fill(String(tenant.admin.userId));
    await page.getByLabel('API token').fill(tenant.admin.token);
    const signedIn = Date.now();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Console/Momentum' }).waitFor();
    const signInMs = Date.now() - signedIn;
    expect(await axeSeriousViolations()).toEqual([]);
    // The token is kept for the tab only, and never travels: requests carry the timestamped hash.
    const stored = await page.evaluate(() => Object.values(sessionStorage).join('\n'));
    expect(stored).toContain(tenant.admin.token);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);

    await page.getByRole('link', { name: 'Console/Momentum' }).click();
    const row = page.locator('[data-testid=backtests] tbody tr', { hasText: 'Sleepy Green Heron' });
    await row.waitFor();
    expect(await row.locator('td').nth(1).textContent()).toBe('Completed.');
    expect(await axeSeriousViolations()).toEqual([]);

    const opened = Date.now();
    await row.getByRole('link', { name: 'Sleepy Green Heron' }).click();
    const chart = page.locator('[data-testid=equity-chart][data-points]');
    await chart.waitFor();
    const chartMs = Date.now() - opened;
    // What the chart holds is what the API serves for the same read.
    const read = await call('backtests/chart/read', { creds: tenant.admin, json: { projectId, backtestId, name: 'Strategy Equity', count: 500 } });
    const equity = (read.body.chart as { series: { Equity: { values: number[][] } } }).series.Equity.values;
    const times = [...new Set(equity.map((p) => p[0]))];
    expect(times.length).toBeGreaterThan(100);
    expect(Number(await chart.getAttribute('data-points'))).toBe(times.length);
    expect(Number(await chart.getAttribute('data-first'))).toBe(times[0]);
    expect(Number(await chart.getAttribute('data-last'))).toBe(times.at(-1));
    expect(await chart.locator('canvas').count()).toBeGreaterThan(0);
    const statistics = page.getByTestId('statistics');
    await expect(statistics.textContent()).resolves.toContain('Sharpe Ratio');
    await page.screenshot({ path: join(artifacts, 'console-backtest.png'), fullPage: true });
    console.log(
      `web console: signed in to the project list in ${signInMs} ms; equity chart of ${times.length} points drawn ${chartMs} ms after opening the backtest`,
    );

    // Zooming in reads the visible window again: more points than the coarse read, from more reads.
    const box = (await chart.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let i = 0; i < 6; i++) await page.mouse.wheel(0, -600);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=equity-chart]')?.getAttribute('data-reads')) > 1, undefined, {
      timeout: 10_000,
    });
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=equity-chart]')?.getAttribute('data-points')) > n, times.length, {
      timeout: 10_000,
    });

    console.log(`web console: zoomed in to ${await chart.getAttribute('data-points')} points in ${await chart.getAttribute('data-reads')} reads`);
    const orders = page.getByTestId('orders');
    await orders.waitFor();
    expect(await orders.getAttribute('data-total')).toBe(String(ORDERS));
    const firstIds = async () => Number(await orders.locator('tbody tr td').first().textContent());
    const previous = orders.getByRole('button', { name: 'Previous' });
    const next = orders.getByRole('button', { name: 'Next' });
    expect(await previous.isDisabled()).toBe(true);
    const first = await firstIds();
    expect(await orders.locator('tbody tr').count()).toBe(25);
    await next.click();
    await page.locator('[data-testid=orders][data-start="25"]').waitFor();
    expect(await firstIds()).toBe(first + 25);
    await next.click();
    await page.locator('[data-testid=orders][data-start="50"]').waitFor();
    expect(await orders.locator('tbody tr').count()).toBe(ORDERS - 50);
    expect(await next.isDisabled()).toBe(true);
    await expect(orders.textContent()).resolves.toContain(`51–${ORDERS} of ${ORDERS}`);
    await previous.click();
    await page.locator('[data-testid=orders][data-start="25"]').waitFor();
    expect(await axeSeriousViolations()).toEqual([]);
    expect(cspViolations).toEqual([]);
  });

  test('works at phone width and in the dark scheme', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.reload();
    await page.locator('[data-testid=equity-chart][data-points]').waitFor();
    // The page itself does not scroll sideways; wide tables scroll inside their own box.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).not.toBe('rgb(255, 255, 255)');
    expect(await axeSeriousViolations()).toEqual([]);
    await page.screenshot({ path: join(artifacts, 'console-backtest-phone-dark.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  test('sign-out forgets the token and stops calling the API', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    const before = apiCalls.length;
    // The chart page was open: nothing it started may call on after sign-out, nor after a reload.
    await page.waitForTimeout(1500);
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.waitForTimeout(500);
    expect(apiCalls.slice(before)).toEqual([]);
  });

  test('a wrong token is refused and nothing is stored', async () => {
    await page.getByLabel('User id').fill(String(tenant.admin.userId));
    await page.getByLabel('API token').fill('0'.repeat(64));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });
});
