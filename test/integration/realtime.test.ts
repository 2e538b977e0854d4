import { request } from 'node:http';
import { apiUrl, call, qcHeaders } from '../support/api';
import { algorithm, type BacktestBody, pythonProject } from '../support/backtests';
import { deploy, liveNode } from '../support/live';
import { handshake, openSocket, type Pushed, socketUrl } from '../support/realtime';
import { createTenant, type Tenant } from '../support/tenants';

/**
 * The real-time protocol on the local server (docs/realtime.md): the connection is authenticated
 * like a REST request, a subscription like a REST read, and a running backtest's progress (written
 * by the real runner running the fake LEAN) arrives over the socket in order, ending with its final status.
 */
jest.setTimeout(90_000);

let tenant: Tenant;
let other: Tenant;

beforeAll(async () => {
  [tenant, other] = await Promise.all([createTenant('realtime'), createTenant('realtime other')]);
});

test('a wrong hash, a stale timestamp or no credentials are refused before the socket opens', async () => {
  const wrong = await handshake(socketUrl(apiUrl(), { ...tenant.admin, token: 'not-the-token' }));
  expect(wrong.status).toBe(401);
  expect(JSON.parse(wrong.body)).toMatchObject({ success: false, errors: [expect.stringMatching(/Invalid credentials/)] });
  const stale = await handshake(socketUrl(apiUrl(), tenant.admin, Math.floor(Date.now() / 1000) - 3 * 3600));
  expect(stale.status).toBe(401);
  expect(stale.body).toMatch(/Timestamp is outside the accepted window/);
  const none = await handshake(new URL('/ws', apiUrl()).toString());
  expect(none.status).toBe(401);
  await expect(openSocket(socketUrl(apiUrl(), { ...tenant.admin, token: 'nope' }))).rejects.toThrow(/could not open/);
  // The right credentials open it.
  const good = await handshake(socketUrl(apiUrl(), tenant.admin));
  expect(good.status).toBe(101);
});

