import { readFileSync } from 'node:fs';
import { call } from '../support/api';
import { algorithm, pollBacktest, pythonProject } from '../support/backtests';
import { axeSeriousViolations, buildConsole, type ConsolePage, consoleBase, describeBrowser, openBrowser, signIn } from '../support/browser';
import { createTenant, type Tenant } from '../support/tenants';

/**
 * The backtest page's extras against a backtest run on the fake LEAN: the benchmark beside the
 * equity, the drawdown chart (LEAN's own `Drawdown` chart), insights a page at a time, and the
 * report offered as an HTML download (the console's CSP forbids frames), each equal to what the
 * API serves.
 */
jest.setTimeout(90_000);

const INSIGHTS = 30;

describeBrowser('web console: backtest drawdown, benchmark, insights and report', () => {
  let tenant: Tenant;
  let projectId: number;
  let backtestId: string;
  let opened: ConsolePage;
  let page: ConsolePage['page'];
  const chartTimes = async (name: string, series: string) => {
    const read = await call('backtests/chart/read', { creds: tenant.admin, json: { projectId, backtestId, name, count: 500 } });
    const values = (read.body.chart as { series: Record<string, { values: number[][] }> }).series[series]!.values;
    return [...new Set(values.filter((p) => typeof p[1] === 'number' || p.length >= 5).map((p) => p[0]))];
  };

  beforeAll(async () => {
    buildConsole();
    tenant = await createTenant('Console extras');
    const project = await pythonProject(tenant.cli, 'Console/Extras', algorithm({ seconds: 1, orders: 6, insights: INSIGHTS, 'chart-points': 800 }));
    projectId = project.projectId;
    const created = await tenant.cli.createBacktest(projectId, project.compileId, 'Curious Amber Fox');
    backtestId = (created.body.backtest as { backtestId: string }).backtestId;
    await pollBacktest(tenant.cli, projectId, backtestId);
    opened = await openBrowser();
    page = opened.page;
    await signIn(page, tenant.admin);
  }, 90_000);

  afterAll(async () => {
    await opened?.browser.close();
  });

  test('the benchmark and the drawdown are drawn from the stored charts', async () => {
    await page.goto(`${consoleBase()}#/projects/${projectId}/backtests/${backtestId}`);
    const equity = page.locator('[data-testid=equity-chart][data-points]');
    const drawdown = page.locator('[data-testid=drawdown-chart][data-points]');
    await equity.waitFor();
    await drawdown.waitFor();
    const benchmark = await chartTimes('Benchmark', 'Benchmark');
    expect(benchmark.length).toBeGreaterThan(10);
    expect(await equity.getAttribute('data-other-points')).toBe(String(benchmark.length));
    expect(await equity.getAttribute('aria-label')).toBe('Equity and Benchmark');
    const drawdownTimes = await chartTimes('Drawdown', 'Equity Drawdown');
    expect(drawdownTimes.length).toBeGreaterThan(10);
    expect(Number(await drawdown.getAttribute('data-points'))).toBe(drawdownTimes.length);
    expect(Number(await drawdown.getAttribute('data-first'))).toBe(drawdownTimes[0]);
    expect(Number(await drawdown.getAttribute('data-last'))).toBe(drawdownTimes.at(-1));
  });

  test('insights are paged as backtests/insights/read serves them', async () => {
    const insights = page.getByTestId('insights');
    await insights.waitFor();
    expect(await insights.getAttribute('data-total')).toBe(String(INSIGHTS));
    expect(await insights.locator('tbody tr').count()).toBe(25);
    await insights.getByRole('button', { name: 'Next' }).click();
    await page.locator('[data-testid=insights][data-start="25"]').waitFor();
    expect(await insights.locator('tbody tr').count()).toBe(INSIGHTS - 25);
    const served = await call('backtests/insights/read', { json: { projectId, backtestId, start: 25, end: 50 }, creds: tenant.admin });
    const first = (served.body.insights as { direction: string }[])[0]!;
    expect(await insights.locator('tbody tr').first().locator('td').nth(3).textContent()).toBe(first.direction);
  });

  test("the log is read 200 lines at a time, and its filter is the server's", async () => {
    const log = page.getByTestId('backtest-log');
    const served = await call('backtests/read/log', { json: { projectId, backtestId, start: 0, end: 200, query: '' }, creds: tenant.admin });
    expect(served.body.success).toBe(true);
    const total = served.body.length as number;
    expect(total).toBeGreaterThan(0);
    await page.locator(`[data-testid=backtest-log][data-total="${total}"]`).waitFor();
    expect(await log.locator('pre').textContent()).toBe((served.body.logs as string[]).join('\n'));
    // Filtering asks the server (its query is case-insensitive) and shows what it answers: a word some lines hold.
    const lines = served.body.logs as string[];
    const word = [...new Set(lines.join(' ').match(/[A-Za-z]{4,}/g) ?? [])]
      .map((w) => w.toUpperCase())
      .find((w) => {
        const holding = lines.filter((l) => l.toUpperCase().includes(w)).length;
        return holding > 0 && holding < lines.length;
      });
    expect(word).toBeDefined();
    const filtered = await call('backtests/read/log', { json: { projectId, backtestId, start: 0, end: 200, query: word!.toLowerCase() }, creds: tenant.admin });
    expect(filtered.body.length).toBeGreaterThan(0);
    expect(filtered.body.length).toBeLessThan(total);
    await log.getByLabel('Lines containing').fill(word!.toLowerCase());
    await log.getByRole('button', { name: 'Filter' }).click();
    await page.locator(`[data-testid=backtest-log][data-query="${word!.toLowerCase()}"][data-total="${filtered.body.length}"]`).waitFor();
    const shown = (await log.locator('pre').textContent()) ?? '';
    expect(shown).toBe((filtered.body.logs as string[]).join('\n'));
    expect(shown.split('\n').every((l) => l.toUpperCase().includes(word!))).toBe(true);
    expect(await axeSeriousViolations(page)).toEqual([]);
  });

  test('the report is offered as a download of the HTML the API serves', async () => {
    const report = page.getByTestId('report');
    await report.getByRole('button', { name: 'Prepare the report' }).click();
    const link = report.getByRole('link', { name: /Download the report/ });
    await link.waitFor();
    expect(await link.getAttribute('download')).toBe('Curious-Amber-Fox-report.html');
    const served = await call('backtests/read/report', { json: { projectId, backtestId }, creds: tenant.admin });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('Curious-Amber-Fox-report.html');
    const html = readFileSync(await download.path(), 'utf8');
    expect(html).toBe(served.body.report);
    expect(html).toMatch(/<html[\s\S]*Curious Amber Fox/i);
    expect(await page.locator('iframe').count()).toBe(0);
    expect(await axeSeriousViolations(page)).toEqual([]);
    expect(opened.cspViolations).toEqual([]);
  });
});
