import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { FAKE_DATA_QUEUE } from '../core/domain/live/live-feeds';
import type { DeploymentSecrets, LiveServices } from '../core/ports/live-services';
import type { TaskLauncher } from '../core/ports/task-runner';
import { loadSettings, type Settings } from '../lib/config/settings';
import { checkPrerequisites } from '../scripts/check-prereqs.mjs';
import {
  dataPaths,
  type EmbeddedStorage,
  ensureBucket,
  ensureTable,
  LOCAL_BUCKETS,
  LOCAL_TABLE,
  secureDataFolder,
  startEmbeddedStorage,
} from './embedded-storage';
import { leanDataProblem, seedFromFolder } from './lean-data';

/**
 * `npm start`: the whole API on http://localhost:5612/api/v2/ with embedded storage kept in a
 * data folder across restarts. Ctrl-C stops accepting requests, lets running ones finish, then
 * stops the storage so nothing written is lost.
 */
export const DEFAULT_PORT = 5612;

const wholeNumber =
  (max: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n > max) throw new InvalidArgumentError(`must be a whole number from 0 to ${max}`);
    return n;
  };

function fail(message: string): never {
  process.stderr.write(`lcs: ${message}\n`);
  process.exit(1);
}

/** The pid of a live server recorded in the data folder; two servers on one folder would corrupt it. */
function runningServer(runtimeFile: string): number | undefined {
  if (!existsSync(runtimeFile)) return undefined;
  try {
    const { pid } = JSON.parse(readFileSync(runtimeFile, 'utf8')) as { pid?: number };
    if (!pid || pid === process.pid) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined; // unreadable, or the process is gone: a stale file from a crash
  }
}

/** Why the server could not listen, in one line. */
function listenProblem(err: unknown, port: number, host: string): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return `port ${port} is already in use on ${host}; stop the other server or pass --port`;
  if (code === 'EACCES') return `not allowed to listen on port ${port}; use a port above 1023`;
  return `cannot listen on ${host}:${port}: ${(err as Error).message}`;
}

/**
 * Binds the port once and lets it go, before anything is written: a start refused for a busy port
 * leaves no data folder (and no admin credentials) behind.
 */
async function probePort(port: number, host: string): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  try {
    await listen(probe, port, host);
  } catch (err) {
    fail(listenProblem(err, port, host));
  }
  await new Promise<void>((done) => probe.close(() => done()));
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((done, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      done(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/**
 * fauxqs keeps its state in node:sqlite, which Node 22 flags as experimental on every start; that
 * warning says nothing to a user of this server, so it alone is silenced.
 */
function silenceSqliteWarning(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'ExperimentalWarning' && /SQLite/i.test(warning.message)) return;
    process.stderr.write(`${warning.name}: ${warning.message}\n`);
  });
}

type LocalLive = { services: LiveServices; secrets: DeploymentSecrets };