test('a request asking to upgrade to anything but a WebSocket is served as if it had not asked', async () => {
  const answer = await new Promise<{ status: number; body: string }>((done, fail) => {
    const req = request(new URL('authenticate', apiUrl()), {
      method: 'GET',
      headers: { Connection: 'Upgrade, HTTP2-Settings', Upgrade: 'h2c', 'HTTP2-Settings': '', ...qcHeaders(tenant.admin) },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', fail);
    req.end();
  });
  expect(answer.status).toBe(200);
  expect(JSON.parse(answer.body)).toEqual({ success: true });
});

test('another organisation\'s project is "not found", and a bad message gets an error, never data', async () => {
  const created = await other.cli.createProject('secret project');
  const projectId = (created.body.projects as { projectId: number }[])[0]?.projectId as number;
  const socket = await openSocket(socketUrl(apiUrl(), tenant.admin));
  try {
    socket.send({ action: 'subscribe', topic: 'live', projectId });
    expect(await socket.next()).toEqual({ type: 'error', action: 'subscribe', topic: `live:${projectId}`, message: 'Project not found' });
    socket.send({ action: 'subscribe', topic: 'backtest', projectId, backtestId: 'a'.repeat(32) });
    expect(await socket.next()).toMatchObject({ type: 'error', message: 'Project not found' });
    socket.send({ action: 'subscribe', topic: 'backtest', projectId });
    expect(await socket.next()).toMatchObject({ type: 'error', message: expect.stringMatching(/^Invalid message/) });
    socket.send({ action: 'ping' });
    expect(await socket.next()).toEqual({ type: 'pong' });
    expect(socket.received.some((m) => m.type === 'live' || m.type === 'backtest' || m.type === 'subscribed')).toBe(false);
  } finally {
    socket.close();
  }
});

test("a running backtest's progress arrives over the socket in order and ends with its final status", async () => {
  const { projectId, compileId } = await pythonProject(tenant.cli, 'realtime progress', algorithm({ scenario: 'slow', seconds: 6 }));
  const socket = await openSocket(socketUrl(apiUrl(), tenant.admin));
  try {
    const created = await tenant.cli.createBacktest(projectId, compileId, 'Pushed Progress');
    const backtestId = (created.body.backtest as BacktestBody).backtestId;
    socket.send({ action: 'subscribe', topic: 'backtest', projectId, backtestId });
    expect(await socket.next()).toEqual({ type: 'subscribed', topic: `backtest:${projectId}:${backtestId}` });
    const updates: Pushed[] = [];
    for (;;) {
      const update = await socket.next((m) => m.type === 'backtest', 60_000);
      expect(update).toMatchObject({ projectId, backtestId });
      updates.push(update);
      if (update.final) break;
    }
    // The backtest ran through the runner: queued, several running readings, then completed.
    const running = updates.filter((u) => u.phase === 'running');
    expect(new Set(running.map((u) => u.progress)).size).toBeGreaterThanOrEqual(2);
    expect(running.every((u) => /^Running: \d+%$/.test(String(u.status)))).toBe(true);
    const progress = updates.map((u) => u.progress as number);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(updates.at(-1)).toMatchObject({ phase: 'completed', status: 'Completed.', progress: 1, final: true });
    // No message repeats the one before it, and nothing follows the final one.
    for (let i = 1; i < updates.length; i++) expect(updates[i]).not.toEqual(updates[i - 1]);
    await new Promise((r) => setTimeout(r, 2500));
    expect(socket.received.filter((m) => m.type === 'backtest')).toHaveLength(updates.length);
    // What the socket said last is what the REST read says.
    const read = await tenant.cli.readBacktest(projectId, backtestId);
    expect((read.body.backtest as BacktestBody).status).toBe('Completed.');
  } finally {
    socket.close();
  }
});

test("a live deployment's status, equity, new orders and new log lines arrive over the socket, then its stop", async () => {
  const { projectId, compileId } = await pythonProject(tenant.cli, 'realtime live', algorithm({ 'live-interval-ms': 150, 'live-hours-per-tick': 6 }));
  const socket = await openSocket(socketUrl(apiUrl(), tenant.admin));
  try {
    socket.send({ action: 'subscribe', topic: 'live', projectId });
    // Nothing deployed yet: the subscription is confirmed, with no state to send.
    expect(await socket.next()).toEqual({ type: 'subscribed', topic: `live:${projectId}` });
    const created = await deploy(tenant.cli, projectId, compileId, (await liveNode(tenant.cli)).id);
    const deployId = created.body.deployId as string;
    const running = await socket.next((m) => m.type === 'live' && m.status === 'Running', 60_000);
    expect(running).toMatchObject({ projectId, deployId, final: false });
    const withEquity = await socket.next((m) => m.type === 'live' && Array.isArray(m.equity), 30_000);
    const [at, value] = withEquity.equity as [number, number];
    expect(Math.abs(at - Date.now() / 1000)).toBeLessThan(120);
    expect(value).toBeGreaterThan(0);
    await socket.next((m) => m.type === 'live' && Array.isArray(m.fills) && (m.fills as unknown[]).length > 0, 30_000);
    const stop = await call('live/update/stop', { json: { projectId }, creds: tenant.admin });
    expect(stop.body).toEqual({ success: true });
    const stopped = await socket.next((m) => m.type === 'live' && m.final === true, 60_000);
    expect(stopped).toMatchObject({ deployId, status: 'Stopped' });
    // The pushed log lines, in order and without repeats, are the deployment's log as live/logs/read has it.
    const pushedLines = socket.received.filter((m) => m.type === 'live').flatMap((m) => (m.logs as string[] | undefined) ?? []);
    expect(pushedLines.length).toBeGreaterThan(0);
    const logs = await call('live/logs/read', { json: { format: 'json', projectId, algorithmId: deployId, startLine: 0, endLine: 250 }, creds: tenant.admin });
    const served = (logs.body.logs as string[]) ?? [];
    expect(served.slice(0, pushedLines.length)).toEqual(pushedLines);
  } finally {
    socket.close();
  }
});
