import qs from 'qs';
import { routes } from '../../lambdas/api/routes';
import type { RouteDef } from '../../lambdas/api/routes/route-types';
import { type Answer, apiUrl, call } from '../support/api';
import { buildFixture, type Fixture, type Params, sampleCoverage, sampleFor, stopLiveDeployments, validSummary } from '../support/route-samples';
import { expectEnvelope, postAs, rows, shapeOf, summary } from './contract-helpers';

/**
 * Transport and envelope rules (contract §2), generated from the route table: GET with a query,
 * POST with JSON and POST with a bracket-key form give the same answer; trailing and doubled
 * slashes, empty POSTs (what LEAN sends), string spellings of numbers and booleans and `""` for
 * "not given" all work; every answer is the JSON envelope.
 */
// Live samples deploy (a project, a compile, a runner and LEAN each): far beyond the 5 s default.
jest.setTimeout(180_000);
let f: Fixture;

beforeAll(async () => {
  f = await buildFixture('transport');
}, 60_000);

// The samples deploy live algorithms: stop them, so later files do not share the machine with them.
afterAll(() => stopLiveDeployments(f), 120_000);

const ok = { status: 200, success: true, errors: undefined };

/** Reads compare whole answers; writes (fresh ids, new names) compare the answer's structure. */
// Live answers move between two calls (a running deployment publishes every few seconds): like
// mutating routes, they are compared by shape.
const comparable = (route: RouteDef, answer: Answer) => (route.mutating || route.path.startsWith('live/') ? shapeOf(answer.body) : answer.body);

/** Every number as its decimal text and every boolean as .NET/Python spell it ("True"), at any depth. */
function stringly(value: unknown): unknown {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (Array.isArray(value)) return value.map(stringly);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stringly(v)]));
  return value;
}

test('every route of the table has a contract sample, and every sample names a route', () => {
  expect(sampleCoverage()).toEqual({ missing: [], stale: [] });
  expect(() => sampleFor('no/such/route')).toThrow(/has no contract sample/);
});

describe.each(rows(routes))('%s', (_path, route) => {
  const creds = () => (route.role === 'public' ? undefined : f.admin);

  test('GET with a query string, POST with JSON, a bracket-key form or multipart answer the same', async () => {
    const viaJson = await call(route.path, { method: 'POST', json: await sampleFor(route)(f), creds: creds() });
    const query = qs.stringify(await sampleFor(route)(f));
    const viaGet = await call(route.path, { method: 'GET', path: `${apiUrl()}${route.path}${query ? `?${query}` : ''}`, creds: creds() });
    const form = qs.stringify(await sampleFor(route)(f));
    const viaForm = await call(route.path, { method: 'POST', rawBody: form, contentType: 'application/x-www-form-urlencoded', creds: creds() });
    const multipart = new FormData();
    for (const [key, value] of new URLSearchParams(qs.stringify(await sampleFor(route)(f)))) multipart.append(key, value);
    const viaMultipart = await call(route.path, { method: 'POST', multipart, creds: creds() });
    for (const [how, answer] of [
      ['POST JSON', viaJson],
      ['GET query', viaGet],
      ['POST form', viaForm],
      ['POST multipart', viaMultipart],
    ] as const) {
      expect({ how, ...summary(answer) }).toEqual({ how, ...validSummary(route.path) });
      expect(answer.text.startsWith('{')).toBe(true);
    }
    expect(comparable(route, viaGet)).toEqual(comparable(route, viaJson));
    expect(comparable(route, viaForm)).toEqual(comparable(route, viaJson));
    expect(comparable(route, viaMultipart)).toEqual(comparable(route, viaJson));
  });

  test('answers JSON with the envelope content type', async () => {
    const answer = await call(route.path, { method: 'POST', json: await sampleFor(route)(f), creds: creds() });
    expect(summary(answer)).toEqual(validSummary(route.path));
    const raw = await fetch(`${apiUrl()}${route.path}`, { method: 'POST' });
    expect(raw.headers.get('content-type')).toMatch(/^application\/json/);
  });

  test('a trailing slash, a doubled slash and both are tolerated', async () => {
    const base = apiUrl().replace(/\/$/, '');
    for (const url of [`${base}/${route.path}/`, `${base}//${route.path}`, `${base}//${route.path}/`, `${base}//${route.path.replace('/', '//')}/`]) {
      const answer = await call(route.path, { path: url, method: 'POST', json: await sampleFor(route)(f), creds: creds() });
      expect({ url, ...summary(answer) }).toEqual({ url, ...validSummary(route.path) });
    }
  });

  test('numbers sent as "123" and booleans as "True"/"False" are read as numbers and booleans', async () => {
    const sample = await sampleFor(route)(f);
    const answer = await postAs(route, stringly(sample) as Params, creds() ?? f.admin);
    expect(summary(answer)).toEqual(validSummary(route.path));
  });

  test('an empty string for an optional field means "not given": the same answer as leaving it out', async () => {
    const sample = await sampleFor(route)(f);
    // The fields the schema reads "" as absent for (qc.optional); "" stays a value elsewhere (file content).
    const blankable = Object.keys(sample).filter((key) => {
      const parsed = route.schema.safeParse({ ...sample, [key]: '' });
      return parsed.success && (parsed.data as Params)[key] === undefined;
    });
    for (const key of blankable) {
      const { [key]: _dropped, ...without } = await sampleFor(route)(f);
      const blank = await postAs(route, { ...(await sampleFor(route)(f)), [key]: '' }, creds() ?? f.admin);
      const omitted = await postAs(route, without, creds() ?? f.admin);
      expect({ key, ...summary(blank) }).toEqual({ key, ...summary(omitted) });
      expect(comparable(route, blank)).toEqual(comparable(route, omitted));
    }
  });
});

