import { resolve } from 'node:path';
import { call, LeanCli } from '../test/support/api';
import { algorithm, pythonProject } from '../test/support/backtests';
import { deploy, waitFor, waitForLive } from '../test/support/live';
import { startBenchServer } from './local-server';
import { percentile, timeEach } from './timing';

/**
 * Live trading in local mode, with the fake LEAN's live mode (it writes LEAN's live result files
 * and reads command files as LEAN does): `live/create` answered → `live/read` says Running (runner
 * and LEAN start-up, first publish), a command created → LEAN's answer recorded on it, and
 * `live/read` / `live/portfolio/read` p50/p99 while every deployment keeps publishing. Prints
 * figures; asserts nothing.
 */
const DEPLOYMENTS = Number(process.env.BENCH_LIVE_DEPLOYMENTS ?? 10);
const COMMANDS = Number(process.env.BENCH_LIVE_COMMANDS ?? 5);
const READS = Number(process.env.BENCH_LIVE_READS ?? 200);
/** How often each runner publishes (the deployed default is longer; shorter loads the server more). */
const PUBLISH_MS = process.env.BENCH_LIVE_PUBLISH_MS ?? '2000';

export async function runLive(): Promise<void> {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const bench = await startBenchServer('live', {
    env: () => ({
      LCS_LEAN_COMMAND: `'${process.execPath}' '${resolve('test', 'support', 'fake-lean', 'fake-lean.mjs')}'`,
      LCS_LEAN_DATA_DIR: resolve('test', 'fixtures', 'lean-data'),
      LCS_PROGRESS_MS: PUBLISH_MS,
    }),
  });
  const { admin } = bench;
  const cli = new LeanCli({ userId: admin.userId, token: admin.token }, admin.organizationId);
  const deployed: { projectId: number; deployId: string }[] = [];
  try {
    const { nodeRepository } = await import('../core/data/jobs/node-repository');
    const created = new Date().toISOString();
    const nodes = Array.from({ length: DEPLOYMENTS }, (_, i) => ({
      id: `LBENCH-${i}`,
      orgId: admin.organizationId,
      kind: 'live' as const,
      sku: 'L-MICRO',
      name: `Bench live node ${i + 1}`,
      created,
    }));
    await nodeRepository.putMany(nodes);

    // An algorithm that trades and logs every 500 ms of wall time (six market hours per tick).
    const source = algorithm({ 'live-interval-ms': 500, 'live-hours-per-tick': 6 });
    const starts: number[] = [];
    for (const [i, node] of nodes.entries()) {
      const { projectId, compileId } = await pythonProject(cli, `Bench/Live ${i}`, source);
      const answer = await deploy(cli, projectId, compileId, node.id);
      if (answer.body.success !== true) throw new Error(`live/create failed: ${answer.text}`);
      const t0 = Date.now();
      await waitForLive(cli, projectId, (l) => l.status === 'Running', 120_000);
      starts.push(Date.now() - t0);
      deployed.push({ projectId, deployId: answer.body.deployId as string });
    }
    starts.sort((a, b) => a - b);

    const acks: number[] = [];
    for (let i = 0; i < COMMANDS; i++) {
      const target = deployed[i % deployed.length] as (typeof deployed)[number];
      const text = `bench-${i}-${Date.now()}`;
      const sent = await call('live/commands/create', { json: { projectId: target.projectId, command: { text } }, creds: cli.creds });
      if (sent.body.success !== true) throw new Error(`live/commands/create failed: ${sent.text}`);
      const t0 = Date.now();
      await waitFor('the command acknowledged', () => acknowledged(target, text), 120_000);
      acks.push(Date.now() - t0);
    }
    acks.sort((a, b) => a - b);

    let next = 0;
    const pick = () => deployed[next++ % deployed.length] as (typeof deployed)[number];
    const read = await timeEach(READS, async () => {
      const answer = await call('live/read', { method: 'GET', query: { projectId: pick().projectId }, creds: cli.creds });
      if (answer.body.success !== true) throw new Error(`live/read failed: ${answer.text}`);
    });
    const portfolio = await timeEach(READS, async () => {
      const answer = await call('live/portfolio/read', { method: 'GET', query: { projectId: pick().projectId }, creds: cli.creds });
      if (answer.body.success !== true) throw new Error(`live/portfolio/read failed: ${answer.text}`);
    });

    console.log(`\nLive trading in local mode: ${DEPLOYMENTS} deployments (fake LEAN, Python), each runner publishing every ${PUBLISH_MS} ms`);
    console.table([
      { what: 'live/create answered → live/read Running', 'p50 ms': percentile(starts, 50).toFixed(0), 'max ms': (starts.at(-1) ?? Number.NaN).toFixed(0) },
      {
        what: "command created → LEAN's acknowledgement recorded",
        'p50 ms': percentile(acks, 50).toFixed(0),
        'max ms': (acks.at(-1) ?? Number.NaN).toFixed(0),
      },
    ]);
    console.log(`Reads while all ${DEPLOYMENTS} publish (${READS} each, one at a time, over HTTP)`);
    console.table([
      { endpoint: 'live/read', 'p50 ms': read.p50.toFixed(2), 'p99 ms': read.p99.toFixed(2) },
      { endpoint: 'live/portfolio/read', 'p50 ms': portfolio.p50.toFixed(2), 'p99 ms': portfolio.p99.toFixed(2) },
    ]);
  } finally {
    await Promise.all(deployed.map((d) => call('live/update/stop', { json: { projectId: d.projectId }, creds: cli.creds }).catch(() => undefined)));
    await bench.stop();
  }
}

/** The runner records LEAN's answer on the queued command (state "acknowledged"). */
async function acknowledged(target: { projectId: number; deployId: string }, text: string): Promise<boolean> {
  const { deploymentRepository } = await import('../core/data/live/deployment-repository');
  const commands = await deploymentRepository.listCommands(target.projectId, target.deployId);
  return commands.some((c) => (c.command as { text?: unknown }).text === text && c.state === 'acknowledged');
}
