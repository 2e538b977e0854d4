import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { type ServerProcess, startServerProcess } from '../../local/server-process';
import { type Answer, type Creds, call } from '../support/api';
import { algorithm } from '../support/backtests';
import { FAKE_ENGINE_ENV } from '../support/fake-engines';
import { compiledProject, until } from '../support/live';

/**
 * Live notifications end to end in local mode (issue 12 item 7): lean-cli's `notification` with a
 * webhook (with a header), a Telegram bot, an SMS number and an email address; the fake LEAN fills
 * orders and emits insights; a local HTTP receiver stands in for the webhook and for Telegram's
 * Bot API (`LCS_TELEGRAM_API_URL`). The server runs with the runner's output echoed, so its
 * captured output holds the server's and the runners' log lines, which must hold no secret.
 */
jest.setTimeout(180_000);

const HEADER_SECRET = `hdr-${Date.now().toString(36)}-do-not-leak`;
const PATH_SECRET = `path-${Date.now().toString(36)}-do-not-leak`;
const BOT_TOKEN = `987654:${'T'.repeat(20)}${Date.now().toString(36)}`;
const PHONE = '+15550107788';
const EMAIL = `quant-${Date.now().toString(36)}@example.com`;
const SECRETS = [HEADER_SECRET, PATH_SECRET, BOT_TOKEN, PHONE, EMAIL];

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  status: number;
}

let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
/** Answers the webhook gives, first to last (then 200). */
const webhookAnswers: number[] = [];

let dir: string;
let server: ServerProcess;
let creds: Creds;
const answers: Answer[] = [];
const api = async (endpoint: string, options: Parameters<typeof call>[1]) => {
  const answer = await call(endpoint, { ...options, creds, base: server.apiUrl });
  answers.push(answer);
  return answer;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      const path = req.url ?? '';
      const status = path.startsWith('/hook/') ? (webhookAnswers.shift() ?? 200) : 200;
      received.push({ path, headers: req.headers, body: JSON.parse(body || '{}') as Record<string, unknown>, status });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status === 200 ? '{"ok":true}' : '{"ok":false}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'lcs-live-notify-'));
  server = await startServerProcess({
    dataDir: join(dir, 'state'),
    env: {
      ...FAKE_ENGINE_ENV,
      LCS_PROGRESS_MS: '250',
      LCS_LOG_LEVEL: 'INFO',
      // The runners' own output (their log lines, LEAN's) is echoed into the server's, which the test reads.
      LCS_RUNNER_ECHO: '1',
      LCS_TELEGRAM_API_URL: `${receiverUrl}/telegram`,
      LCS_NOTIFY_RETRY_MS: '50',
    },
  });
  const login = /lean login --user-id (\d+) --api-token ([0-9a-f]{64})/.exec(server.output());
  creds = { userId: Number(login?.[1]), token: login?.[2] ?? '' };
});

afterAll(async () => {
  await server?.stop('SIGINT');
  await new Promise((r) => receiver.close(r));
  rmSync(dir, { recursive: true, force: true });
});

async function deployedProject(name: string) {
  const { projectId, compileId } = await compiledProject(api, name, algorithm({ 'live-interval-ms': 300, 'live-hours-per-tick': 6 }));
  const nodeId = ((await api('nodes/read', { json: {} })).body.live as { id: string }[])[0]!.id;
  return { projectId, compileId, nodeId };
}

