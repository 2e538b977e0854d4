import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { identityRepository } from '../../core/data/identity/identity-repository';
import { resetClients } from '../../core/data/table/clients';
import { resetConfig } from '../../core/shared/config';
import { sha256Hex } from '../../core/shared/hashing';
import { ensureTable } from '../../local/embedded-storage';
import { type ServerProcess, startServerProcess } from '../../local/server-process';
import { call } from '../support/api';

/**
 * Local mode exposes nothing but the API port (issue 14 items 3 and 4). DynamoDB Local cannot be
 * bound to loopback, so it is reached through this machine's non-loopback address as an attacker
 * on the network would, with made-up credentials: it shows nothing of the server's data, and an
 * API key written there is not one the API accepts. fauxqs is not reachable there at all. The data
 * folder and its secrets are private to their owner; a folder from an older version (0755, one
 * database shared by all credentials) keeps its data and is closed.
 */
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lcs-storage-access-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const OTHER = { accessKeyId: 'local', secretAccessKey: 'local' };

/** This machine's own address on a network interface (not loopback). */
function nonLoopbackAddress(): string {
  const found = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal);
  if (!found) throw new Error('this test needs a non-loopback IPv4 address on the machine');
  return found.address;
}

const portOf = (endpoint: string) => new URL(endpoint).port;
const admin = (dataDir: string) => JSON.parse(readFileSync(join(dataDir, 'admin.json'), 'utf8')) as { userId: number; token: string };

/** Runs `work` with the repositories pointed at `endpoint` under `credentials`, as an intruder's own tools would be. */
async function asIntruder<T>(endpoint: string, work: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  Object.assign(process.env, { DYNAMODB_ENDPOINT: endpoint, AWS_ACCESS_KEY_ID: OTHER.accessKeyId, AWS_SECRET_ACCESS_KEY: OTHER.secretAccessKey });
  resetConfig();
  resetClients();
  try {
    return await work();
  } finally {
    process.env = saved;
    resetConfig();
    resetClients();
  }
}

describe('a server on a new data folder', () => {
  let server: ServerProcess;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = join(dir, 'new');
    server = await startServerProcess({ dataDir, args: ['--quiet'] });
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
  });

  test('the data folder is 0700 and the storage credentials file 0600', () => {
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, 'secrets', 'storage.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'runtime.json')).mode & 0o077).toBe(0);
  });

  test('DynamoDB Local through a non-loopback address, with other credentials: no table, nothing to read', async () => {
    const endpoint = `http://${nonLoopbackAddress()}:${portOf(server.runtime.dynamoEndpoint)}`;
    const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: OTHER, maxAttempts: 1 });
    try {
      expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual([]);
      await expect(client.send(new ScanCommand({ TableName: server.runtime.tableName }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    } finally {
      client.destroy();
    }
  });

  test('an API key an intruder writes into DynamoDB Local (table made to measure) is refused by the API', async () => {
    const { userId } = admin(dataDir);
    const endpoint = `http://${nonLoopbackAddress()}:${portOf(server.runtime.dynamoEndpoint)}`;
    const forged = await asIntruder(endpoint, async () => {
      await ensureTable(endpoint, server.runtime.tableName, OTHER);
      const key = { keyId: 'lcsforged0001', secret: 'forged-secret' };
      await identityRepository.putKey({ keyId: key.keyId, userId, name: 'forged', secretHash: sha256Hex(key.secret), created: new Date().toISOString() });
      return key;
    });
    const answer = await call('projects/read', {
      json: {},
      headers: { 'X-API-Key': forged.keyId, 'X-API-Secret': forged.secret },
      path: `${server.apiUrl}projects/read`,
    });
    expect(answer.body.success).toBe(false);
    expect(answer.body.errors?.[0]).toMatch(/Invalid credentials/);
    // The server's own credentials still work.
    const own = await call('authenticate', { method: 'GET', creds: admin(dataDir), path: `${server.apiUrl}authenticate` });
    expect(own.body).toEqual({ success: true });
  });

  test('the S3/SQS emulator listens on loopback only', async () => {
    const port = portOf(server.runtime.s3Endpoint);
    await expect(fetch(`http://${nonLoopbackAddress()}:${port}/${server.runtime.bucket}`, { signal: AbortSignal.timeout(5000) })).rejects.toThrow();
    // On loopback it answers (the server itself uses it).
    expect((await fetch(`http://127.0.0.1:${port}/${server.runtime.bucket}`)).status).toBeLessThan(500);
  });
});

test('a data folder from before: opened to 0700, its shared database becomes the folder key id’s, its data kept', async () => {
  const dataDir = join(dir, 'upgraded');
  const first = await startServerProcess({ dataDir, args: ['--quiet'] });
  await first.stop();
  // As an older version left it: one database for every credential (-sharedDb), no key id, mode 0755.
  const dynamoDir = join(dataDir, 'dynamodb');
  const own = readdirSync(dynamoDir).find((f) => /^LCS[0-9A-F]{32}_us-east-1\.db$/.test(f)) as string;
  expect(own).toBeDefined();
  renameSync(join(dynamoDir, own), join(dynamoDir, 'shared-local-instance.db'));
  rmSync(join(dataDir, 'secrets', 'storage.json'));
  chmodSync(dataDir, 0o755);

  const second = await startServerProcess({ dataDir, args: ['--quiet'] });
  try {
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(existsSync(join(dynamoDir, 'shared-local-instance.db'))).toBe(false);
    const answer = await call('authenticate', { method: 'GET', creds: admin(dataDir), path: `${second.apiUrl}authenticate` });
    expect(answer.body).toEqual({ success: true });
    const client = new DynamoDBClient({ endpoint: second.runtime.dynamoEndpoint, region: 'us-east-1', credentials: OTHER, maxAttempts: 1 });
    expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    client.destroy();
  } finally {
    await second.stop();
  }
}, 120_000);