async function main(): Promise<void> {
  silenceSqliteWarning();
  const program = new Command()
    .name('lcs-local')
    .description('Run the Lean Cloud Server API locally with embedded storage.')
    .option('--port <port>', 'port to listen on (lean-cli with QC_API=local expects 5612)', wholeNumber(65_535), DEFAULT_PORT)
    .option('--host <host>', 'address to listen on (0.0.0.0 to let LEAN containers reach it)', '127.0.0.1')
    .option('--data-dir <dir>', 'folder that keeps the state across restarts', '.lcs-data')
    .option('--auth-cache-seconds <seconds>', 'trust accepted credentials this long without re-checking (0: off; default 10)', wholeNumber(3600))
    .option('--config <file>', 'deployment settings (rate limits, auth) shared with the CDK app', 'lcs.config.json')
    .option('--quiet', 'print only the address line')
    .configureOutput({ outputError: (text, write) => write(`lcs: ${text.replace(/^error: /, '')}`) });
  program.parse();
  const options = program.opts<{ port: number; host: string; dataDir: string; quiet?: boolean; authCacheSeconds?: number; config: string }>();
  let settings: Settings;
  try {
    settings = loadSettings(options.config);
  } catch (err) {
    fail((err as Error).message);
  }
  if (options.authCacheSeconds !== undefined) process.env.LCS_AUTH_CACHE_SECONDS = String(options.authCacheSeconds);
  // The same authentication settings the deployed functions get from the CDK app.
  process.env.LCS_HASH_MAX_AGE_SECONDS ??= String(settings.auth.hashMaxAgeSeconds);
  process.env.LCS_HASH_MAX_AHEAD_SECONDS ??= String(settings.auth.hashMaxAheadSeconds);
  if (settings.auth.basicAuth) process.env.LCS_BASIC_AUTH ??= 'true';
  process.env.LCS_JWT_REQUIRE_EMAIL_VERIFIED ??= String(settings.auth.jwtRequireEmailVerified);
  process.env.LCS_AUTH_FAILURES_BURST ??= String(settings.auth.failureBurst);
  process.env.LCS_AUTH_FAILURES_PER_MINUTE ??= String(settings.auth.failuresPerMinute);

  const missing = checkPrerequisites();
  if (missing.length) fail(missing.join('\n'));
  // LEAN on this machine: its Data folder seeds ours (local/lean-data.ts), checked before anything starts.
  const leanDataSource = process.env.LCS_LEAN_COMMAND ? process.env.LCS_LEAN_DATA_DIR : undefined;
  if (process.env.LCS_LEAN_COMMAND) {
    const problem = leanDataProblem(leanDataSource);
    if (problem) fail(problem);
  }

  const paths = dataPaths(options.dataDir);
  const owner = runningServer(paths.runtime);
  if (owner) fail(`another Lean Cloud Server (pid ${owner}) is using ${paths.root}; stop it first or pass another --data-dir`);
  await probePort(options.port, options.host);
  try {
    secureDataFolder(paths.root);
  } catch (err) {
    fail((err as Error).message);
  }
  if (leanDataSource) {
    try {
      seedFromFolder(paths.leanData, leanDataSource);
    } catch (err) {
      fail(`could not copy LEAN's data folder ${leanDataSource} into ${paths.leanData}: ${(err as Error).message}`);
    }
  }
  let storage: EmbeddedStorage;
  try {
    storage = await startEmbeddedStorage(paths.root);
  } catch (err) {
    fail(`could not start the embedded storage: ${(err as Error).message}`);
  }
  Object.assign(process.env, {
    TABLE_NAME: LOCAL_TABLE,
    ARTIFACTS_BUCKET_NAME: LOCAL_BUCKETS.artifacts,
    DATA_BUCKET_NAME: LOCAL_BUCKETS.data,
    OBJECTS_BUCKET_NAME: LOCAL_BUCKETS.objects,
    DYNAMODB_ENDPOINT: storage.dynamoEndpoint,
    S3_ENDPOINT: storage.s3Endpoint,
    // fauxqs serves SQS on the same address as S3.
    SQS_ENDPOINT: storage.s3Endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: storage.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: storage.credentials.secretAccessKey,
    LCS_TOKEN_KEY_FILE: paths.tokenKey,
    LCS_LOG_LEVEL: process.env.LCS_LOG_LEVEL ?? 'WARN',
    POWERTOOLS_LOG_LEVEL: process.env.LCS_LOG_LEVEL ?? 'WARN',
    // CloudWatch embedded metrics mean nothing on a laptop.
    POWERTOOLS_METRICS_DISABLED: 'true',
    // Paper trading works out of the box on LEAN's FakeDataQueue: simulated prices, not market data (docs/live.md).
    LCS_LIVE_FEEDS: process.env.LCS_LIVE_FEEDS ?? JSON.stringify({ defaultDataQueueHandler: FAKE_DATA_QUEUE, dataQueueHandlers: {}, brokerages: {} }),
    // Email and SMS notifications go to an outbox file under the data folder (docs/live.md), never out.
    LCS_NOTIFY_CHANNELS: 'email,sms',
  });
  await ensureTable(storage.dynamoEndpoint, LOCAL_TABLE, storage.credentials);
  for (const bucket of Object.values(LOCAL_BUCKETS)) await ensureBucket(storage.s3Endpoint, bucket, storage.credentials);
  const { ensureJobQueues, startJobWorker } = await import('./job-worker');
  const { describeEngine } = await import('./process-launcher');
  const queues = await ensureJobQueues(
    (await import('../core/shared/config')).config().LCS_JOB_MAX_RECEIVES,
    Number(process.env.LCS_JOB_VISIBILITY_SECONDS ?? 10),
  );
  process.env.JOBS_QUEUE_URL = queues.jobs;
  // object/get zips: a long build must not be delivered twice, so the queue waits 15 minutes (the worker Lambda's timeout).
  const { ensureZipQueue, startZipWorker } = await import('./object-zip-worker');
  const zipQueueUrl = await ensureZipQueue((await import('../core/shared/config')).config().LCS_JOB_MAX_RECEIVES, 900);
  process.env.OBJECT_ZIP_QUEUE_URL = zipQueueUrl;
  (await import('../core/shared/config')).resetConfig();

  // Imported only now: the handlers read their configuration from the environment set above.
  const { createApiServer } = await import('./http-server');
  const { routes } = await import('../lambdas/api/routes');
  const { ensureLocalAdmin, loginInstructions, tokenProblem } = await import('./bootstrap');
  const { admin, created } = await ensureLocalAdmin(paths.admin);
  const problem = created ? undefined : await tokenProblem(admin);

  // The job worker needs the server's address, so it starts after the server listens; a request
  // that stops a runner task before then waits for it.
  let workerStarted: (launcher: TaskLauncher) => void = () => {};
  const launcher = new Promise<TaskLauncher>((resolve) => {
    workerStarted = resolve;
  });
  let liveStarted: (live: LocalLive) => void = () => {};
  const live = new Promise<LocalLive>((resolve) => {
    liveStarted = resolve;
  });
  // Market-data links point at this server, not at the embedded storage's loopback port.
  const { localDataLinks } = await import('./data-links');
  const { signDataLinksWith } = await import('../core/data/market-data/market-data-store');
  const dataLinks = localDataLinks();
  signDataLinksWith(dataLinks.signer);
  // The Python syntax check runs in this process (in AWS: a Lambda function of its own).
  const { inProcessSyntaxChecker } = await import('../core/domain/compile/python-syntax');
  const consoleDir = fileURLToPath(new URL('../console/dist', import.meta.url));
  const server = createApiServer({
    rateLimit: settings.rateLimit,
    ports: { tasks: () => launcher, live: () => live, syntax: async () => inProcessSyntaxChecker },
    dataLinks,
    consoleDir,
  });
  await server.warm(routes);
  let port: number;
  try {
    port = await listen(server, options.port, options.host);
  } catch (err) {
    await storage.stop();
    fail(listenProblem(err, options.port, options.host));
  }
  const shownHost = options.host === '127.0.0.1' || options.host === '0.0.0.0' ? 'localhost' : options.host;
  const apiUrl = `http://${shownHost}:${port}/api/v2/`;
  const worker = await startJobWorker({
    queueUrl: queues.jobs,
    jobsDir: paths.jobs,
    leanDataDir: paths.leanData,
    apiUrl,
    progressMs: process.env.LCS_PROGRESS_MS ? Number(process.env.LCS_PROGRESS_MS) : undefined,
    log: (line) => {
      appendFileSync(paths.jobLog, `${new Date().toISOString()} ${line}\n`);
      if (!options.quiet) process.stdout.write(`jobs: ${line}\n`);
    },
  });
  workerStarted(worker.launcher);
  const zipWorker = await startZipWorker({
    queueUrl: zipQueueUrl,
    log: (line) => appendFileSync(paths.jobLog, `${new Date().toISOString()} ${line}\n`),
  });
  const { localLiveServices } = await import('./live-services');
  const liveServices = localLiveServices({
    jobsDir: paths.jobs,
    leanDataDir: paths.leanData,
    apiUrl,
    progressMs: process.env.LCS_PROGRESS_MS ? Number(process.env.LCS_PROGRESS_MS) : undefined,
    secretsDir: join(paths.root, 'live-secrets'),
    outboxFile: join(paths.root, 'notifications-outbox.jsonl'),
    log: (line) => {
      appendFileSync(paths.jobLog, `${new Date().toISOString()} ${line}\n`);
      if (!options.quiet) process.stdout.write(`live: ${line}\n`);
    },
  });
  liveStarted(liveServices);
  await liveServices.restore();
  writeFileSync(
    paths.runtime,
    `${JSON.stringify({ apiUrl, port, pid: process.pid, dynamoEndpoint: storage.dynamoEndpoint, s3Endpoint: storage.s3Endpoint, storageCredentials: storage.credentials, tableName: LOCAL_TABLE, bucket: LOCAL_BUCKETS.artifacts, dataBucket: LOCAL_BUCKETS.data, objectsBucket: LOCAL_BUCKETS.objects, tokenKeyFile: paths.tokenKey, jobsQueueUrl: queues.jobs, objectZipQueueUrl: zipQueueUrl, deadLetterQueueUrl: queues.deadLetter }, null, 2)}\n`,
    { mode: 0o600 },
  );
  const engine = options.quiet ? '' : `${describeEngine(paths.jobs, paths.leanData)}\n`;
  process.stdout.write(
    options.quiet
      ? `listening ${apiUrl}\n`
      : `${loginInstructions(admin, { apiUrl, portIsDefault: port === DEFAULT_PORT, file: paths.admin, created, problem })}\n${engine}web console ${apiUrl.replace(/api\/v2\/$/, '')}\nlistening ${apiUrl}\n`,
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: finishing requests in flight, then stopping the storage...\n`);
    server.closeRealtime();
    server.closeIdleConnections();
    await new Promise<void>((done) => server.close(() => done()));
    // Running jobs and live deployments are stopped and their ends recorded before the storage goes away.
    await liveServices.stopAll();
    await worker.stop();
    await zipWorker.stop();
    await storage.stop();
    rmSync(paths.runtime, { force: true });
    process.stdout.write(`Stopped. State is kept in ${paths.root}\n`);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => fail((err as Error).message));