const acceptsNothing = routes.filter((r) => r.schema.safeParse({}).success);

test('the routes LEAN calls with an empty POST are among those whose schema needs nothing', () => {
  const paths = acceptsNothing.map((r) => r.path);
  for (const path of ['organizations/read', 'account/read', 'projects/read', 'lean/versions/read', 'authenticate', 'organizations/list'])
    expect(paths).toContain(path);
});

test.each(rows(acceptsNothing))('%s works with an empty POST, with or without a content type', async (_path, route) => {
  const creds = route.role === 'public' ? undefined : f.admin;
  for (const contentType of [undefined, 'application/json', 'application/x-www-form-urlencoded', 'text/plain']) {
    const answer = await call(route.path, { method: 'POST', rawBody: '', contentType, creds });
    expect({ contentType, ...summary(answer) }).toEqual({ contentType, ...validSummary(route.path) });
  }
  const nullJson = await call(route.path, { method: 'POST', rawBody: 'null', contentType: 'application/json', creds });
  expect(summary(nullJson)).toEqual(validSummary(route.path));
});

test('an empty POST reads the caller’s preferred organization, as LEAN expects', async () => {
  const account = await call('account/read', { method: 'POST', creds: f.admin });
  expect(account.body).toMatchObject({ success: true, organizationId: f.orgId });
  const org = await call('organizations/read', { method: 'POST', creds: f.admin });
  expect((org.body.organization as { id: string }).id).toBe(f.orgId);
  const list = await call('projects/read', { method: 'POST', creds: f.admin });
  expect((list.body.projects as { projectId: number }[]).map((p) => p.projectId)).toContain(f.projectId);
});

test('query and body are merged, and the body wins for a field sent in both', async () => {
  const answer = await call('files/read', {
    method: 'POST',
    path: `${apiUrl()}files/read?projectId=1&name=${encodeURIComponent(f.fileName)}`,
    json: { projectId: f.projectId },
    creds: f.admin,
  });
  expect(summary(answer)).toEqual(ok);
  expect((answer.body.files as { name: string; content: string }[])[0]).toMatchObject({ name: f.fileName, content: f.fileContent });
});

test('a failure is the envelope too: success false and a list of "<field>: <problem>" errors', async () => {
  const answer = await postAs('files/read', { projectId: 'abc' }, f.admin);
  expect(summary(answer)).toEqual({ status: 200, success: false, errors: [expect.stringMatching(/^projectId: /)] });
  expectEnvelope(answer);
  const missing = await postAs('files/create', {}, f.admin);
  expect(missing.body.errors).toEqual(
    // content may be left out (an empty file, as QuantConnect does).
    expect.arrayContaining([expect.stringMatching(/^projectId: /), expect.stringMatching(/^name: /)]),
  );
});

test('query parameters, headers and multipart parts named __proto__ or constructor are plain data', async () => {
  const query = `__proto__=x&constructor=y&organizationId=${f.orgId}&__proto__[polluted]=1`;
  const viaGet = await call('projects/read', { method: 'GET', path: `${apiUrl()}projects/read?${query}`, creds: f.admin, headers: { __proto__: 'header' } });
  expect(summary(viaGet)).toEqual(ok);
  const multipart = new FormData();
  multipart.append('projectId', String(f.projectId));
  multipart.append('__proto__', new Blob(['x']), 'a.py');
  multipart.append('constructor', 'y');
  const viaMultipart = await call('files/read', { method: 'POST', multipart, creds: f.admin });
  expect(summary(viaMultipart)).toEqual(ok);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

test('a multipart field larger than 1 MB arrives whole (not cut to busboy’s default limit)', async () => {
  const projectId = await f.freshProject();
  const content = `# ${'x'.repeat(1_500_000)}`;
  const multipart = new FormData();
  multipart.append('projectId', String(projectId));
  multipart.append('name', 'big.py');
  multipart.append('content', content);
  expect(summary(await call('files/create', { method: 'POST', multipart, creds: f.admin }))).toEqual(ok);
  const read = await postAs('files/read', { projectId, name: 'big.py' }, f.admin);
  expect((read.body.files as { content: string }[])[0]?.content.length).toBe(content.length);
});
