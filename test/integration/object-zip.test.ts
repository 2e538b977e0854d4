import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { unzipSync } from 'fflate';
import { buildZip, objectDownloads } from '../../core/domain/objects/object-download';
import { objectStoreService } from '../../core/domain/objects/object-store-service';
import { resetConfig } from '../../core/shared/config';
import { type Answer, type Creds, call } from '../support/api';
import { createTenant, type Tenant } from '../support/tenants';

/**
 * object/get as an asynchronous zip job (issue 18 item 2): step 1 answers a job id at once, the zip
 * worker streams the objects into a multipart upload, step 2 answers `url: null` until the zip is
 * there. The large case runs the worker in a process whose V8 heap is smaller than the objects.
 */
const root = resolve(__dirname, '..', '..');
const MB = 1024 * 1024;
let tenant: Tenant;
let other: Tenant;

beforeAll(async () => {
  [tenant, other] = await Promise.all([createTenant('object zip'), createTenant('object zip other')]);
});

const json = (body: Record<string, unknown>, creds: Creds = tenant.admin) => call('object/get', { json: body, creds });
/** Step 1 without the queue: the job is recorded and waits for a worker the test runs itself. */
const unqueued = { enqueue: async () => undefined };
const sha = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Polls step 2 as lean-cli does (without its 3 s pause) until the job has a url or an error. */
async function poll(jobId: string, creds: Creds = tenant.admin, orgId = tenant.orgId, seconds = 120): Promise<Answer> {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const polled = await json({ organizationId: orgId, jobId }, creds);
    if (polled.body.success !== true || polled.body.url) return polled;
    expect(polled.body).toEqual({ success: true, jobId, url: null });
    if (Date.now() > until) throw new Error(`job ${jobId} still not done after ${seconds} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Stores an object larger than one request may carry (the S3 emulator takes bodies up to 11 MiB)
 * as a multipart upload, where the object store keeps it (`<orgId>/<key>`); outside the quota.
 */
async function putLarge(key: string, data: Buffer): Promise<void> {
  const client = new S3Client({ region: 'us-east-1', endpoint: process.env.S3_ENDPOINT, forcePathStyle: true });
  await new Upload({ client, params: { Bucket: process.env.OBJECTS_BUCKET_NAME, Key: `${tenant.orgId}/${key}`, Body: data }, partSize: 8 * MB }).done();
  client.destroy();
}

function setObject(key: string, data: Uint8Array | string): Promise<Answer> {
  const form = new FormData();
  form.append('organizationId', tenant.orgId);
  form.append('key', key);
  form.append('objectData', new Blob([typeof data === 'string' ? data : Buffer.from(data)]), 'objectData');
  return call('object/set', { multipart: form, creds: tenant.admin });
}

/**
 * Downloads a zip link to a file and hashes each entry with Python's zipfile, the reader lean-cli extracts object
 * store zips with: it finds entries through the central directory, as every complete reader does. (A streaming
 * reader that finds an entry's end by searching for the data-descriptor signature can stop early inside random
 * bytes that happen to hold it: about one 40 MB object in a hundred, which made this test fail now and then.)
 * Neither the download nor the reader holds the zip in memory.
 */
async function entryHashes(url: string): Promise<Record<string, string>> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  const dir = mkdtempSync(join(tmpdir(), 'lcs-zip-'));
  try {
    const file = join(dir, 'objects.zip');
    await pipeline(Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>), createWriteStream(file));
    const hashed = spawnSync('python3', ['-c', HASH_ENTRIES, file], { encoding: 'utf8', maxBuffer: 16 * MB });
    if (hashed.status !== 0) throw new Error(`python3 zipfile could not read the zip: ${hashed.stderr}`);
    return JSON.parse(hashed.stdout) as Record<string, string>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** sha256 of every entry, streamed; zipfile checks each entry's CRC-32 as it reads (BadZipFile otherwise). */
const HASH_ENTRIES = `
import hashlib, json, sys, zipfile
out = {}
with zipfile.ZipFile(sys.argv[1]) as z:
    for info in z.infolist():
        h = hashlib.sha256()
        with z.open(info) as f:
            for chunk in iter(lambda: f.read(1 << 20), b''):
                h.update(chunk)
        out[info.filename] = h.hexdigest()
print(json.dumps(out))
`;

test('over HTTP: keys → jobId at once → poll → download → unzip, byte for byte (text deflated, images stored, a zip above one upload part)', async () => {
  const text = 'date,open,close\n'.repeat(20_000);
  const image = randomBytes(300 * 1024);
  const binary = randomBytes(2 * MB + 17);
  for (const [key, data] of [
    ['zipped/prices.csv', text],
    ['zipped/chart.png', image],
    ['zipped/deep/model.bin', binary],
  ] as const) {
    expect((await setObject(key, data)).body).toEqual({ success: true });
  }
  // Two objects too large for one request, stored directly: the zip spans two multipart parts.
  const large = [randomBytes(6 * MB), randomBytes(5 * MB)];
  await objectStoreService.store(tenant.orgId, 'zipped/large-1.bin', large[0] as Buffer);
  await objectStoreService.store(tenant.orgId, 'zipped/large-2.bin', large[1] as Buffer);

  const started = await json({ organizationId: tenant.orgId, keys: ['zipped'] });
  expect(started.body).toEqual({ success: true, jobId: expect.stringMatching(/^[0-9a-f]{32}$/), url: null });
  const jobId = started.body.jobId as string;
  const done = await poll(jobId);
  expect(done.body).toEqual({ success: true, jobId, url: expect.stringMatching(/^http/) });
  const response = await fetch(done.body.url as string);
  const files = unzipSync(new Uint8Array(await response.arrayBuffer()));
  expect(Object.keys(files).sort()).toEqual(['zipped/chart.png', 'zipped/deep/model.bin', 'zipped/large-1.bin', 'zipped/large-2.bin', 'zipped/prices.csv']);
  expect(Buffer.from(files['zipped/prices.csv'] as Uint8Array).toString()).toBe(text);
  expect(sha(files['zipped/chart.png'] as Uint8Array)).toBe(sha(image));
  expect(sha(files['zipped/deep/model.bin'] as Uint8Array)).toBe(sha(binary));
  expect(sha(files['zipped/large-1.bin'] as Uint8Array)).toBe(sha(large[0] as Buffer));
  expect(sha(files['zipped/large-2.bin'] as Uint8Array)).toBe(sha(large[1] as Buffer));

  // Asking again for the same unchanged objects answers the same, finished job.
  const again = await json({ organizationId: tenant.orgId, keys: ['zipped/prices.csv', 'zipped'] });
  expect(again.body.jobId).toBe(jobId);
  expect((await json({ organizationId: tenant.orgId, jobId })).body).toEqual({ success: true, jobId, url: expect.stringMatching(/^http/) });
}, 180_000);

test('memory stays bounded: 3 × 40 MB of incompressible objects zipped by a worker with a 40 MB heap', async () => {
  const sizes = [40 * MB, 40 * MB, 40 * MB + 1];
  const hashes: Record<string, string> = {};
  for (const [i, size] of sizes.entries()) {
    const data = randomBytes(size);
    hashes[`big/part-${i}.bin`] = sha(data);
    await putLarge(`big/part-${i}.bin`, data);
  }
  const total = sizes.reduce((a, b) => a + b, 0);
  const jobId = await objectDownloads.record(tenant.orgId, ['big'], unqueued);
  // Recorded, not built yet: polling answers the job with no url.
  expect((await json({ organizationId: tenant.orgId, jobId })).body).toEqual({ success: true, jobId, url: null });

  const child = spawn(process.execPath, ['--max-old-space-size=40', '--import', 'tsx', 'test/support/object-zip-child.ts', tenant.orgId, jobId], {
    cwd: root,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const code = await new Promise<number | null>((done) => child.on('close', done));
  expect({ code, stderr: stderr.slice(-2000) }).toEqual({ code: 0, stderr: expect.any(String) });
  const measured = JSON.parse(stdout.trim().split('\n').pop() as string) as {
    outcome: string;
    seconds: number;
    cpuSeconds: number;
    rssGrowth: number;
    peakHeap: number;
    peakArrayBuffers: number;
  };
  const perMb = (s: number) => ((s * 1000) / (total / MB)).toFixed(1);
  console.log(
    `zip worker: ${(total / MB).toFixed(0)} MB in ${measured.seconds.toFixed(1)} s (${perMb(measured.seconds)} ms/MB; CPU ${perMb(measured.cpuSeconds)} ms/MB); peak RSS growth ${(measured.rssGrowth / MB).toFixed(1)} MB, peak heap ${(measured.peakHeap / MB).toFixed(1)} MB, peak array buffers ${(measured.peakArrayBuffers / MB).toFixed(1)} MB`,
  );
  expect(measured.outcome).toBe('done');
  // Reading everything into memory (as object/get once did) would grow by the total at least.
  expect(measured.rssGrowth).toBeLessThan(total / 2);
  expect(measured.peakArrayBuffers).toBeLessThan(64 * MB);

  const done = await poll(jobId);
  expect(done.body).toEqual({ success: true, jobId, url: expect.stringMatching(/^http/) });
  expect(await entryHashes(done.body.url as string)).toEqual(hashes);
}, 600_000);

describe('failures end the job with a clear error in the envelope', () => {
  afterEach(() => {
    delete process.env.LCS_OBJECT_DOWNLOAD_MAX_BYTES;
    delete process.env.LCS_OBJECT_DOWNLOAD_MAX_OBJECTS;
    resetConfig();
  });

  test('an object deleted between the request and the build', async () => {
    await objectStoreService.store(tenant.orgId, 'vanish/a.txt', Buffer.from('a'));
    await objectStoreService.store(tenant.orgId, 'vanish/b.txt', Buffer.from('b'));
    const jobId = await objectDownloads.record(tenant.orgId, ['vanish'], unqueued);
    await objectStoreService.remove(tenant.orgId, 'vanish/b.txt');
    expect(await buildZip({ kind: 'object-zip', orgId: tenant.orgId, jobId }, { lastAttempt: false })).toBe('failed');
    const polled = await json({ organizationId: tenant.orgId, jobId });
    expect(polled.status).toBe(200);
    expect(polled.body).toEqual({ success: false, errors: [expect.stringMatching(/'vanish\/b\.txt' was deleted before the download was built/)] });
    // Asking again names the objects as they are now: a new job, which succeeds.
    const again = await json({ organizationId: tenant.orgId, keys: ['vanish'] });
    expect(again.body.jobId).not.toBe(jobId);
    expect((await poll(again.body.jobId as string)).body).toMatchObject({ success: true, url: expect.any(String) });
  }, 60_000);

  test('over the limits: refused up front, and at build time when the objects grew past them', async () => {
    await objectStoreService.store(tenant.orgId, 'limits/a.bin', Buffer.alloc(600, 1));
    await objectStoreService.store(tenant.orgId, 'limits/b.bin', Buffer.alloc(600, 2));
    process.env.LCS_OBJECT_DOWNLOAD_MAX_BYTES = '1000';
    resetConfig();
    await expect(objectDownloads.record(tenant.orgId, ['limits'], unqueued)).rejects.toThrow(/at most 10000 objects and 1000 B/);
    process.env.LCS_OBJECT_DOWNLOAD_MAX_OBJECTS = '1';
    resetConfig();
    await expect(objectDownloads.record(tenant.orgId, ['limits/a.bin', 'limits/b.bin'], unqueued)).rejects.toThrow(/at most 1 objects/);

    delete process.env.LCS_OBJECT_DOWNLOAD_MAX_OBJECTS;
    process.env.LCS_OBJECT_DOWNLOAD_MAX_BYTES = '1200';
    resetConfig();
    const jobId = await objectDownloads.record(tenant.orgId, ['limits'], unqueued);
    await objectStoreService.store(tenant.orgId, 'limits/b.bin', Buffer.alloc(700, 3));
    expect(await buildZip({ kind: 'object-zip', orgId: tenant.orgId, jobId }, { lastAttempt: false })).toBe('failed');
    expect((await json({ organizationId: tenant.orgId, jobId })).body).toEqual({
      success: false,
      errors: [expect.stringMatching(/grew past the download limit of 1\.17 KB/)],
    });
  }, 60_000);
});

test("another organization's job is not found, even when done; a job id nobody made is not found", async () => {
  await objectStoreService.store(tenant.orgId, 'private/plan.txt', Buffer.from('mine'));
  const started = await json({ organizationId: tenant.orgId, keys: ['private/plan.txt'] });
  const jobId = started.body.jobId as string;
  expect((await poll(jobId)).body).toMatchObject({ success: true, url: expect.any(String) });
  for (const body of [
    { organizationId: other.orgId, jobId },
    { organizationId: tenant.orgId, jobId },
  ]) {
    const answer = await json(body, other.admin);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ success: false, errors: [expect.stringMatching(/not found/i)] });
    expect(answer.text).not.toContain('http');
  }
  expect((await json({ organizationId: tenant.orgId, jobId: 'f'.repeat(32) })).body).toEqual({ success: false, errors: ['Job not found'] });
}, 60_000);

test.each([
  ['no keys and no jobId', {}],
  ['an empty key list', { keys: [] }],
  ['a job id that is not 32 hex', { jobId: 'not-a-job' }],
  ['a job id of the wrong type', { jobId: { $gt: '' } }],
  ['keys that are not strings', { keys: [1, { a: 2 }] }],
  ['more than 1000 keys', { keys: Array.from({ length: 1001 }, (_, i) => `k${i}`) }],
  ['a key outside the store', { keys: ['../escape'] }],
])('bad input answers the envelope: %s', async (_, body) => {
  const answer = await json({ organizationId: tenant.orgId, ...body });
  expect(answer.status).toBe(200);
  expect(answer.body).toEqual({ success: false, errors: [expect.any(String)] });
});
