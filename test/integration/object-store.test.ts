import { createHash } from 'node:crypto';
import { unzipSync } from 'fflate';
import { objectStoreRepository } from '../../core/data/objects/object-store-repository';
import { type Answer, type Creds, call } from '../support/api';
import { addUser, createTenant, type Tenant } from '../support/tenants';

/** The object store as lean-cli and LEAN use it (contract §3.10): multipart set, zip get job, properties, list, delete. */
let tenant: Tenant;
let other: Tenant;

beforeAll(async () => {
  [tenant, other] = await Promise.all([createTenant('object store'), createTenant('object store other')]);
});

/** `lean cloud object-store set`: form fields plus a file part whose filename is objectData. */
function setObject(creds: Creds, organizationId: string, key: string, data: Uint8Array | string): Promise<Answer> {
  const form = new FormData();
  form.append('organizationId', organizationId);
  form.append('key', key);
  form.append('objectData', new Blob([typeof data === 'string' ? data : Buffer.from(data)]), 'objectData');
  return call('object/set', { multipart: form, creds });
}

const json = (endpoint: string, body: Record<string, unknown>, creds: Creds = tenant.admin) => call(endpoint, { json: body, creds });

/** lean-cli's download: step 1 with keys, poll step 2 until url, GET it without auth, unzip. */
async function download(keys: string[], creds: Creds = tenant.admin, orgId = tenant.orgId): Promise<Record<string, Uint8Array>> {
  const started = await json('object/get', { organizationId: orgId, keys }, creds);
  expect(started.body).toEqual({ success: true, jobId: expect.stringMatching(/^[0-9a-f]{32}$/), url: null });
  const jobId = started.body.jobId as string;
  let url: string | null = null;
  // The zip is built by the zip worker: poll as lean-cli does (it waits up to 5 minutes).
  for (let i = 0; i < 240 && !url; i++) {
    const polled = await json('object/get', { organizationId: orgId, jobId }, creds);
    expect(polled.body).toMatchObject({ success: true, jobId });
    expect(Object.keys(polled.body)).toEqual(expect.arrayContaining(['jobId', 'url']));
    url = polled.body.url as string | null;
    if (!url) await new Promise((r) => setTimeout(r, 250));
  }
  expect(typeof url).toBe('string');
  const response = await fetch(url as string);
  expect(response.status).toBe(200);
  return unzipSync(new Uint8Array(await response.arrayBuffer()));
}

