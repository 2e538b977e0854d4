import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServerProcess, startServerProcess, storageEnv } from '../local/server-process';

/**
 * The local server every benchmark measures against: a fresh one in a temp dir (DynamoDB Local and
 * the S3/SQS emulator included), with this process pointed at its storage so a benchmark can also
 * call repositories directly, and the admin the server created on first start.
 */
export interface BenchAdmin {
  userId: number;
  token: string;
  organizationId: string;
}

export interface BenchServer {
  server: ServerProcess;
  /** The run's temp dir; removed by stop(). */
  dir: string;
  dataDir: string;
  admin: BenchAdmin;
  /** Stops the server and removes the temp dir. */
  stop(): Promise<void>;
}

export interface BenchServerOptions {
  /** Extra environment for the server; given the temp dir, for files the server should write there. */
  env?: (dir: string) => Record<string, string>;
  /** Extra command-line arguments for the server. */
  args?: string[];
  /** Keep the per-organisation rate limit (50 req/s by default); otherwise lifted for raw figures. */
  rateLimited?: boolean;
}

const UNLIMITED = { rateLimit: { ratePerSecond: 1_000_000, burst: 1_000_000, dailyQuota: 0 } };

export async function startBenchServer(name: string, options: BenchServerOptions = {}): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), `lcs-bench-${name}-`));
  const dataDir = join(dir, 'data');
  const args = ['--quiet', ...(options.args ?? [])];
  if (!options.rateLimited) {
    const config = join(dir, 'lcs.config.json');
    writeFileSync(config, JSON.stringify(UNLIMITED));
    args.push('--config', config);
  }
  const server = await startServerProcess({ dataDir, args, env: options.env?.(dir) });
  const stop = async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    Object.assign(process.env, storageEnv(server.runtime), {
      LCS_TEST_API_URL: server.apiUrl, // for the test-support clients (LeanCli)
      LCS_LOG_LEVEL: 'ERROR',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    });
    // A benchmark may start several servers in one process: forget what was made for the previous one.
    (await import('../core/shared/config')).resetConfig();
    (await import('../core/data/table/clients')).resetClients();
    (await import('../core/data/identity/token-cipher')).resetTokenCipher();
    const admin = JSON.parse(readFileSync(join(dataDir, 'admin.json'), 'utf8')) as BenchAdmin;
    return { server, dir, dataDir, admin, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** QC-style auth headers, one for the whole run as LEAN does (it reuses its hash for up to two hours). */
export function qcHeaders(admin: BenchAdmin): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  const hash = createHash('sha256').update(`${admin.token}:${ts}`).digest('hex');
  return { authorization: `Basic ${Buffer.from(`${admin.userId}:${hash}`).toString('base64')}`, timestamp: String(ts) };
}
