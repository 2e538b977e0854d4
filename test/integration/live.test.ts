import { call } from '../support/api';
import { algorithm, pythonProject } from '../support/backtests';
import { deploy, type LiveRead, liveNode, readLive, waitFor, waitForLive } from '../support/live';
import { createTenant, type Tenant } from '../support/tenants';

/**
 * Live trading end to end in local mode, speaking like lean-cli and LEAN: deploy on the paper
 * brokerage, read until Running, read what the runner published, command, stop. LEAN is the fake
 * LEAN's live mode; the runner, the supervisor and the stores are the real ones.
 */
jest.setTimeout(120_000);

let tenant: Tenant;

beforeAll(async () => {
  tenant = await createTenant('live e2e');
});

const liveAlgorithm = (markers: Record<string, string | number> = {}) => algorithm({ 'live-interval-ms': 150, 'live-hours-per-tick': 6, ...markers });

describe('lean cloud live deploy → status → stop', () => {
  let projectId: number;
  let compileId: string;
  let deployId: string;
  let running: LiveRead;

  beforeAll(async () => {
    ({ projectId, compileId } = await pythonProject(tenant.cli, 'Live/Paper', liveAlgorithm()));
  });

  test('a project never deployed answers as lean-cli expects ("No live deployment found")', async () => {
    const read = await readLive(tenant.cli, projectId);
    expect(read.body.success).toBe(false);
    expect(read.body.errors?.[0]).toMatch(/No live deployment found/);
    // LEAN's converter reads the twelve keys even on failure, and the errors from the last property.
    const keys = Object.keys(read.body);
    expect(keys.at(-1)).toBe('errors');
    for (const key of ['message', 'status', 'deployId', 'cloneId', 'launched', 'stopped', 'brokerage', 'securityTypes', 'projectName', 'datacenter', 'public', 'success']) {
      expect(keys).toContain(key);
    }
  });

  test('deploys on paper trading and reaches Running; the live node is busy', async () => {
    const node = await liveNode(tenant.cli);
    expect(node.busy).toBe(false);
    const created = await deploy(tenant.cli, projectId, compileId, node.id);
    expect(created.body).toMatchObject({ success: true, projectId });
    deployId = created.body.deployId as string;
    expect(deployId).toMatch(/^L-[0-9a-f]{32}$/);
    running = await waitForLive(tenant.cli, projectId, (l) => l.status === 'Running');
    expect(running).toMatchObject({ deployId, brokerage: 'QuantConnectBrokerage', stopped: null, cloneId: 0, public: false });
    expect(running.launched).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    const busy = await liveNode(tenant.cli);
    expect(busy).toMatchObject({ busy: true, usedBy: `live ${deployId}` });
  });

  test('a second deploy of the running project is refused', async () => {
    const node = await liveNode(tenant.cli);
    const again = await deploy(tenant.cli, projectId, compileId, node.id);
    expect(again.body.success).toBe(false);
    expect(again.body.errors?.join(' ')).toMatch(/busy|already/i);
  });

  test('portfolio, orders across days, insights, logs and charts are published', async () => {
    await waitFor('orders over more than one day', async () => {
      const orders = await call('live/orders/read', { json: { projectId, start: 0, end: 1000 }, creds: tenant.admin });
      const list = (orders.body.orders ?? []) as { lastFillTime: string }[];
      return new Set(list.map((o) => o.lastFillTime.slice(0, 10))).size >= 3;
    });
    const orders = await call('live/orders/read', { json: { projectId, start: 0, end: 1000 }, creds: tenant.admin });
    const list = orders.body.orders as { id: number; events: { status: string }[] }[];
    expect(orders.body.length).toBe(list.length);
    expect(list.map((o) => o.id)).toEqual([...list.map((o) => o.id)].sort((a, b) => a - b));
    for (const o of list) expect(o.events.map((e) => e.status)).toEqual(['submitted', 'filled']);

    const portfolio = await call('live/portfolio/read', { method: 'GET', query: { projectId }, creds: tenant.admin });
    const p = portfolio.body.portfolio as { holdings: Record<string, Record<string, number>>; cash: Record<string, Record<string, unknown>> };
    expect(p.cash.USD).toMatchObject({ symbol: 'USD', currencySymbol: '$' });
    expect(p.holdings['SPY R735QTJ8XC9X']).toMatchObject({ q: expect.any(Number), a: expect.any(Number), p: expect.any(Number) });

    const insights = await call('live/insights/read', { json: { projectId, start: 0, end: 100 }, creds: tenant.admin });
    expect(insights.body.success).toBe(true);
    expect((insights.body.insights as unknown[]).length).toBeGreaterThan(0);

    const chart = await call('live/chart/read', { json: { projectId, name: 'Strategy Equity', count: 10 }, creds: tenant.admin });
    const equity = (chart.body.chart as { series: Record<string, { values: unknown[] }> }).series.Equity!;
    expect(equity.values.length).toBeGreaterThan(1);
    expect(equity.values.length).toBeLessThanOrEqual(10);

    const logs = await call('live/logs/read', { json: { format: 'json', projectId, algorithmId: deployId, startLine: 0, endLine: 250 }, creds: tenant.admin });
    expect(logs.body).toMatchObject({ success: true, deploymentOffset: 0 });
    expect((logs.body.logs as string[]).some((l) => l.includes('Debug: update'))).toBe(true);
  });

  test('a command is delivered to LEAN and acknowledged', async () => {
    const sent = await call('live/commands/create', { json: { projectId, command: { $type: '', ticker: 'SPY', text: 'hello' } }, creds: tenant.admin });
    expect(sent.body).toMatchObject({ success: true });
    await waitFor('the acknowledgement in the log', async () => {
      const logs = await call('live/logs/read', { json: { format: 'json', projectId, algorithmId: deployId, startLine: 0, endLine: 250 }, creds: tenant.admin });
      const length = logs.body.length as number;
      const tail = await call('live/logs/read', { json: { format: 'json', projectId, algorithmId: deployId, startLine: Math.max(0, length - 250), endLine: length }, creds: tenant.admin });
      return (tail.body.logs as string[]).some((l) => /acknowledged by LEAN: success/.test(l));
    });
  });

  test('stop: LEAN stops, the deployment reads Stopped and the node is free', async () => {
    const stopped = await call('live/update/stop', { json: { projectId }, creds: tenant.admin });
    expect(stopped.body).toEqual({ success: true });
    const read = await waitForLive(tenant.cli, projectId, (l) => l.status === 'Stopped');
    expect(read.stopped).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect((await liveNode(tenant.cli)).busy).toBe(false);
  });
});
