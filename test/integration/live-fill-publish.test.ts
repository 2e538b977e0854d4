import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServerProcess, startServerProcess } from '../../local/server-process';
import { type Creds, call } from '../support/api';
import { algorithm } from '../support/backtests';
import { FAKE_ENGINE_ENV } from '../support/fake-engines';
import { compiledProject, until } from '../support/live';

/**
 * The live runner publishes "every few seconds and after every fill" (issue 12 item 5, design §8):
 * with a publish interval of 60 s, a fill LEAN (the fake LEAN's live mode) writes to its
 * order-events and minute files reaches `live/orders/read` within seconds, not at the next interval.
 */
jest.setTimeout(120_000);

const INTERVAL_MS = 60_000;
let dir: string;
let server: ServerProcess;
let creds: Creds;
const api = (endpoint: string, options: Parameters<typeof call>[1]) => call(endpoint, { ...options, creds, base: server.apiUrl });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lcs-live-fill-'));
  server = await startServerProcess({
    dataDir: join(dir, 'state'),
    env: {
      ...FAKE_ENGINE_ENV,
      LCS_PROGRESS_MS: String(INTERVAL_MS),
    },
  });
  const login = /lean login --user-id (\d+) --api-token ([0-9a-f]{64})/.exec(server.output());
  creds = { userId: Number(login?.[1]), token: login?.[2] ?? '' };
});

afterAll(async () => {
  await server?.stop('SIGINT');
  rmSync(dir, { recursive: true, force: true });
});

test('a fill is in live/orders/read within seconds while the publish interval is a minute', async () => {
  // Fills every other update, an update every 500 ms.
  const { projectId, compileId } = await compiledProject(api, 'Live/Fill publish', algorithm({ 'live-interval-ms': 500 }));
  const nodeId = ((await api('nodes/read', { json: {} })).body.live as { id: string }[])[0]!.id;
  const deployed = Date.now();
  const created = await api('live/create', {
    json: { projectId, compileId, nodeId, brokerage: { id: 'QuantConnectBrokerage' }, automaticRedeploy: false, versionId: -1 },
  });
  expect(created.body.success).toBe(true);
  const filled = async () =>
    ((await api('live/orders/read', { json: { projectId, start: 0, end: 100 } })).body.orders ?? []) as { id: number; events: { status: string }[] }[];
  const first = await until('a filled order', filled, (orders) => orders.some((o) => o.events.some((e) => e.status === 'filled')), 45_000);
  const firstSeen = Date.now() - deployed;
  process.stdout.write(`first fill in live/orders/read ${firstSeen} ms after live/create\n`);
  // The first publish ran before LEAN had written anything; the next interval is a minute away
  // (the runner's own start, a few seconds on a loaded machine, is in this figure too).
  expect(firstSeen).toBeLessThan((INTERVAL_MS * 2) / 3);
  // And the next fills keep arriving between intervals.
  const more = await until('more fills', filled, (orders) => orders.length >= first.length + 2, 15_000);
  expect(more.length).toBeGreaterThan(first.length);
  // Two more fills well within one interval of the first.
  expect(Date.now() - deployed - firstSeen).toBeLessThan(INTERVAL_MS / 2);
  const portfolio = await api('live/portfolio/read', { method: 'GET', query: { projectId } });
  expect(portfolio.body.success).toBe(true);
  expect((await api('live/update/stop', { json: { projectId } })).body).toEqual({ success: true });
  await until(
    'Stopped',
    () => api('live/read', { method: 'GET', query: { projectId } }),
    (r) => r.body.status === 'Stopped',
    30_000,
  );
});