test('set (multipart), get (zip job), properties, list and delete, as lean-cli calls them', async () => {
  const binary = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) % 256);
  expect((await setObject(tenant.admin, tenant.orgId, '/models/weights.bin', binary)).body).toEqual({ success: true });
  expect((await setObject(tenant.admin, tenant.orgId, 'models/notes.txt', 'hello object store\n')).body).toEqual({ success: true });
  expect((await setObject(tenant.admin, tenant.orgId, 'top.json', '{"a":1}')).body).toEqual({ success: true });

  const files = await download(['models/weights.bin', '/top.json']);
  expect(Object.keys(files).sort()).toEqual(['models/weights.bin', 'top.json']);
  expect(Buffer.from(files['models/weights.bin'] as Uint8Array).equals(Buffer.from(binary))).toBe(true);
  expect(Buffer.from(files['top.json'] as Uint8Array).toString()).toBe('{"a":1}');

  // the same request for unchanged objects answers the same job; a changed object makes a new one
  const again = await json('object/get', { organizationId: tenant.orgId, keys: ['/top.json', 'models/weights.bin'] });
  const first = await json('object/get', { organizationId: tenant.orgId, keys: ['top.json', 'models/weights.bin'] });
  expect(again.body.jobId).toBe(first.body.jobId);
  // a folder key downloads everything under it
  expect(Object.keys(await download(['models'])).sort()).toEqual(['models/notes.txt', 'models/weights.bin']);

  const props = await json('object/properties', { organizationId: tenant.orgId, key: 'models/notes.txt' });
  expect(props.body).toEqual({
    success: true,
    metadata: {
      key: 'models/notes.txt',
      modified: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      created: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      size: 19,
      md5: createHash('md5').update('hello object store\n').digest('hex'),
      mime: 'text/plain',
      preview: 'hello object store\n',
    },
  });
  const binProps = await json('object/properties', { organizationId: tenant.orgId, key: '/models/weights.bin' });
  expect(binProps.body.metadata).toMatchObject({ size: 3000, mime: 'application/octet-stream', preview: null });
  const folderProps = await json('object/properties', { organizationId: tenant.orgId, key: 'models' });
  expect(folderProps.body).toMatchObject({ success: false, errors: [expect.stringMatching(/folder/)] });

  const root = await json('object/list', { organizationId: tenant.orgId, path: '/' });
  expect(root.body).toMatchObject({ success: true, path: '/', page: 1, totalPages: 1, objectStorageUsed: 3000 + 19 + 7, objectStorageUsedHuman: '2.96 KB' });
  const entries = root.body.objects as Record<string, unknown>[];
  expect(entries).toEqual([
    { key: 'models', name: 'models', modified: expect.any(String), mime: 'directory', folder: true, isFolder: true, size: 0 },
    { key: 'top.json', name: 'top.json', modified: expect.any(String), mime: 'application/json', folder: false, isFolder: false, size: 7 },
  ]);
  const inside = await json('object/list', { organizationId: tenant.orgId, path: '/models/' });
  expect((inside.body.objects as { key: string }[]).map((o) => o.key)).toEqual(['models/notes.txt', 'models/weights.bin']);
  // `path` is echoed as sent (contract §8 item 12), whichever spelling names the folder.
  expect(inside.body.path).toBe('/models/');
  for (const path of ['models', 'models/', '/models']) {
    const again = await json('object/list', { organizationId: tenant.orgId, path });
    expect(again.body).toMatchObject({ success: true, path });
    expect(again.body.objects).toEqual(inside.body.objects);
  }
  // Each object's mime is the one stored at upload, the value object/properties reports: text
  // without a known extension is text/plain there, so it is here too.
  expect((await setObject(tenant.admin, tenant.orgId, 'models/readme', 'plain words\n')).body).toEqual({ success: true });
  const listed = (await json('object/list', { organizationId: tenant.orgId, path: 'models' })).body.objects as { key: string; mime: string }[];
  for (const key of ['models/notes.txt', 'models/weights.bin', 'models/readme']) {
    const metadata = (await json('object/properties', { organizationId: tenant.orgId, key })).body.metadata as { mime: string };
    expect({ key, mime: listed.find((o) => o.key === key)?.mime }).toEqual({ key, mime: metadata.mime });
  }
  expect(listed.find((o) => o.key === 'models/readme')?.mime).toBe('text/plain');
  expect((await json('object/delete', { organizationId: tenant.orgId, key: 'models/readme' })).body).toEqual({ success: true });

  // replacing an object counts the size difference only
  expect((await setObject(tenant.admin, tenant.orgId, 'top.json', '{}')).body).toEqual({ success: true });
  const changed = await json('object/get', { organizationId: tenant.orgId, keys: ['top.json', 'models/weights.bin'] });
  expect(changed.body.jobId).not.toBe(first.body.jobId);
  expect(Buffer.from((await download(['top.json']))['top.json'] as Uint8Array).toString()).toBe('{}');
  expect((await objectStoreRepository.usage(tenant.orgId)).used).toBe(3000 + 19 + 2);

  expect((await json('object/delete', { organizationId: tenant.orgId, key: 'top.json' })).body).toEqual({ success: true });
  expect((await json('object/properties', { organizationId: tenant.orgId, key: 'top.json' })).body).toMatchObject({ success: false });
  expect((await json('object/delete', { organizationId: tenant.orgId, key: '/models' })).body).toEqual({ success: true });
  const empty = await json('object/list', { organizationId: tenant.orgId });
  expect(empty.body).toMatchObject({ success: true, objects: [], objectStorageUsed: 0, objectStorageUsedHuman: '0 B' });
  expect((await json('object/delete', { organizationId: tenant.orgId, key: 'models' })).body).toMatchObject({ success: false });
}, 120_000);

