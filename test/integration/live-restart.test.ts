import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess } from '../../local/server-process';
import { type Creds, call } from '../support/api';
import { algorithm } from '../support/backtests';
import { FAKE_ENGINE_ENV } from '../support/fake-engines';
import { compiledProject, until } from '../support/live';

/**
 * Local mode's live lifecycle across a server restart (issue 12 item 9): stopping the server stops
 * deployments cleanly; at the next start those with automaticRedeploy run again (the same
 * deployment, the restart recorded) and the others are shown Stopped with the reason.
 */
jest.setTimeout(180_000);

const env = {
  ...FAKE_ENGINE_ENV,
  LCS_PROGRESS_MS: '250',
  LCS_LOG_LEVEL: 'ERROR',
};
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lcs-live-restart-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('automaticRedeploy deployments run again after a server restart; the others show Stopped with the reason', async () => {
  const dataDir = join(dir, 'state');
  let server = await startServerProcess({ dataDir, env });
  const login = /lean login --user-id (\d+) --api-token ([0-9a-f]{64})/.exec(server.output());
  const creds: Creds = { userId: Number(login?.[1]), token: login?.[2] ?? '' };
  const api = (endpoint: string, options: Parameters<typeof call>[1]) => call(endpoint, { ...options, creds, base: server.apiUrl });
  try {
    const { projectId, compileId } = await compiledProject(api, 'Live restart', algorithm({ 'live-interval-ms': 150 }));
    const nodeId = async () => ((await api('nodes/read', { json: {} })).body.live as { id: string }[])[0]!.id;
    const deploy = async (automaticRedeploy: boolean) =>
      api('live/create', { json: { projectId, compileId, nodeId: await nodeId(), brokerage: { id: 'QuantConnectBrokerage' }, automaticRedeploy } });
    const read = () => api('live/read', { method: 'GET', query: { projectId } });

    // With automatic restart: the same deployment runs again after the restart, which is recorded.
    const first = await deploy(true);
    expect(first.body.success).toBe(true);
    await until('Running', read, (r) => r.body.status === 'Running');
    expect(await server.stop('SIGINT')).toBe(0);
    server = await startServerProcess({ dataDir, env });
    const again = await until('Running after the restart', read, (r) => r.body.status === 'Running' && (r.body.restarts as unknown[]).length === 1);
    expect(again.body.deployId).toBe(first.body.deployId);
    expect((again.body.restarts as { reason: string }[])[0]!.reason).toMatch(/replaced/);
    expect((await api('live/update/stop', { json: { projectId } })).body).toEqual({ success: true });
    await until('Stopped', read, (r) => r.body.status === 'Stopped');

    // Without: shown Stopped, with the reason.
    const second = await deploy(false);
    expect(second.body.success).toBe(true);
    await until('Running', read, (r) => r.body.status === 'Running' && r.body.deployId === second.body.deployId);
    expect(await server.stop('SIGINT')).toBe(0);
    server = await startServerProcess({ dataDir, env });
    const stopped = await read();
    expect(stopped.body).toMatchObject({ success: true, deployId: second.body.deployId, status: 'Stopped', stopReason: expect.stringMatching(/local server/) });
    expect(((await api('nodes/read', { json: {} })).body.live as { busy: boolean }[])[0]!.busy).toBe(false);
  } finally {
    await server.stop('SIGINT');
  }
});
