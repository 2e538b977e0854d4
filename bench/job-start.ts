import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TaskLauncher } from '../core/ports/task-runner';
import { LeanCli } from '../test/support/api';
import { algorithm, pollBacktest, pythonProject } from '../test/support/backtests';
import { startBenchServer } from './local-server';
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
  const bench = await startBenchServer('jobs', {
    env: (dir) => ({
      LCS_LEAN_COMMAND: `'${process.execPath}' '${resolve('bench', 'lean-start-marker.mjs')}'`,
      LCS_BENCH_MARKER: join(dir, 'lean-starts.txt'),
      LCS_PROGRESS_MS: '500',
      LCS_NODE_WAIT_MAX_SECONDS: '1',
    }),
  });
  const { admin } = bench;
  const marker = join(bench.dir, 'lean-starts.txt');
  try {
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
    const { backtestRepository } = await import('../core/data/backtests/backtest-repository');
    const { nodeRepository } = await import('../core/data/jobs/node-repository');
    const { dispatchJob } = await import('../core/domain/jobs/job-dispatcher');
    const { newBacktest } = await import('../core/domain/backtests/backtest-lifecycle');
    const launcher: TaskLauncher = { launch: async (r) => ({ taskRef: `bench/${r.token}` }), stop: async () => undefined };
    const requeue = async () => undefined;
    const nodeId = (await nodeRepository.listByOrg(admin.organizationId)).find((n) => n.kind === 'backtest')?.id as string;
    const dispatch = await timeEach(DISPATCHES, async () => {
      const backtest = newBacktest({ projectId, orgId: admin.organizationId, userId: admin.userId, compileId, name: 'bench' });
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
    await bench.stop();
  }
}