test.each([
  ['../escape.txt'],
  ['a/../../x'],
  ['//etc/passwd'],
  ['a\\b.txt'],
  ['C:\\x'],
  ['a\u0000b'],
  ['a\nb'],
  ['a//b'],
  ['./a'],
  ['a/'],
  ['\ud800'],
  ['x'.repeat(1025)],
  ['é'.repeat(513)],
  [`/${'y'.repeat(1025)}`],
  [''],
  ['/'],
])('refuses the key %# everywhere and stores nothing', async (key) => {
  // multipart carries text as UTF-8, which turns a lone surrogate into U+FFFD (a valid key): JSON only for that one
  const sets = [await json('object/set', { organizationId: tenant.orgId, key, objectData: 'x' })];
  if (key !== '\ud800') sets.push(await setObject(tenant.admin, tenant.orgId, key, 'x'));
  for (const set of sets) {
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ success: false, errors: [expect.stringMatching(/^key/)] });
  }
  for (const endpoint of ['object/properties', 'object/delete']) {
    expect((await json(endpoint, { organizationId: tenant.orgId, key })).body).toMatchObject({ success: false });
  }
  expect((await json('object/get', { organizationId: tenant.orgId, keys: [key] })).body).toMatchObject({ success: false });
  const listed = await json('object/list', { organizationId: tenant.orgId, path: '/' });
  expect((listed.body.objects as { key: string }[]).filter((o) => !/^(models|top\.json|secret|shared)/.test(o.key))).toEqual([]);
});

test("another organization's objects are invisible", async () => {
  expect((await setObject(tenant.admin, tenant.orgId, 'secret/plan.txt', 'mine')).body).toEqual({ success: true });
  const stranger = other.admin;
  // naming the organization: not found
  for (const [endpoint, body] of [
    ['object/list', { organizationId: tenant.orgId, path: '/' }],
    ['object/properties', { organizationId: tenant.orgId, key: 'secret/plan.txt' }],
    ['object/delete', { organizationId: tenant.orgId, key: 'secret/plan.txt' }],
    ['object/get', { organizationId: tenant.orgId, keys: ['secret/plan.txt'] }],
  ] as const) {
    expect((await json(endpoint, body, stranger)).body).toMatchObject({ success: false, errors: [expect.stringMatching(/not found/i)] });
  }
  // the same keys in the stranger's own organization: empty / not found
  expect((await json('object/list', { organizationId: other.orgId, path: '/' }, stranger)).body).toMatchObject({ success: true, objects: [] });
  expect((await json('object/properties', { organizationId: other.orgId, key: 'secret/plan.txt' }, stranger)).body).toMatchObject({ success: false });
  expect((await json('object/get', { organizationId: other.orgId, keys: ['secret'] }, stranger)).body).toMatchObject({ success: false });
  // a job of another organization is not found
  const started = await json('object/get', { organizationId: tenant.orgId, keys: ['secret/plan.txt'] });
  const jobId = started.body.jobId as string;
  expect((await json('object/get', { organizationId: other.orgId, jobId }, stranger)).body).toMatchObject({
    success: false,
    errors: [expect.stringMatching(/not found/i)],
  });
  expect((await json('object/get', { organizationId: tenant.orgId, jobId }, stranger)).body).toMatchObject({ success: false });
  // still there for its owner
  expect((await json('object/properties', { organizationId: tenant.orgId, key: 'secret/plan.txt' })).body).toMatchObject({ success: true });
});

