import { randomBytes } from 'node:crypto';
import { qcHeaders, startBenchServer } from './local-server';
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
  const bench = await startBenchServer('data');
  const { server, admin } = bench;
  try {
    const { marketDataStore } = await import('../core/data/market-data/market-data-store');
    await marketDataStore.put(FILE_PATH, randomBytes(FILE_BYTES));

    const headers = { ...qcHeaders(admin), 'content-type': 'application/json' };
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
    await bench.stop();
  }
}
