import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess, storageEnv } from '../local/server-process';
import { timeEach } from './timing';

/**
 * data/read latency: what LEAN's ApiDataProvider waits for before each file it downloads. A local
 * server (DynamoDB Local and the S3 emulator included), one data file, SEQUENTIAL data/read calls
 * one at a time (HeadObject plus signing per call), then as many GETs of the link. Prints figures;
 * asserts nothing.
 */
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 1000);
const FILE_PATH = 'equity/usa/daily/spy.zip';
const FILE_BYTES = 64 * 1024;

export async function runDataLinks(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lcs-bench-data-'));
  const config = join(dir, 'lcs.config.json');
  writeFileSync(config, JSON.stringify({ rateLimit: { ratePerSecond: 1_000_000, burst: 1_000_000, dailyQuota: 0 } }));
  const server = await startServerProcess({ dataDir: join(dir, 'data'), args: ['--quiet', '--config', config] });
  try {
    Object.assign(process.env, storageEnv(server.runtime), { LCS_LOG_LEVEL: 'ERROR', POWERTOOLS_LOG_LEVEL: 'ERROR' });
    (await import('../lambdas/shared/config')).resetConfig();
    (await import('../lambdas/data/clients')).resetClients();
    const { marketDataStore } = await import('../lambdas/data/market-data-store');
    await marketDataStore.put(FILE_PATH, randomBytes(FILE_BYTES));

    const admin = JSON.parse(readFileSync(join(dir, 'data', 'admin.json'), 'utf8')) as { userId: number; token: string; organizationId: string };
    // One header for the whole run, as LEAN does (it reuses its hash for up to two hours).
    const ts = Math.floor(Date.now() / 1000);
    const hash = createHash('sha256').update(`${admin.token}:${ts}`).digest('hex');
    const headers = {
      authorization: `Basic ${Buffer.from(`${admin.userId}:${hash}`).toString('base64')}`,
      timestamp: String(ts),
      'content-type': 'application/json',
    };
    const body = JSON.stringify({ format: 'link', filePath: FILE_PATH, organizationId: admin.organizationId });
    let link = '';
    const readLink = async () => {
      const answer = (await (await fetch(`${server.apiUrl}data/read`, { method: 'POST', headers, body })).json()) as { success: boolean; link?: string };
      if (!answer.success || !answer.link) throw new Error(`data/read failed: ${JSON.stringify(answer)}`);
      link = answer.link;
    };
    await timeEach(100, readLink); // warm-up: handler import, SDK load, connections
    const reads = await timeEach(SEQUENTIAL, readLink);
    const downloads = await timeEach(SEQUENTIAL, async () => {
      const response = await fetch(link);
      await response.arrayBuffer();
    });

    console.log(`\ndata/read, ${SEQUENTIAL} sequential calls (QC hash, POST JSON); server, DynamoDB Local and the S3 emulator share the machine`);
    const row = (what: string, t: { p50: number; p99: number; mean: number }) => ({
      what,
      'p50 ms': t.p50.toFixed(2),
      'p99 ms': t.p99.toFixed(2),
      'mean ms': t.mean.toFixed(2),
    });
    console.table([row('data/read → link', reads), row(`GET of the link (${FILE_BYTES / 1024} KiB, no auth)`, downloads)]);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