test('a viewer reads but cannot write', async () => {
  const viewer = await addUser(tenant.orgId, 'viewer');
  expect((await setObject(tenant.admin, tenant.orgId, 'shared/r.txt', 'r')).body).toEqual({ success: true });
  expect((await setObject(viewer, tenant.orgId, 'shared/v.txt', 'v')).body).toMatchObject({ success: false, errors: [expect.stringMatching(/member/)] });
  expect((await json('object/delete', { organizationId: tenant.orgId, key: 'shared/r.txt' }, viewer)).body).toMatchObject({ success: false });
  expect(Buffer.from((await download(['shared/r.txt'], viewer))['shared/r.txt'] as Uint8Array).toString()).toBe('r');
});

test('the quota: an upload past it is refused and leaves nothing behind; replacing counts the difference', async () => {
  const small = await createTenant('object store quota');
  await objectStoreRepository.setQuota(small.orgId, 100);
  const as = small.admin;
  expect((await setObject(as, small.orgId, 'a.bin', 'a'.repeat(60))).body).toEqual({ success: true });
  const refused = await setObject(as, small.orgId, 'b.bin', 'b'.repeat(41));
  expect(refused.body).toMatchObject({ success: false, errors: [expect.stringMatching(/quota/i)] });
  expect(await objectStoreRepository.head(small.orgId, 'b.bin')).toBeUndefined();
  expect(await objectStoreRepository.usage(small.orgId)).toEqual({ used: 60, quota: 100 });
  // growing a.bin to 100 fits (difference 40); to 101 does not, and the old value stays
  expect((await setObject(as, small.orgId, 'a.bin', 'a'.repeat(100))).body).toEqual({ success: true });
  expect((await setObject(as, small.orgId, 'a.bin', 'a'.repeat(101))).body).toMatchObject({ success: false });
  expect((await objectStoreRepository.head(small.orgId, 'a.bin'))?.size).toBe(100);
  // concurrent uploads cannot pass the quota together
  expect((await json('object/delete', { organizationId: small.orgId, key: 'a.bin' }, as)).body).toEqual({ success: true });
  const results = await Promise.all(Array.from({ length: 6 }, (_, i) => setObject(as, small.orgId, `c${i}.bin`, 'c'.repeat(30))));
  expect(results.filter((r) => r.body.success === true)).toHaveLength(3);
  expect((await objectStoreRepository.usage(small.orgId)).used).toBe(90);
  const listed = await json('object/list', { organizationId: small.orgId, path: '/' }, as);
  expect((listed.body.objects as unknown[]).length).toBe(3);
});

test('list pages through a large folder 100 entries at a time', async () => {
  const org = await createTenant('object store paging');
  const keys = Array.from({ length: 105 }, (_, i) => `many/k${String(i).padStart(3, '0')}.txt`);
  for (let i = 0; i < keys.length; i += 15) {
    const batch = await Promise.all(keys.slice(i, i + 15).map((k) => setObject(org.admin, org.orgId, k, 'x')));
    expect(batch.every((r) => r.body.success === true)).toBe(true);
  }
  await setObject(org.admin, org.orgId, 'many/sub/deep.txt', 'y');
  const list = (page?: number) => json('object/list', { organizationId: org.orgId, path: '/many', ...(page ? { page } : {}) }, org.admin);
  const first = await list();
  expect(first.body).toMatchObject({ success: true, path: '/many', page: 1, totalPages: 2, objectStorageUsed: 106 });
  const second = await list(2);
  expect(second.body).toMatchObject({ success: true, page: 2, totalPages: 2 });
  const seen = [...(first.body.objects as { key: string }[]), ...(second.body.objects as { key: string }[])].map((o) => o.key);
  expect(seen.sort()).toEqual([...keys, 'many/sub'].sort());
  expect((first.body.objects as unknown[]).length).toBe(100);
  const past = await list(5);
  expect(past.body).toMatchObject({ success: true, objects: [], page: 5, totalPages: 2 });
  expect((await json('object/delete', { organizationId: org.orgId, key: 'many' }, org.admin)).body).toEqual({ success: true });
  expect((await objectStoreRepository.usage(org.orgId)).used).toBe(0);
}, 60_000);