const read = (projectId: number) => api('live/read', { method: 'GET', query: { projectId } });
const orderEventIds = async (projectId: number) => {
  const orders = await api('live/orders/read', { json: { projectId, start: 0, end: 1000 } });
  return ((orders.body.orders ?? []) as { events: { id: string }[] }[]).flatMap((o) => o.events.map((e) => e.id));
};
const outboxFile = () => join(dir, 'state', 'notifications-outbox.jsonl');
const outbox = () =>
  existsSync(outboxFile())
    ? readFileSync(outboxFile(), 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
    : [];
const webhook = () => received.filter((r) => r.path === `/hook/${PATH_SECRET}`);
const telegram = () => received.filter((r) => r.path === `/telegram/bot${BOT_TOKEN}/sendMessage`);

describe('lean cloud live deploy --notify-order-events yes --notify-webhooks … --notify-telegram … --notify-sms … --notify-emails …', () => {
  let projectId: number;
  let deployId: string;

  test('deploys with the four targets: every order event reaches the webhook (with its header) and Telegram once; the 500 is retried', async () => {
    const p = await deployedProject('Live/Notify orders');
    projectId = p.projectId;
    // The webhook's first answer is a server error: that message is sent again.
    webhookAnswers.push(500);
    const created = await api('live/create', {
      json: {
        projectId,
        compileId: p.compileId,
        nodeId: p.nodeId,
        brokerage: { id: 'QuantConnectBrokerage' },
        dataProviders: { QuantConnectBrokerage: { id: 'QuantConnectBrokerage' } },
        automaticRedeploy: false,
        versionId: -1,
        // As lean-cli's live_client.py builds it: model dumps with their empty fields dropped.
        notification: {
          events: ['orderEvent'],
          targets: [
            { address: `${receiverUrl}/hook/${PATH_SECRET}`, headers: { 'X-Notify-Key': HEADER_SECRET } },
            { id: '4242', token: BOT_TOKEN },
            { phoneNumber: PHONE },
            { address: EMAIL, subject: 'Fills' },
          ],
        },
      },
    });
    expect(created.body).toMatchObject({ success: true, projectId });
    deployId = created.body.deployId as string;
    await until(
      'Running',
      () => read(projectId),
      (r) => r.body.status === 'Running',
    );
    // While it runs, the targets are in the deployment's secret file (0600), not in the table.
    const secretFiles = readdirSync(join(dir, 'state', 'live-secrets'));
    expect(secretFiles).toEqual([`${deployId}.json`]);
    const secretFile = join(dir, 'state', 'live-secrets', secretFiles[0]!);
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(secretFile, 'utf8')).toContain(HEADER_SECRET);

    await until(
      'three orders',
      () => orderEventIds(projectId),
      (ids) => ids.length >= 6,
    );
    expect((await api('live/update/stop', { json: { projectId } })).body).toEqual({ success: true });
    await until(
      'Stopped',
      () => read(projectId),
      (r) => r.body.status === 'Stopped',
    );
    const events = await orderEventIds(projectId);
    expect(events.length).toBeGreaterThanOrEqual(6);

    // The runner sends what is queued before it exits.
    await until(
      'every event at the webhook and at Telegram',
      async () => ({ hooks: webhook().length, messages: telegram().length }),
      (n) => n.hooks >= events.length + 1 && n.messages >= events.length,
    );
    await sleep(1000);
    const hooks = webhook();
    expect(hooks).toHaveLength(events.length + 1);
    expect(hooks[0]!.status).toBe(500);
    expect(hooks[1]!.body).toEqual(hooks[0]!.body);
    for (const h of hooks) {
      expect(h.headers['x-notify-key']).toBe(HEADER_SECRET);
      expect(h.headers['content-type']).toBe('application/json');
      expect(h.body).toMatchObject({ type: 'orderEvent', projectId, deployId, projectName: 'Live/Notify orders' });
    }
    const delivered = hooks.slice(1).map((h) => (h.body.orderEvent as { id: string }).id);
    expect(delivered).toEqual(events);
    const messages = telegram();
    expect(messages).toHaveLength(events.length);
    for (const m of messages)
      expect(m.body).toEqual({
        chat_id: '4242',
        text: expect.stringMatching(/^Live\/Notify orders \(L-[0-9a-f]{32}\): Order \d+ SPY (buy|sell) (submitted|filled)/),
      });
    // Email and SMS are not sent locally: each is a line in the outbox under the data folder.
    await until(
      'every event in the outbox, by email and by SMS',
      async () => outbox(),
      (lines) => lines.length >= 2 * events.length,
    );
    await sleep(500);
    const lines = outbox();
    const emails = lines.filter((l) => l.kind === 'email');
    const sms = lines.filter((l) => l.kind === 'sms');
    expect(emails).toHaveLength(events.length);
    expect(sms).toHaveLength(events.length);
    for (const l of emails)
      expect(l).toEqual({
        at: expect.any(String),
        deployId,
        kind: 'email',
        to: EMAIL,
        subject: 'Fills',
        text: expect.stringMatching(/^Live\/Notify orders \(L-[0-9a-f]{32}\): Order \d+ SPY (buy|sell) (submitted|filled)/),
      });
    for (const l of sms)
      expect(l).toEqual({ at: expect.any(String), deployId, kind: 'sms', to: PHONE, text: expect.stringMatching(/^Live\/Notify orders: Order \d+ SPY/) });
    expect(emails.filter((l) => /filled/.test(String(l.text))).length).toBeGreaterThan(0);
    expect(statSync(outboxFile()).mode & 0o777).toBe(0o600);
    // No insight was asked for, though the algorithm emitted some.
    const insights = await api('live/insights/read', { json: { projectId, start: 0, end: 100 } });
    expect((insights.body.insights as unknown[]).length).toBeGreaterThan(0);
    expect(received.filter((r) => r.body.type === 'insight' || /Insight/.test(String(r.body.text)))).toEqual([]);
  });

  test("the deployment's log says what is notified, naming no address; the secret is gone with the deployment", async () => {
    const logs = await api('live/logs/read', { json: { format: 'json', projectId, algorithmId: deployId, startLine: 0, endLine: 250 } });
    const lines = (logs.body.logs as string[]).join('\n');
    expect(lines).toMatch(/Notifications on orderEvent to webhook #1 \(127\.0\.0\.1:\d+\), Telegram #2, SMS #3, email #4/);
    expect(lines).not.toMatch(/Not sent/);
    await until(
      'the secret removed',
      async () => readdirSync(join(dir, 'state', 'live-secrets')),
      (files) => files.length === 0,
    );
  });

  test('insights are sent when asked (and order events then are not)', async () => {
    const p = await deployedProject('Live/Notify insights');
    const before = received.length;
    const created = await api('live/create', {
      json: {
        projectId: p.projectId,
        compileId: p.compileId,
        nodeId: p.nodeId,
        brokerage: { id: 'QuantConnectBrokerage' },
        automaticRedeploy: false,
        notification: { events: ['insight'], targets: [{ address: `${receiverUrl}/hook/${PATH_SECRET}`, headers: { 'X-Notify-Key': HEADER_SECRET } }] },
      },
    });
    expect(created.body.success).toBe(true);
    await until(
      'Running',
      () => read(p.projectId),
      (r) => r.body.status === 'Running',
    );
    const insightCount = async () =>
      ((await api('live/insights/read', { json: { projectId: p.projectId, start: 0, end: 100 } })).body.insights as unknown[]).length;
    await until('two insights', insightCount, (n) => n >= 2);
    expect((await api('live/update/stop', { json: { projectId: p.projectId } })).body).toEqual({ success: true });
    await until(
      'Stopped',
      () => read(p.projectId),
      (r) => r.body.status === 'Stopped',
    );
    const total = await insightCount();
    await until(
      'every insight at the webhook',
      async () => received.slice(before).length,
      (n) => n >= total,
    );
    await sleep(1000);
    const hooks = received.slice(before);
    expect(hooks).toHaveLength(total);
    for (const h of hooks) expect(h.body).toMatchObject({ type: 'insight', projectName: 'Live/Notify insights', insight: { ticker: 'SPY', direction: 'up' } });
    expect(hooks.map((h) => h.headers['x-notify-key'])).toEqual(hooks.map(() => HEADER_SECRET));
  });

  test('a bad target is refused as bad input, the value not echoed', async () => {
    const p = await deployedProject('Live/Notify refused');
    const refused = await api('live/create', {
      json: {
        projectId: p.projectId,
        compileId: p.compileId,
        nodeId: p.nodeId,
        brokerage: { id: 'QuantConnectBrokerage' },
        notification: {
          events: ['orderEvent'],
          targets: [{ address: 'http://169.254.169.254/latest', headers: { 'X-Notify-Key': `${HEADER_SECRET}\r\nX: y` } }],
        },
      },
    });
    expect(refused.body.success).toBe(false);
    expect(refused.body.errors?.[0]).toMatch(/notification\.targets\[0\]/);
    expect((await read(p.projectId)).body.errors?.[0]).toMatch(/No live deployment found/);
  });

  test('no secret in any answer, table item, the server’s or the runners’ log lines', async () => {
    answers.push(await api('live/list', { json: {} }), await read(projectId));
    for (const answer of answers) for (const secret of SECRETS) expect(answer.text).not.toContain(secret);
    const client = DynamoDBDocumentClient.from(
      new DynamoDBClient({ region: 'us-east-1', endpoint: server.runtime.dynamoEndpoint, credentials: server.runtime.storageCredentials }),
    );
    const items: unknown[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName: server.runtime.tableName, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    client.destroy();
    const table = JSON.stringify(items);
    expect(table).toContain('"notification"'); // the audit event records the kinds of target
    for (const secret of SECRETS) expect(table).not.toContain(secret);
    const output = server.output();
    // The runners' lines are there (echoed), retries included.
    expect(output).toMatch(/notification to webhook #1 \(127\.0\.0\.1:\d+\) failed \(HTTP 500\); retrying/);
    for (const secret of SECRETS) expect(output).not.toContain(secret);
    const jobLog = join(dir, 'state', 'jobs.log');
    if (existsSync(jobLog)) for (const secret of SECRETS) expect(readFileSync(jobLog, 'utf8')).not.toContain(secret);
  });
});
