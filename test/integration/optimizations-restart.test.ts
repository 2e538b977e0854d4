import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServerProcess, startServerProcess } from '../../local/server-process';
import { LeanCli } from '../support/api';
import { algorithm, pythonProject } from '../support/backtests';
import { FAKE_ENGINE_ENV } from '../support/fake-engines';
import { LEAN_DATA_FIXTURE } from '../support/lean-data';
import { type OptimizationBody, optimizeCalls, points, pollOptimization } from '../support/optimizations';

/**
 * Local mode (issue 13 item 4): an optimization runs through the local worker; stopping the
 * server stops its running point, its finished points survive the restart, and the optimization
 * goes on to the end on the restarted server.
 */
jest.setTimeout(400_000);

const fakeLean = FAKE_ENGINE_ENV.LCS_LEAN_COMMAND;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lcs-optimization-restart-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cliOf(server: ServerProcess, dataDir: string): LeanCli {
  const admin = JSON.parse(readFileSync(join(dataDir, 'admin.json'), 'utf8')) as { userId: number; token: string; organizationId: string };
  return new LeanCli({ userId: admin.userId, token: admin.token }, admin.organizationId, server.apiUrl);
}

test('stopping the server stops the running point; finished points survive and the optimization completes after the restart', async () => {
  const dataDir = join(dir, 'data');
  const env = { LCS_LEAN_COMMAND: fakeLean, LCS_LEAN_DATA_DIR: LEAN_DATA_FIXTURE, LCS_PROGRESS_MS: '250', LCS_NODE_WAIT_MAX_SECONDS: '1' };
  const first = await startServerProcess({ dataDir, args: ['--quiet'], env });
  let optimizationId = '';
  let before: OptimizationBody;
  try {
    const cli = cliOf(first, dataDir);
    const project = await pythonProject(cli, 'Optimize/Restart', algorithm({ optimum: 'fast=2', scenario: 'slow', seconds: 2, orders: 2, insights: 0 }));
    const created = await optimizeCalls.create(cli, {
      ...project,
      name: 'Across a restart',
      target: 'TotalPerformance.PortfolioStatistics.SharpeRatio',
      extremum: 'max',
      parameters: [{ name: 'fast', min: 1, max: 4, step: 1 }],
      nodeType: 'O2-8',
      parallelNodes: 1,
    });
    expect(created.body.success).toBe(true);
    optimizationId = ((created.body.optimizations as OptimizationBody[])[0] as OptimizationBody).optimizationId;
    ({ final: before } = await pollOptimization(cli, optimizationId, {
      until: (o) => Number(o.runtimeStatistics.Completed) >= 1 && points(o).some((p) => p.progress < 1),
    }));
  } finally {
    expect(await first.stop('SIGINT')).toBe(0);
  }

  const second = await startServerProcess({ dataDir, args: ['--quiet'], env });
  try {
    const cli = cliOf(second, dataDir);
    const { final } = await pollOptimization(cli, optimizationId);
    expect(final.status).toBe('completed');
    // Finished before the stop: progress 1 as well (a running point also reads exit code 0 until it ends).
    const finishedBefore = points(before).filter((p) => p.progress === 1 && p.exitCode === 0);
    expect(finishedBefore.length).toBeGreaterThan(0);
    for (const p of finishedBefore) expect(points(final).find((q) => q.id === p.id)).toMatchObject({ exitCode: 0, parameterSet: p.parameterSet });
    expect(final.runtimeStatistics).toMatchObject({ Total: '4', Running: '0', 'In Queue': '0' });
    expect(points(final)).toHaveLength(4);
    // The point running at the stop was stopped with the server (LEAN ends gracefully on SIGINT,
    // or the restarted worker marks it failed) and recorded, not left running.
    const interrupted = points(before).find((p) => p.progress < 1);
    expect(interrupted).toBeDefined();
    expect(points(final).find((p) => p.id === interrupted?.id)).toMatchObject({ progress: 1, exitCode: expect.any(Number) });
  } finally {
    await second.stop();
  }
});
