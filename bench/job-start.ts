import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TaskLauncher } from '../lambdas/data/job-model';
import type { Backtest } from '../lambdas/data/model';
import { startServerProcess, storageEnv } from '../local/server-process';
import { LeanCli } from '../test/support/api';
import { algorithm, pollBacktest, pythonProject } from '../test/support/backtests';
import { percentile, timeEach } from './timing';

/**
 * Job start-up in local mode: the time from `backtests/create` answering to LEAN (the fake LEAN,
 * behind a marker script) starting: queue, dispatcher, node claim, runner process start-up,
 * snapshot download and config. Then the dispatcher's own handling time per message against
 * DynamoDB Local, with a launcher that starts nothing. Prints figures; asserts nothing.
 */
const RUNS = Number(process.env.BENCH_JOB_RUNS ?? 10);
const DISPATCHES = Number(process.env.BENCH_DISPATCHES ?? 200);

export async function runJobStart(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lcs-bench-jobs-'));
  const marker = join(dir, 'lean-starts.txt');
  const config = join(dir, 'lcs.config.json');
  writeFileSync(config, JSON.stringify({ rateLimit: { ratePerSecond: 1_000_000, burst: 1_000_000, dailyQuota: 0 } }));
  const server = await startServerProcess({
    dataDir: join(dir, 'data'),
    args: ['--quiet', '--config', config],
    env: {
      LCS_LEAN_COMMAND: `'${process.execPath}' '${resolve('bench', 'lean-start-marker.mjs')}'`,
      LCS_BENCH_MARKER: marker,
      LCS_PROGRESS_MS: '500',
      LCS_NODE_WAIT_MAX_SECONDS: '1',
    },
  });
  try {
    Object.assign(process.env, storageEnv(server.runtime), { LCS_TEST_API_URL: server.apiUrl, LCS_LOG_LEVEL: 'ERROR', POWERTOOLS_LOG_LEVEL: 'ERROR' });
    (await import('../lambdas/shared/config')).resetConfig();
    (await import('../lambdas/data/clients')).resetClients();
    const admin = JSON.parse(readFileSync(join(dir, 'data', 'admin.json'), 'utf8')) as { userId: number; token: string; organizationId: string };
    const cli = new LeanCli({ userId: admin.userId, token: admin.token }, admin.organizationId);
    const { projectId, compileId } = await pythonProject(cli, 'Bench/Start', algorithm({ scenario: 'ok', orders: 10 }));

    const starts: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const before = existsSync(marker) ? readFileSync(marker, 'utf8').trim().split('\n').length : 0;
      const created = await cli.createBacktest(projectId, compileId, `start ${i}`);
      const answered = Date.now();
      const backtestId = (created.body.backtest as { backtestId: string }).backtestId;
      await pollBacktest(cli, projectId, backtestId, { intervalMs: 100 });
      const marks = readFileSync(marker, 'utf8').trim().split('\n');
      if (marks.length !== before + 1) throw new Error('the fake LEAN did not start exactly once');
      starts.push(Number(marks.at(-1)) - answered);
    }
    starts.sort((a, b) => a - b);

    // Dispatcher alone: queued backtests put straight into the table, dispatched in turn, each
    // node freed again so every message finds one (the node claim and both conditional writes run).
    const { backtestRepository } = await import('../lambdas/data/backtest-repository');
    const { nodeRepository } = await import('../lambdas/data/node-repository');
    const { dispatchJob } = await import('../lambdas/domain/job-dispatcher');
    const launcher: TaskLauncher = { launch: async (r) => ({ taskRef: `bench/${r.token}` }), stop: async () => undefined };
    const requeue = async () => undefined;
    const nodeId = (await nodeRepository.listByOrg(admin.organizationId)).find((n) => n.kind === 'backtest')?.id as string;
    const dispatch = await timeEach(DISPATCHES, async () => {
      const backtest: Backtest = {
        backtestId: randomBytes(16).toString('hex'),
        projectId,
        orgId: admin.organizationId,
        userId: admin.userId,
        compileId,
        name: 'bench',
        note: '',
        tags: [],
        parameterSet: {},
        phase: 'queued',
        progress: 0,
        hasInitializeError: false,
        created: new Date().toISOString(),
        attempt: 1,
        resultsReady: false,
        reportReady: false,
        orderCount: 0,
        insightCount: 0,
        chartNames: [],
      };
      await backtestRepository.put(backtest);
      const outcome = await dispatchJob(
        { kind: 'backtest', orgId: backtest.orgId, projectId, backtestId: backtest.backtestId, attempt: 1 },
        { launcher, requeue },
      );
      if (outcome !== 'started') throw new Error(`dispatch ${outcome}`);
      await nodeRepository.release(admin.organizationId, nodeId, backtest.backtestId);
    });

    console.log(`\nLocal job start-up, ${RUNS} backtests one after another (fake LEAN, Python, one node)`);
    console.table([
      {
        what: 'backtests/create answered → LEAN started',
        'p50 ms': percentile(starts, 50).toFixed(0),
        'max ms': (starts.at(-1) ?? Number.NaN).toFixed(0),
        'mean ms': (starts.reduce((a, b) => a + b, 0) / starts.length).toFixed(0),
      },
    ]);
    console.log(`Dispatcher handling per message (${DISPATCHES} messages; item put included, DynamoDB Local on this machine)`);
    console.table([
      { what: 'put + dispatchJob + node release', 'p50 ms': dispatch.p50.toFixed(2), 'p99 ms': dispatch.p99.toFixed(2), 'mean ms': dispatch.mean.toFixed(2) },
    ]);
  } finally {
    await server.stop();
  }
}
