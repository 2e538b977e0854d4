import { randomBytes } from 'node:crypto';
import { backtestRepository } from '../../core/data/backtests/backtest-repository';
import { resultStore } from '../../core/data/results/result-store';
import { newBacktest } from '../../core/domain/backtests/backtest-lifecycle';
import { type Answer, type Creds, call, removeStarterFiles } from '../support/api';
import { createTenant, type Tenant } from '../support/tenants';

/**
 * The size limits a deployed server really has (docs/api.md, Limits), enforced the same way by the
 * local server: a synchronous Lambda invoke carries at most 6,291,456 bytes each way, a multipart
 * body reaches the function base64-encoded and a JSON body as an escaped JSON string, and an
 * answer's JSON is escaped once more inside the function's result. The numbers are written out
 * here, not imported, so the arithmetic itself is under test.
 */
const INVOKE_PAYLOAD = 6 * 1024 * 1024; // 6,291,456
const EVENT_BODY = INVOKE_PAYLOAD - 64 * 1024; // 6,225,920: the rest of the event is kept for headers and context
const BINARY_BODY = Math.floor(EVENT_BODY / 4) * 3; // 4,669,440 raw bytes, 6,225,920 in base64
const FILE_MAX = 2 * 1024 * 1024;
const MIB = 1024 * 1024;
const PROJECT_MAX = 5 * 1024 * 1024;

let tenant: Tenant;

beforeAll(async () => {
  tenant = await createTenant('payload limits');
});

function expectRefused(answer: Answer, status: number, pattern: RegExp) {
  expect(answer.status).toBe(status);
  expect(answer.body.success).toBe(false);
  expect(answer.body.errors).toEqual([expect.stringMatching(pattern)]);
}

