import { join } from 'node:path';
import { algorithm, pythonProject } from '../support/backtests';
import { artifacts, axeSeriousViolations, buildConsole, type ConsolePage, describeBrowser, openBrowser, signIn } from '../support/browser';
import { type CliOptimization, type OptimizationBody, optimizeCalls, points, pollOptimization } from '../support/optimizations';
import { createTenant, type Tenant } from '../support/tenants';

/**
 * The console's optimization pages against an optimization run on the fake LEAN (whose Sharpe
 * ratio peaks at fast=15, slow=40; test/support/fake-lean/objective.mjs): the project's
 * Optimizations tab lists it, the detail page follows it while it runs and stops reading once it
 * has ended, and its results table and heat map hold what optimizations/read answers, the best
 * point marked in both.
 */
// Nine points are real runner processes; on a shared two-core machine that takes a few minutes.
jest.setTimeout(400_000);

const SHARPE = 15;

describeBrowser('web console: optimizations', () => {
  let tenant: Tenant;
  let projectId: number;
  let optimizationId: string;
  let opened: ConsolePage;
  let page: ConsolePage['page'];

  beforeAll(async () => {
    buildConsole();
    tenant = await createTenant('Console optimizations');
    const main = algorithm({ optimum: 'fast=15,slow=40', 'fail-when': 'fast=20,slow=50', seconds: 1, orders: 4, insights: 0 });
    const project = await pythonProject(tenant.cli, 'Console/Optimize', main);
    projectId = project.projectId;
    const request: CliOptimization = {
      ...project,
      name: 'Console grid',
      target: 'TotalPerformance.PortfolioStatistics.SharpeRatio',
      extremum: 'max',
      parameters: [
        { name: 'fast', min: 10, max: 20, step: 5 },
        { name: 'slow', min: 30, max: 50, step: 10 },
      ],
      nodeType: 'O2-8',
      parallelNodes: 3,
    };
    const created = await optimizeCalls.create(tenant.cli, request);
    expect(created.body.success).toBe(true);
    optimizationId = (created.body.optimizations as OptimizationBody[])[0]!.optimizationId;
    opened = await openBrowser();
    page = opened.page;
    await signIn(page, tenant.admin);
  }, 120_000);

  afterAll(async () => {
    await opened?.browser.close();
  });

  test('the project’s Optimizations tab lists it; the detail page follows it until it ends', async () => {
    await page.getByRole('link', { name: 'Console/Optimize' }).click();
    await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Optimizations' }).click();
    const row = page.locator('[data-testid=optimizations] tbody tr', { hasText: 'Console grid' });
    await row.waitFor();
    expect(await row.getByRole('link', { name: 'Console grid' }).getAttribute('href')).toBe(`#/projects/${projectId}/optimizations/${optimizationId}`);
    expect(await axeSeriousViolations(page)).toEqual([]);
    await row.getByRole('link', { name: 'Console grid' }).click();
    await page.getByTestId('optimization-status').waitFor();
    expect(await axeSeriousViolations(page)).toEqual([]);
    // The page polls optimizations/read until the status is final.
    await page.waitForFunction(
      () => /completed|aborted/.test(document.querySelector('[data-testid=optimization-status] strong')?.textContent ?? ''),
      undefined,
      {
        timeout: 360_000,
        polling: 500,
      },
    );
    const reads = () => opened.apiCalls.filter((u) => u.endsWith('/optimizations/read')).length;
    expect(reads()).toBeGreaterThan(1);
    const after = reads();
    await page.waitForTimeout(4500);
    expect(reads()).toBe(after);
    await expect(page.locator('label.progress').textContent()).resolves.toContain('9 of 9 points');
  });

  test('the results table and the heat map hold what optimizations/read answers; the best point is marked', async () => {
    const { final } = await pollOptimization(tenant.cli, optimizationId, { timeoutMs: 10_000 });
    expect(final.status).toBe('completed');
    const all = points(final);
    expect(all).toHaveLength(9);
    const best = all.find((p) => p.id === final.bestBacktestId)!;
    expect(best.parameterSet).toEqual({ fast: '15', slow: '40' });

    const cells = page.locator('[data-testid=heatmap] g.heat-cell');
    expect(await cells.count()).toBe(9);
    for (const p of all) {
      const cell = page.locator(`[data-testid=heatmap] g.heat-cell[data-x="${p.parameterSet.fast}"][data-y="${p.parameterSet.slow}"]`);
      expect(await cell.getAttribute('data-value')).toBe(p.exitCode === 0 ? String(p.statistics[SHARPE]) : '');
      const label = (await cell.getAttribute('aria-label')) ?? '';
      expect(label).toContain(`fast ${p.parameterSet.fast}, slow ${p.parameterSet.slow}: Sharpe Ratio`);
      expect(await cell.locator('title').textContent()).toBe(label);
      if (p.exitCode !== 0) expect(label).toContain('failed');
    }
    const bestCells = page.locator('[data-testid=heatmap] g.heat-cell[data-best=true]');
    expect(await bestCells.count()).toBe(1);
    expect(await bestCells.getAttribute('data-x')).toBe('15');
    expect(await bestCells.getAttribute('data-y')).toBe('40');
    await expect(bestCells.getAttribute('aria-label')).resolves.toMatch(/, best$/);

    const table = page.getByTestId('optimization-results');
    const rows = table.locator('tbody tr');
    expect(await rows.count()).toBe(9);
    expect(await table.locator('tbody tr[data-best=true]').getAttribute('data-id')).toBe(final.bestBacktestId);
    await expect(table.locator('tbody tr[data-best=true]').textContent()).resolves.toContain('★ Best');
    // Sorted by the target, best first; failed points last.
    expect(await rows.first().getAttribute('data-id')).toBe(final.bestBacktestId);
    const sharpeColumn = async () => (await table.locator('tbody tr td:nth-child(3)').allTextContents()).map((t) => (t === '–' ? Number.NaN : Number(t)));
    const descending = await sharpeColumn();
    expect(descending.slice(0, 8)).toEqual([...descending.slice(0, 8)].sort((a, b) => b - a));
    expect(descending[8]).toBeNaN();
    await table.getByRole('button', { name: 'Sharpe Ratio', exact: true }).click();
    await page.locator('[data-testid=optimization-results] th[aria-sort=ascending]').waitFor();
    const ascending = await sharpeColumn();
    expect(ascending.slice(0, 8)).toEqual([...descending.slice(0, 8)].reverse());
    // Sorting by a parameter.
    await table.getByRole('button', { name: 'fast', exact: true }).click();
    const fast = await table.locator('tbody tr td:nth-child(1)').allTextContents();
    expect(fast).toEqual([...fast].sort((a, b) => Number(b) - Number(a)));

    expect(await axeSeriousViolations(page)).toEqual([]);
    expect(opened.cspViolations).toEqual([]);
    await page.screenshot({ path: join(artifacts, 'console-optimization.png'), fullPage: true });
  });

  test('works at phone width in the dark scheme', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.reload();
    await page.getByTestId('heatmap').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
    expect(await axeSeriousViolations(page)).toEqual([]);
  });
});
