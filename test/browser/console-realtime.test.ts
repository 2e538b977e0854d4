import { join } from 'node:path';
import type { WebSocketRoute } from 'playwright-core';
import { algorithm, pythonProject } from '../support/backtests';
import { artifacts, axeSeriousViolations, buildConsole, type ConsolePage, consoleBase, describeBrowser, openBrowser, signIn } from '../support/browser';
import { createTenant, type Tenant } from '../support/tenants';

/**
 * Pushed updates in the web console (docs/realtime.md): a running backtest's progress arrives over
 * the console's socket (the real local /ws, the real runner, the fake LEAN), no polling happens
 * while the socket is live, and when the socket is killed the page says "stale" and polls
 * backtests/read instead, then goes live again once the socket reconnects. The socket is routed
 * through playwright (routeWebSocket), which forwards every frame to the server and records what
 * the server pushed, and can cut it as a lost network would.
 */
jest.setTimeout(120_000);

const readsOf = (calls: string[]) => calls.filter((u) => u.includes('/api/v2/backtests/read')).length;

describeBrowser('web console: real-time updates', () => {
  let tenant: Tenant;
  let opened: ConsolePage;
  let projectId: number;
  let backtestId: string;
  /** What the server pushed to the page, in order. */
  const pushed: Record<string, unknown>[] = [];
  const routed: WebSocketRoute[] = [];
  let blocked = false;

  beforeAll(async () => {
    buildConsole();
    tenant = await createTenant('Console realtime');
    const project = await pythonProject(tenant.cli, 'Console/Pushed', algorithm({ scenario: 'slow', seconds: 40 }));
    projectId = project.projectId;
    const created = await tenant.cli.createBacktest(projectId, project.compileId, 'Watched Blue Heron');
    backtestId = (created.body.backtest as { backtestId: string }).backtestId;
    opened = await openBrowser();
    await opened.page.routeWebSocket(/\/ws(\?|$)/, (ws) => {
      // A blocked socket closes at once, as a connection to an unreachable server would.
      if (blocked) {
        void ws.close({ code: 4000, reason: 'blocked by the test' });
        return;
      }
      routed.push(ws);
      const server = ws.connectToServer();
      ws.onMessage((m) => server.send(m));
      server.onMessage((m) => {
        pushed.push(JSON.parse(String(m)));
        ws.send(m);
      });
    });
    await signIn(opened.page, tenant.admin);
  }, 90_000);

  afterAll(async () => {
    await opened?.browser.close();
  });

  test("watch a running backtest's progress arrive over the socket, fall back to polling when it drops, then go live again", async () => {
    const { page, apiCalls, cspViolations } = opened;
    const csp = (await fetch(consoleBase())).headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`connect-src 'self' ws://${new URL(consoleBase()).host}`);

    // The project's backtest list: the running backtest's status cell is pushed, and the list says so.
    await page.goto(`${consoleBase()}#/projects/${projectId}`);
    await page.locator('[data-testid=updates][data-state=live]').waitFor({ timeout: 20_000 });
    await page.waitForFunction(
      () => /^(In Queue\.\.\.|Running: \d+%)$/.test(document.querySelector('[data-testid=running-status]')?.textContent ?? ''),
      undefined,
      {
        timeout: 20_000,
      },
    );
    const listReads = apiCalls.filter((u) => u.includes('/api/v2/backtests/list')).length;
    await page.waitForTimeout(2000);
    expect(apiCalls.filter((u) => u.includes('/api/v2/backtests/list')).length).toBe(listReads);

    await page.getByRole('link', { name: 'Watched Blue Heron' }).click();
    await page.locator('[data-testid=updates][data-state=live]').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('updates').textContent()).toMatch(/^Live/);

    // Progress arrives over the socket: the bar shows what the server pushed, and rises.
    const progress = page.getByTestId('progress');
    const seen: number[] = [];
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && new Set(seen.filter((p) => p > 0)).size < 2) {
      if ((await progress.getAttribute('data-source')) === 'socket') seen.push(Number(await progress.evaluate((e) => (e as HTMLProgressElement).value)));
      await page.waitForTimeout(250);
    }
    const rising = [...new Set(seen.filter((p) => p > 0))];
    expect(rising.length).toBeGreaterThanOrEqual(2);
    expect(rising).toEqual([...rising].sort((a, b) => a - b));
    const pushedProgress = pushed.filter((m) => m.type === 'backtest' && m.backtestId === backtestId).map((m) => m.progress);
    for (const p of rising) expect(pushedProgress).toContain(p);
    expect(await page.getByTestId('status').textContent()).toMatch(/Running: \d+%/);

    // While the socket is live nothing polls.
    const readsWhileLive = readsOf(apiCalls);
    await page.waitForTimeout(3000);
    expect(readsOf(apiCalls)).toBe(readsWhileLive);
    await page.screenshot({ path: join(artifacts, 'console-realtime-live.png'), fullPage: true });

    // Kill the socket (and every reconnect): the page says stale and polls backtests/read.
    blocked = true;
    for (const ws of routed) await ws.close({ code: 4001, reason: 'killed by the test' });
    await page.locator('[data-testid=updates][data-state=stale]').waitFor({ timeout: 5000 });
    expect(await page.getByTestId('updates').textContent()).toMatch(/^Stale: live updates are unavailable; re-reading every 2 s/);
    const readsAtDrop = readsOf(apiCalls);
    const pollDeadline = Date.now() + 15_000;
    while (readsOf(apiCalls) < readsAtDrop + 2 && Date.now() < pollDeadline) await page.waitForTimeout(250);
    expect(readsOf(apiCalls)).toBeGreaterThanOrEqual(readsAtDrop + 2);
    expect(await progress.getAttribute('data-source')).toBe('poll');
    expect(await page.getByTestId('updates').getAttribute('data-state')).toBe('stale');
    expect(await page.getByTestId('updates').textContent()).toMatch(/last read \d\d:\d\d:\d\d UTC/);
    await page.screenshot({ path: join(artifacts, 'console-realtime-stale.png'), fullPage: true });
    expect(await axeSeriousViolations(page)).toEqual([]);

    // The socket comes back (the console retries with back-off): live again, and polling stops.
    blocked = false;
    await page.locator('[data-testid=updates][data-state=live]').waitFor({ timeout: 40_000 });
    const readsBack = readsOf(apiCalls);
    await page.waitForTimeout(3000);
    expect(readsOf(apiCalls)).toBe(readsBack);

    // The final status is pushed too, and the page reads the finished backtest.
    await page.getByTestId('statistics').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('status').textContent()).toBe('Status: Completed.');
    expect(pushed.filter((m) => m.type === 'backtest' && m.backtestId === backtestId).at(-1)).toMatchObject({ final: true, status: 'Completed.' });
    expect(cspViolations).toEqual([]);
  });
});