/** lean-cli's object/set multipart body, built by hand so its size is exact. */
function objectSetBody(key: string, dataBytes: number): { body: Buffer; contentType: string } {
  const boundary = 'lcs-limit-boundary';
  const head =
    `--${boundary}\r\nContent-Disposition: form-data; name="organizationId"\r\n\r\n${tenant.orgId}\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="key"\r\n\r\n${key}\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="objectData"; filename="objectData"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  const data = Buffer.alloc(dataBytes, 0x5a);
  return { body: Buffer.concat([Buffer.from(head), data, Buffer.from(tail)]), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The multipart framing around the object data in `objectSetBody`. */
const framing = (key: string) => objectSetBody(key, 0).body.length;

const properties = (key: string) => call('object/properties', { json: { organizationId: tenant.orgId, key }, creds: tenant.admin });

test('object/set: a multipart body of 4,669,440 bytes (6,225,920 in base64) is stored; one byte more is refused with the envelope and nothing is written', async () => {
  const fits = objectSetBody('limits/fits.bin', BINARY_BODY - framing('limits/fits.bin'));
  expect(fits.body.length).toBe(BINARY_BODY);
  const stored = await call('object/set', { rawBody: fits.body, contentType: fits.contentType, creds: tenant.admin });
  expect(stored.body).toEqual({ success: true });
  expect((await properties('limits/fits.bin')).body.metadata).toMatchObject({ size: BINARY_BODY - framing('limits/fits.bin') });

  const over = objectSetBody('limits/over.bin', BINARY_BODY - framing('limits/over.bin') + 1);
  expect(over.body.length).toBe(BINARY_BODY + 1);
  // Well under API Gateway's 10 MB: only the base64 arithmetic refuses it.
  const refused = await call('object/set', { rawBody: over.body, contentType: over.contentType, creds: tenant.admin });
  expectRefused(refused, 413, /at most 4669440 bytes.*base64/);
  expect((await properties('limits/over.bin')).body.success).toBe(false);
  // Storing 4.6 MB through the local S3 emulator takes about 10 s per MB on a busy machine.
}, 180_000);

async function newProject(creds: Creds): Promise<number> {
  const created = await call('projects/create', {
    json: { name: `Limits ${Math.random().toString(36).slice(2, 8)}`, language: 'Py', organizationId: tenant.orgId },
    creds,
  });
  const projectId = (created.body.projects as { projectId: number }[])[0]?.projectId as number;
  await removeStarterFiles(projectId, creds);
  return projectId;
}

const createFile = (projectId: number, name: string, content: string) => call('files/create', { json: { projectId, name, content }, creds: tenant.admin });
const readFiles = (projectId: number) => call('files/read', { json: { projectId }, creds: tenant.admin });

/** The Lambda result an answer came in: its JSON must fit the invoke payload limit. */
function resultBytes(answer: Answer): number {
  const headers = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
  return Buffer.byteLength(JSON.stringify({ statusCode: answer.status, headers, body: answer.text }));
}

test('a JSON body is measured as the escaped string it is in the event: 3.2 MB of \\" pairs is refused with the envelope', async () => {
  const projectId = await newProject(tenant.admin);
  // 1,600,000 escaped quotes: 3.2 MB of JSON, 6.4 MB once escaped again inside the event.
  const body = JSON.stringify({ projectId, name: 'quotes.py', content: '"'.repeat(1_600_000) });
  expect(Buffer.byteLength(body)).toBeLessThan(EVENT_BODY);
  const refused = await call('files/create', { rawBody: body, contentType: 'application/json', creds: tenant.admin });
  expectRefused(refused, 413, new RegExp(`as JSON text; at most ${EVENT_BODY} fit`));
  expect((await readFiles(projectId)).body).toEqual({ success: true, files: [] });
}, 60_000);

test('files/create and files/update refuse content over the 2 MiB file limit with the envelope', async () => {
  const projectId = await newProject(tenant.admin);
  expect((await createFile(projectId, 'at-limit.py', 'a'.repeat(FILE_MAX))).body).toEqual({ success: true });
  expectRefused(await createFile(projectId, 'over.py', 'a'.repeat(FILE_MAX + 1)), 200, /2097153 bytes, larger than the 2097152-byte file limit/);

  const updated = await call('files/update', { json: { projectId, name: 'at-limit.py', content: 'b'.repeat(FILE_MAX + 1) }, creds: tenant.admin });
  expectRefused(updated, 200, /2097153 bytes, larger than the 2097152-byte file limit/);
  const files = (await readFiles(projectId)).body.files as { name: string; content: string }[];
  expect(files.map((f) => [f.name, f.content.length, f.content[0]])).toEqual([['at-limit.py', FILE_MAX, 'a']]);
}, 60_000);

test('a project is capped at 5 MiB of files/read answer, so files/read of a full project stays under 6 MB', async () => {
  const projectId = await newProject(tenant.admin);
  // A quote takes 4 bytes in the function's result (\\\" : escaped in the answer, then in the result).
  expect((await createFile(projectId, 'a.py', '"'.repeat(MIB))).body.success).toBe(true);
  expect((await createFile(projectId, 'b.py', '"'.repeat(200_000))).body.success).toBe(true);
  // 1,248,576 quotes are 4,994,304 bytes in the result: 100,000 more go over the cap.
  expectRefused(await createFile(projectId, 'c.py', '"'.repeat(100_000)), 200, new RegExp(`over the ${PROJECT_MAX}-byte project limit`));
  const grown = await call('files/update', { json: { projectId, name: 'b.py', content: '"'.repeat(300_000) }, creds: tenant.admin });
  expectRefused(grown, 200, new RegExp(`over the ${PROJECT_MAX}-byte project limit`));
  // lean-cli's push replaces the whole file set: the same cap.
  const pushed = await call('projects/update', {
    form: [
      ['projectId', projectId],
      ['files[0][name]', 'a.py'],
      ['files[0][content]', '"'.repeat(MIB)],
      ['files[1][name]', 'b.py'],
      ['files[1][content]', '"'.repeat(200_000)],
      ['files[2][name]', 'c.py'],
      ['files[2][content]', '"'.repeat(100_000)],
    ],
    creds: tenant.admin,
  });
  expectRefused(pushed, 200, new RegExp(`over the ${PROJECT_MAX}-byte project limit`));
  // A smaller file still fits, and the whole project reads in one answer.
  expect((await createFile(projectId, 'c.py', 'print(1)\n')).body.success).toBe(true);

  const read = await readFiles(projectId);
  expect(read.body.success).toBe(true);
  expect((read.body.files as { name: string }[]).map((f) => f.name)).toEqual(['a.py', 'b.py', 'c.py']);
  const bytes = resultBytes(read);
  expect(bytes).toBeGreaterThan(4_900_000);
  expect(bytes).toBeLessThanOrEqual(PROJECT_MAX);
  expect(bytes).toBeLessThan(INVOKE_PAYLOAD);
}, 60_000);

/** A completed backtest with this report, written straight into the storage the test server uses. */
async function backtestWithReport(projectId: number, html: string): Promise<string> {
  const backtestId = randomBytes(16).toString('hex');
  await resultStore.writeReport(projectId, backtestId, html);
  await backtestRepository.put(
    newBacktest({
      backtestId,
      projectId,
      orgId: tenant.orgId,
      userId: tenant.admin.userId,
      compileId: `${'c'.repeat(32)}-${'d'.repeat(32)}`,
      name: 'Report size',
      phase: 'completed',
      progress: 1,
      resultsReady: true,
      reportReady: true,
    }),
  );
  return backtestId;
}

test('backtests/read/report: LEAN reads the HTML inline, so a report too large for one answer is refused with its size', async () => {
  const projectId = await newProject(tenant.admin);
  const read = (backtestId: string) => call('backtests/read/report', { json: { projectId, backtestId }, creds: tenant.admin });
  const tag = '<p class="a" id="b">';
  const fits = tag.repeat(50_000);
  const served = await read(await backtestWithReport(projectId, fits));
  expect(served.body).toEqual({ success: true, report: fits });
  expect(resultBytes(served)).toBeLessThan(INVOKE_PAYLOAD);

  // 200,000 × 20 bytes = 4 MB of HTML; each quote takes 4 bytes of the result: 6.4 MB.
  const refused = await read(await backtestWithReport(projectId, tag.repeat(200_000)));
  expectRefused(refused, 200, /^The report takes \d+ bytes in an answer, more than the 6287360 that fit/);
}, 60_000);
