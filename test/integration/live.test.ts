import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../../core/data/table/clients';
import { type Answer, call } from '../support/api';
import { algorithm, pythonProject } from '../support/backtests';
import { deploy, type LiveRead, liveNode, readLive, waitFor, waitForLive } from '../support/live';
import { addUser, createTenant, type Tenant } from '../support/tenants';

/**
 * Live trading end to end in local mode, speaking like lean-cli and LEAN: deploy on the paper
 * brokerage, read until Running, read what the runner published, command, stop. LEAN is the fake
 * LEAN's live mode; the runner, the supervisor and the stores are the real ones.
 */
jest.setTimeout(120_000);

let tenant: Tenant;
let projectId: number;
/** Every answer the tests saw, scanned for the brokerage secret at the end. */
const answers: Answer[] = [];
const SECRET = `paper-secret-${Date.now().toString(36)}-do-not-leak`;

beforeAll(async () => {
  tenant = await createTenant('live e2e');
});

const liveAlgorithm = (markers: Record<string, string | number> = {}) => algorithm({ 'live-interval-ms': 150, 'live-hours-per-tick': 6, ...markers });

describe('lean cloud live deploy → status → stop', () => {
  let compileId: string;
  let deployId: string;
  let running: LiveRead;

  beforeAll(async () => {
    ({ projectId, compileId } = await pythonProject(tenant.cli, 'Live/Paper', liveAlgorithm()));
    answers.push(await readLive(tenant.cli, projectId));
  });

  test('a project never deployed answers as lean-cli expects ("No live deployment found")', async () => {
    const read = await readLive(tenant.cli, projectId);
    expect(read.body.success).toBe(false);
    expect(read.body.errors?.[0]).toMatch(/No live deployment found/);
    // LEAN's converter reads the twelve keys even on failure, and the errors from the last property.
    const keys = Object.keys(read.body);
    expect(keys.at(-1)).toBe('errors');
    for (const key of [
      'message',
      'status',
      'deployId',
      'cloneId',
      'launched',
      'stopped',
      'brokerage',
      'securityTypes',
      'projectName',
      'datacenter',
      'public',
      'success',
    ]) {
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
      const logs = await call('live/logs/read', {
        json: { format: 'json', projectId, algorithmId: deployId, startLine: 0, endLine: 250 },
        creds: tenant.admin,
      });
      const length = logs.body.length as number;
      const tail = await call('live/logs/read', {
        json: { format: 'json', projectId, algorithmId: deployId, startLine: Math.max(0, length - 250), endLine: length },
        creds: tenant.admin,
      });
      return (tail.body.logs as string[]).some((l) => /acknowledged by LEAN: success/.test(l));
    });
  });

  test('any JSON object is a command: an empty key and a number beyond DynamoDB’s range are stored and delivered as sent', async () => {
    // Both made the command's table item invalid (an internal error) before commands were stored as text.
    const command = { '': [true, null, 'x'], huge: 2.548210042120928e296, text: 'odd' };
    const sent = await call('live/commands/create', { json: { projectId, command }, creds: tenant.admin });
    expect(sent.body).toMatchObject({ success: true });
    const sentAgain = await call('live/commands/broadcast', { json: { organizationId: tenant.orgId, command }, creds: tenant.admin });
    expect(sentAgain.body).toMatchObject({ success: true });
  });

  test("LEAN's GET link form of live/commands/create, authenticated in the query", async () => {
    const timestamp = Math.floor(Date.now() / 1000);
    const hash = createHash('sha256').update(`${tenant.admin.token}:${timestamp}`).digest('hex');
    const authorization = `Basic ${Buffer.from(`${tenant.admin.userId}:${hash}`).toString('base64')}`;
    const sent = await call('live/commands/create', {
      method: 'GET',
      query: { projectId, command: JSON.stringify({ text: 'from a link' }), authorization, timestamp },
    });
    expect(sent.body).toEqual({ success: true });
    await waitFor('the link command acknowledged', async () => {
      const logs = await call('live/logs/read', { json: { format: 'json', projectId, algorithmId: deployId, startLine: 0, endLine: 1 }, creds: tenant.admin });
      const total = logs.body.length as number;
      const tail = await call('live/logs/read', {
        json: { format: 'json', projectId, algorithmId: deployId, startLine: Math.max(0, total - 250), endLine: total },
        creds: tenant.admin,
      });
      return (tail.body.logs as string[]).some((l) => l.includes('from a link'));
    });
  });

  test('the project cannot be deleted while its algorithm runs', async () => {
    const refused = await tenant.cli.deleteProject(projectId);
    expect(refused.body).toEqual({ success: false, errors: [expect.stringMatching(/live algorithm running.*stop/)] });
    expect((await tenant.cli.readProject(projectId)).body.success).toBe(true);
  });

  test('stop: LEAN stops, the deployment reads Stopped and the node is free', async () => {
    const stopped = await call('live/update/stop', { json: { projectId }, creds: tenant.admin });
    expect(stopped.body).toEqual({ success: true });
    const read = await waitForLive(tenant.cli, projectId, (l) => l.status === 'Stopped');
    expect(read.stopped).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect((await liveNode(tenant.cli)).busy).toBe(false);
  });
});

describe('a second deployment: brokerage credentials, cash, crash with automaticRedeploy, broadcast, liquidate', () => {
  let deployId: string;
  let first: LiveRead;

  beforeAll(async () => {
    const pushed = await tenant.cli.push(projectId, {
      name: 'Live/Paper',
      files: [{ name: 'main.py', content: liveAlgorithm({ scenario: 'crash', seconds: 2 }) }],
    });
    expect(pushed.body.success).toBe(true);
    const { compileProject } = await import('../support/backtests');
    const compiled = await compileProject(tenant.cli, projectId);
    const node = await liveNode(tenant.cli);
    const created = await deploy(tenant.cli, projectId, compiled.compileId, node.id, {
      autoRestart: true,
      brokerage: { id: 'QuantConnectBrokerage', 'paper-api-secret': SECRET, cash: [{ currency: 'USD', amount: 50_000 }] },
    });
    answers.push(created);
    expect(created.body.success).toBe(true);
    deployId = created.body.deployId as string;
    first = await waitForLive(tenant.cli, projectId, (l) => l.status === 'Running');
  });

  test('a viewer cannot deploy', async () => {
    const viewer = await addUser(tenant.orgId, 'viewer');
    const node = await liveNode(tenant.cli);
    const refused = await call('live/create', {
      json: { projectId, compileId: `${'a'.repeat(32)}-${'b'.repeat(32)}`, nodeId: node.id, brokerage: { id: 'QuantConnectBrokerage' } },
      creds: viewer,
    });
    expect(refused.body.success).toBe(false);
    expect(refused.body.errors?.[0]).toMatch(/viewer|permission|role|not found/i);
  });

  test('another organization cannot read, command or stop it', async () => {
    const other = await createTenant('live intruder');
    for (const [endpoint, json] of [
      ['live/read', { projectId }],
      ['live/portfolio/read', { projectId }],
      ['live/commands/create', { projectId, command: { text: 'x' } }],
      ['live/update/stop', { projectId }],
      ['live/update/liquidate', { projectId }],
    ] as const) {
      const answer = await call(endpoint, { json, creds: other.admin });
      expect({ endpoint, success: answer.body.success, error: answer.body.errors?.[0] }).toEqual({ endpoint, success: false, error: 'Project not found' });
    }
    // Still deployed: this algorithm crashes on purpose and restarts, so it may read Initializing.
    expect(['Running', 'Initializing']).toContain((await readLive(tenant.cli, projectId)).body.status);
  });

  test('a crash restarts the algorithm (recorded) from the last published cash and holdings', async () => {
    const restarted = await waitForLive(tenant.cli, projectId, (l) => (l.restarts as unknown[]).length >= 1 && l.status === 'Running');
    answers.push(await readLive(tenant.cli, projectId));
    expect(restarted.deployId).toBe(deployId);
    expect(restarted.restarts).toEqual([expect.objectContaining({ attempt: 1, reason: expect.stringMatching(/exited unexpectedly/) })]);
    const logs = await call('live/logs/read', { json: { format: 'json', projectId, algorithmId: deployId, startLine: 0, endLine: 250 }, creds: tenant.admin });
    const lines = logs.body.logs as string[];
    const starts = lines.filter((l) => l.includes('Starting cash'));
    expect(starts[0]).toMatch(/Starting cash 50000\.00, SPY holdings 0/);
    expect(starts[1]).toBeDefined();
    expect(starts[1]).not.toMatch(/Starting cash 50000\.00, SPY holdings 0/);
    expect(lines.some((l) => /Restart 1 of \d+/.test(l))).toBe(true);
    expect(first.deployId).toBe(deployId);
  });

  test('logs pages carry the offset of the earlier deployment', async () => {
    const logs = await call('live/logs/read', { json: { format: 'json', projectId, algorithmId: deployId, startLine: 0, endLine: 10 }, creds: tenant.admin });
    const offset = logs.body.deploymentOffset as number;
    expect(offset).toBeGreaterThan(0);
    expect(logs.body.length as number).toBeGreaterThan(offset);
    expect((logs.body.logs as string[]).length).toBe(10);
    const tooMany = await call('live/logs/read', {
      json: { format: 'json', projectId, algorithmId: deployId, startLine: 0, endLine: 251 },
      creds: tenant.admin,
    });
    expect(tooMany.body.success).toBe(false);
  });

  test('a broadcast reaches the running deployment and LEAN acknowledges it', async () => {
    const sent = await call('live/commands/broadcast', {
      json: { organizationId: tenant.orgId, excludeProjectId: null, command: { text: 'broadcast' } },
      creds: tenant.admin,
    });
    expect(sent.body).toEqual({ success: true });
    await waitFor('the broadcast acknowledgement', async () => {
      const head = await call('live/logs/read', { json: { format: 'json', projectId, algorithmId: deployId, startLine: 0, endLine: 1 }, creds: tenant.admin });
      const total = (head.body.length as number) - (head.body.deploymentOffset as number);
      const tail = await call('live/logs/read', {
        json: { format: 'json', projectId, algorithmId: deployId, startLine: Math.max(0, total - 250), endLine: total },
        creds: tenant.admin,
      });
      return (tail.body.logs as string[]).some((l) => l.includes('"text":"broadcast"'));
    });
  });

  test('liquidate: positions are closed, the deployment reads Liquidated', async () => {
    const liquidated = await call('live/update/liquidate', { json: { projectId }, creds: tenant.admin });
    expect(liquidated.body).toEqual({ success: true });
    const read = await waitForLive(tenant.cli, projectId, (l) => l.status === 'Liquidated');
    answers.push(await readLive(tenant.cli, projectId), await call('live/list', { json: {}, creds: tenant.admin }));
    expect(read.deployId).toBe(deployId);
    const portfolio = await call('live/portfolio/read', { method: 'GET', query: { projectId }, creds: tenant.admin });
    answers.push(portfolio);
    const holdings = (portfolio.body.portfolio as { holdings: Record<string, { q?: number }> }).holdings;
    expect(Object.values(holdings).filter((h) => h.q)).toEqual([]);
    expect((await liveNode(tenant.cli)).busy).toBe(false);
  });

  test('the brokerage credential is in no answer, table item or server log line', async () => {
    for (const answer of answers) expect(answer.text).not.toContain(SECRET);
    const items: unknown[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await documentClient().send(new ScanCommand({ TableName: tableName(), ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    expect(items.length).toBeGreaterThan(0);
    expect(JSON.stringify(items)).not.toContain(SECRET);
    const logs = await call('live/logs/read', { json: { format: 'json', projectId, algorithmId: deployId, startLine: 0, endLine: 250 }, creds: tenant.admin });
    expect(logs.text).not.toContain(SECRET);
    const jobLog = join(process.env.LCS_TEST_DATA_DIR as string, 'jobs.log');
    if (existsSync(jobLog)) expect(readFileSync(jobLog, 'utf8')).not.toContain(SECRET);
  });
});

describe('deleting the project', () => {
  test('once its algorithm has stopped, the project is deleted with its deployments', async () => {
    expect((await tenant.cli.deleteProject(projectId)).body).toEqual({ success: true });
    const read = await call('live/read', { json: { projectId }, creds: tenant.admin });
    expect(read.body.success).toBe(false);
  });
});
