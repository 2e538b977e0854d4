import fc from 'fast-check';
import qs from 'qs';
import { type RoutePath, routes } from '../../lambdas/api/routes';
import type { RouteDef } from '../../lambdas/api/routes/route-types';
import { endpointFromPath } from '../../lambdas/api/transport';
import { type Answer, apiUrl, call } from '../support/api';
import { buildFixture, DEPLOYING_SAMPLES, type Fixture, type Params, rand, sampleFor, stopLiveDeployments, validSummary } from '../support/route-samples';
import { envelopeProblem, expectEnvelope, postAs, rows, schemaFields, snapshotOf, summary } from './contract-helpers';

/**
 * Bad input, property-based over every route of the table: whatever arrives (random JSON, wrong
 * types, huge strings, bracket-key forms, malformed JSON or multipart, odd content types, random
 * queries) the answer is HTTP 200 and a QuantConnect envelope, failures list their errors, nothing
 * is an "Internal error", and a failed call to a mutating route leaves the organisation unchanged.
 */
const RUNS = Number(process.env.LCS_CONTRACT_RUNS ?? 20);
const MAX_BODY = 10 * 1024 * 1024;

let f: Fixture;

beforeAll(async () => {
  f = await buildFixture('bad-input');
}, 60_000);

// The samples deploy live algorithms: stop them, so later files do not share the machine with them.
afterAll(() => stopLiveDeployments(f), 120_000);

type Junk =
  | { kind: 'json-value'; value: unknown }
  | { kind: 'wrong-type'; field: string; value: unknown }
  | { kind: 'huge'; field: string; size: number }
  | { kind: 'extra-fields'; extra: Record<string, unknown> }
  | { kind: 'form'; pairs: [string, string][]; withSample: boolean }
  | { kind: 'query'; pairs: [string, string][]; withSample: boolean }
  | { kind: 'bad-json'; text: string }
  | { kind: 'multipart'; contentType: string; body: string }
  | { kind: 'content-type'; contentType: string; body: 'sample-json' | 'sample-form' | 'junk'; junk: string };

const oddValues = fc.constantFrom<unknown>(
  null,
  true,
  false,
  0,
  -1,
  1.5,
  2 ** 53,
  -(2 ** 31),
  1e308,
  '',
  ' ',
  '0',
  '-7',
  '1.5',
  '1e999',
  'True',
  'false',
  'null',
  'NaN',
  'Infinity',
  '__proto__',
  '../../etc/passwd',
  '/abs.py',
  'a\\b.py',
  '\u0000',
  '\ud800',
  'a'.repeat(600),
  [],
  {},
  [[]],
  [null],
  { $ne: 1 },
  { 0: 'a', 1: 'b' },
  { __proto__: { polluted: true } },
);

const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  oddValues,
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
);

/** Path-like names built from the pieces that break paths. */
const pathish = fc
  .array(fc.constantFrom('a', 'main.py', '..', '.', '', ' ', ' b ', '\\', '\u0000', '\n', 'ü', '%2e%2e', '~', 'x'.repeat(300), '\ud800'), {
    minLength: 1,
    maxLength: 4,
  })
  .map((parts) => parts.join('/'));

/** Unified diffs with random file names, hunk headers and line prefixes (small line numbers). */
const patchText = fc
  .tuple(
    fc.constantFrom('a/main.py', 'main.py', '/dev/null', 'a/../x.py', 'a/new.py', 'a/', ''),
    fc.constantFrom('b/main.py', 'main.py', '/dev/null', 'b/../x.py', 'b/new.py', 'b/dir/', ''),
    fc.array(
      fc.tuple(
        fc.nat(60),
        fc.nat(6),
        fc.nat(60),
        fc.nat(6),
        fc.array(fc.tuple(fc.constantFrom(' ', '-', '+', '\\', '?', ''), fc.constantFrom('a = 1', 'b = 2', 'b = 3', '', ' No newline at end of file', 'x')), {
          maxLength: 6,
        }),
      ),
      { maxLength: 3 },
    ),
    fc.boolean(),
  )
  .map(([from, to, hunks, gitHeader]) =>
    [
      ...(gitHeader ? [`diff --git ${from} ${to}`, 'index 0000000..1111111 100644'] : []),
      `--- ${from}`,
      `+++ ${to}`,
      ...hunks.flatMap(([os, ol, ns, nl, lines]) => [`@@ -${os},${ol} +${ns},${nl} @@`, ...lines.map(([prefix, text]) => prefix + text)]),
      '',
    ].join('\n'),
  );

/** Junk shaped like what a field holds, so it gets past the first type check more often. */
const FIELD_JUNK: Record<string, fc.Arbitrary<unknown>> = {
  patch: patchText,
  name: pathish,
  newName: pathish,
  files: fc.array(fc.record({ name: fc.oneof(pathish, junkValue), content: fc.oneof(fc.string(), junkValue) }, { requiredKeys: [] }), { maxLength: 5 }),
  parameters: fc.oneof(
    fc.array(fc.record({ key: fc.oneof(fc.string(), junkValue), name: junkValue, value: junkValue }, { requiredKeys: [] }), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 6 }), junkValue, { maxKeys: 4 }),
  ),
  libraries: fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 12 }), junkValue), { maxLength: 5 }),
  nodes: fc.array(fc.oneof(fc.string({ maxLength: 20 }), junkValue), { maxLength: 5 }),
  versionId: fc.oneof(fc.integer(), junkValue),
  leanEnvironment: fc.oneof(fc.integer(), junkValue),
  language: fc.oneof(fc.constantFrom('Py', 'C#', 'py', 'F#', 'Python', ''), junkValue),
  collaboratorUserId: fc.oneof(fc.nat().map(String), fc.constantFrom('0', '000000000000001', '9'.repeat(16), ' 1', '1 '), junkValue),
  collaboratorId: fc.oneof(fc.nat().map(String), fc.constantFrom('0', '9'.repeat(16)), junkValue),
  start: fc.oneof(fc.integer({ min: -5, max: 5 }), junkValue),
  end: fc.oneof(fc.integer({ min: -5, max: 5 }), junkValue),
};

const formValue = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('', '0', '-1', '1e999', 'True', 'x'.repeat(300), '\ud83d', '%zz', '&=&'),
);

/** Field names of the route, plus the list fields lean-cli sends, to build bracket keys from. */
function fieldNames(route: RouteDef): string[] {
  return [...new Set([...schemaFields(route), 'projectId', 'organizationId', 'files', 'parameters', 'libraries'])];
}

function bracketKey(route: RouteDef): fc.Arbitrary<string> {
  const segment = fc.oneof(
    fc.constantFrom('', '0', '1', '10000', '99999999', '-1', 'name', 'content', 'key', 'value', '__proto__', 'constructor', 'prototype', 'length'),
    fc.string({ maxLength: 5 }),
  );
  return fc
    .tuple(fc.constantFrom(...fieldNames(route), '__proto__', 'constructor'), fc.array(segment, { maxLength: 10 }))
    .map(([base, segments]) => base + segments.map((s) => `[${s}]`).join(''));
}

const malformedJson = fc.oneof(
  fc.constantFrom(
    '{',
    '{"projectId":',
    '{"a":1,}',
    "{'projectId':1}",
    '{"a":1}}',
    '[',
    'nul',
    '{"a": NaN}',
    '\uFEFF{"a":1}',
    '{"name":"\\ud800"}',
    '{"__proto__": {"polluted": 1}}',
    '{"constructor": {"prototype": {"polluted": 1}}}',
    '1',
    '"text"',
    'true',
    '[]',
    '[{"projectId":1}]',
    '{"projectId": 1e999}',
    '{"projectId": -0}',
    `${'['.repeat(5000)}${']'.repeat(5000)}`,
    `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`,
  ),
  fc.string({ maxLength: 50 }).map((s) => `{${s}`),
  fc.string({ unit: 'binary', maxLength: 50 }),
);

function multipartBody(boundary: string, parts: { name: string; value: string; filename?: string }[], truncateAt?: number): string {
  const text = `${parts
    .map(
      (p) =>
        `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}\r\n${p.filename !== undefined ? 'Content-Type: application/octet-stream\r\n' : ''}\r\n${p.value}\r\n`,
    )
    .join('')}--${boundary}--\r\n`;
  return truncateAt === undefined ? text : text.slice(0, Math.floor(text.length * truncateAt));
}

function multipart(route: RouteDef): fc.Arbitrary<Junk> {
  const part = fc.record({
    name: fc.oneof(fc.constantFrom(...fieldNames(route)), bracketKey(route), fc.constantFrom('__proto__', 'constructor', '')),
    value: formValue,
    filename: fc.option(fc.constantFrom('a.py', '', '../x', 'f"q.py'), { nil: undefined }),
  });
  return fc.oneof(
    // A well-formed multipart body with junk fields and file parts.
    fc
      .array(part, { maxLength: 6 })
      .map((parts) => ({ kind: 'multipart' as const, contentType: 'multipart/form-data; boundary=XyZ', body: multipartBody('XyZ', parts) })),
    // Truncated, with a boundary that is not in the body, without a boundary, or plain garbage.
    fc
      .tuple(fc.array(part, { minLength: 1, maxLength: 4 }), fc.double({ min: 0.05, max: 0.95, noNaN: true }))
      .map(([parts, cut]) => ({ kind: 'multipart' as const, contentType: 'multipart/form-data; boundary=XyZ', body: multipartBody('XyZ', parts, cut) })),
    fc
      .array(part, { minLength: 1, maxLength: 4 })
      .map((parts) => ({ kind: 'multipart' as const, contentType: 'multipart/form-data; boundary=Other', body: multipartBody('XyZ', parts) })),
    fc
      .array(part, { minLength: 1, maxLength: 4 })
      .map((parts) => ({ kind: 'multipart' as const, contentType: 'multipart/form-data', body: multipartBody('XyZ', parts) })),
    fc
      .tuple(
        fc.constantFrom(
          'multipart/form-data; boundary=XyZ',
          'multipart/form-data; boundary=',
          'multipart/form-data; boundary="unterminated',
          'multipart/mixed; boundary=XyZ',
        ),
        fc.string({ unit: 'binary', maxLength: 200 }),
      )
      .map(([contentType, body]) => ({ kind: 'multipart' as const, contentType, body })),
  );
}

function junkFor(route: RouteDef): fc.Arbitrary<Junk> {
  const fields = fieldNames(route);
  const pairs = fc.array(fc.tuple(fc.oneof(bracketKey(route), fc.string({ maxLength: 10 })), formValue), { maxLength: 12 });
  return fc.oneof(
    fc.jsonValue({ maxDepth: 4 }).map((value) => ({ kind: 'json-value' as const, value })),
    fc.record({ kind: fc.constant('wrong-type' as const), field: fc.constantFrom(...fields), value: junkValue }),
    fc.constantFrom(...fields).chain((field) => (FIELD_JUNK[field] ?? junkValue).map((value) => ({ kind: 'wrong-type' as const, field, value }))),
    fc.constantFrom(...fields).chain((field) => (FIELD_JUNK[field] ?? junkValue).map((value) => ({ kind: 'wrong-type' as const, field, value }))),
    fc.record({ kind: fc.constant('huge' as const), field: fc.constantFrom(...fields), size: fc.constantFrom(70_000, 600_000, 3_000_000) }),
    fc.record({ kind: fc.constant('extra-fields' as const), extra: fc.dictionary(fc.string({ maxLength: 12 }), junkValue, { maxKeys: 6 }) }),
    fc.record({ kind: fc.constant('form' as const), pairs, withSample: fc.boolean() }),
    fc.record({ kind: fc.constant('query' as const), pairs, withSample: fc.boolean() }),
    malformedJson.map((text) => ({ kind: 'bad-json' as const, text })),
    multipart(route),
    fc.record({
      kind: fc.constant('content-type' as const),
      contentType: fc.oneof(
        fc.constantFrom(
          'text/plain',
          'application/xml',
          'application/octet-stream',
          'application/json; charset=latin1',
          'application/x-www-form-urlencoded; charset=utf-16',
          'application/vnd.api+json',
          'image/png',
          'garbage',
          ';;;',
          'application/json, text/plain',
          'APPLICATION/JSON',
        ),
        fc.string({ maxLength: 30 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
      ),
      body: fc.constantFrom('sample-json' as const, 'sample-form' as const, 'junk' as const),
      junk: fc.string({ unit: 'binary', maxLength: 100 }),
    }),
  );
}

/** Sends one junk request for `route`, with valid credentials (the fixture admin's QuantConnect hash). */
function send(route: RouteDef, junk: Junk, sample: Params): Promise<Answer> {
  const creds = f.admin;
  const form = (pairs: [string, string][], withSample: boolean) => {
    const base = withSample ? qs.stringify(sample) : '';
    const extra = new URLSearchParams(pairs).toString();
    return [base, extra].filter(Boolean).join('&');
  };
  switch (junk.kind) {
    case 'json-value':
      return call(route.path, { method: 'POST', rawBody: JSON.stringify(junk.value) ?? 'null', contentType: 'application/json', creds });
    case 'wrong-type':
      return call(route.path, { method: 'POST', rawBody: JSON.stringify({ ...sample, [junk.field]: junk.value }), contentType: 'application/json', creds });
    case 'huge':
      return call(route.path, { method: 'POST', json: { ...sample, [junk.field]: 'x'.repeat(junk.size) }, creds });
    case 'extra-fields':
      return call(route.path, { method: 'POST', rawBody: JSON.stringify({ ...junk.extra, ...sample }), contentType: 'application/json', creds });
    case 'form':
      return call(route.path, { method: 'POST', rawBody: form(junk.pairs, junk.withSample), contentType: 'application/x-www-form-urlencoded', creds });
    case 'query': {
      const query = form(junk.pairs, junk.withSample);
      return call(route.path, { method: 'GET', path: `${apiUrl()}${route.path}${query ? `?${query}` : ''}`, creds });
    }
    case 'bad-json':
      return call(route.path, { method: 'POST', rawBody: junk.text, contentType: 'application/json', creds });
    case 'multipart':
      return call(route.path, { method: 'POST', rawBody: junk.body, contentType: junk.contentType, creds });
    case 'content-type': {
      const body = junk.body === 'sample-json' ? JSON.stringify(sample) : junk.body === 'sample-form' ? qs.stringify(sample) : junk.junk;
      return call(route.path, { method: 'POST', rawBody: body, contentType: junk.contentType, creds });
    }
  }
}

function describeJunk(junk: Junk): string {
  const text = JSON.stringify(junk, (_k, v) => (typeof v === 'string' && v.length > 200 ? `${v.slice(0, 60)}…(${v.length} chars)` : v));
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}

test('every route of the table is fuzzed below', () => {
  expect(rows(routes).map(([p]) => p)).toEqual(routes.map((r) => r.path));
  for (const route of routes) expect(() => sampleFor(route)).not.toThrow();
});

describe.each(rows(routes))('%s', (_path, route) => {
  test(
    'random junk always gets HTTP 200 and an envelope, never an internal error, and a failed write changes nothing',
    async () => {
      let sample = await sampleFor(route)(f);
      let successes = 0;
      await fc.assert(
        fc.asyncProperty(junkFor(route), async (junk) => {
          const before = route.mutating ? await snapshotOf(f) : undefined;
          const answer = await send(route, junk, sample);
          const problem = answer.status !== 200 ? `HTTP ${answer.status}: ${answer.text.slice(0, 300)}` : envelopeProblem(answer);
          if (problem) throw new Error(`${problem}\nrequest: ${describeJunk(junk)}`);
          if (answer.body.success === true) {
            successes++;
            // The sample's resources may be used up (a deleted project): take fresh ones.
            if (route.mutating) sample = await sampleFor(route)(f);
            return;
          }
          if (before) {
            const after = await snapshotOf(f);
            if (JSON.stringify(after) !== JSON.stringify(before)) {
              expect({ request: describeJunk(junk), errors: answer.body.errors, state: after }).toEqual({
                request: describeJunk(junk),
                errors: answer.body.errors,
                state: before,
              });
            }
          }
        }),
        { numRuns: RUNS, endOnFailure: true },
      );
      // The junk did not break the route: its valid sample still works (a feature the test server
      // leaves off answers its "not enabled" error, as valid input does there).
      expect(summary(await postAs(route, await sampleFor(route)(f), f.admin))).toEqual(validSummary(route.path));
      expect(successes).toBeLessThanOrEqual(RUNS);
      // A route whose valid sample starts or stops a live runner takes a fresh deployment after each
      // success (a runner process start, seconds each): on a loaded two-core CI one such route took
      // over 60 s, and its leftover work then changed the state the next routes compare against.
    },
    DEPLOYING_SAMPLES.has(route.path as RoutePath) ? 240_000 : 60_000,
  );
});

describe('size and path limits', () => {
  const oversized = Buffer.alloc(MAX_BODY + 1, 'a');

  test.each(rows(routes))('%s: a body over 10 MB gets HTTP 413 and an envelope', async (_path, route) => {
    const answer = await call(route.path, { method: 'POST', rawBody: oversized, contentType: 'application/octet-stream', creds: f.admin });
    expect(answer.status).toBe(413);
    expectEnvelope(answer);
    expect(answer.body.success).toBe(false);
  });

  test('unknown endpoints get HTTP 404 and an envelope, with or without credentials', async () => {
    const known = new Set<string>(routes.map((r) => r.path));
    const segment = fc.oneof(
      fc.constantFrom('projects', 'files', 'read', 'create', 'backtests', 'live', 'v2', 'api', '..', '%2e%2e', 'x'),
      fc.stringMatching(/^[a-z0-9_-]{1,10}$/),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { minLength: 1, maxLength: 5 }), fc.boolean(), async (segments, withCreds) => {
        const endpoint = segments.join('/');
        // What the server will see once the URL is normalised ('..' and '%2e%2e' segments resolved).
        const resolved = new URL(endpoint, apiUrl()).pathname;
        fc.pre(!(/^\/api\/v2\//.test(resolved) && known.has(endpointFromPath(resolved))));
        // `/` itself is the web console's page (local/console-files.ts), when it is built.
        fc.pre(resolved !== '/');
        const answer = await call(endpoint, { method: withCreds ? 'POST' : 'GET', json: withCreds ? {} : undefined, creds: withCreds ? f.admin : undefined });
        if (answer.status !== 404 || envelopeProblem(answer)) throw new Error(`/${endpoint}: HTTP ${answer.status} ${answer.text.slice(0, 200)}`);
      }),
      { numRuns: 40 },
    );
    const outside = await call('', { path: `${apiUrl().replace(/api\/v2\/$/, '')}not-the-api`, method: 'GET' });
    expect(outside.status).toBe(404);
    expectEnvelope(outside);
  });

  test('methods other than GET and POST get an envelope naming the allowed methods', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const answer = await call('projects/read', { method, json: { organizationId: f.orgId }, creds: f.admin });
      expect({ method, status: answer.status }).toEqual({ method, status: 405 });
      expectEnvelope(answer, method);
      expect(answer.body.errors?.[0]).toMatch(/GET or POST/);
    }
  });
});

test('a multipart body cut off inside a file part is refused as malformed, and the server keeps serving', async () => {
  const projectId = await f.freshProject();
  const body = multipartBody('XyZ', [
    { name: 'projectId', value: String(projectId) },
    { name: 'upload', value: 'y'.repeat(5000), filename: 'a.py' },
  ]).slice(0, 400);
  for (const path of ['files/read', 'health']) {
    const answer = await call(path, { method: 'POST', rawBody: body, contentType: 'multipart/form-data; boundary=XyZ', creds: f.admin });
    expect(summary(answer)).toEqual({ status: 200, success: false, errors: ['request: malformed multipart body'] });
  }
  expect(summary(await postAs('authenticate', {}, f.admin))).toEqual({ status: 200, success: true, errors: undefined });
});

describe('no partial writes', () => {
  async function expectRefusedWithoutChange(path: string, params: Params, error: RegExp) {
    const before = await snapshotOf(f);
    const answer = await postAs(path, params, f.admin);
    expect(summary(answer)).toEqual({ status: 200, success: false, errors: [expect.stringMatching(error)] });
    expect(await snapshotOf(f)).toEqual(before);
  }

  test('projects/update renaming a project together with an invalid file writes neither', async () => {
    const projectId = await f.freshProject([{ name: 'main.py', content: 'x = 1\n' }]);
    await expectRefusedWithoutChange(
      'projects/update',
      {
        projectId,
        name: `Contract/renamed-${rand()}`,
        description: 'changed',
        files: [
          { name: 'main.py', content: 'x = 2\n' },
          { name: '../escape.py', content: 'x' },
        ],
      },
      /files\.1\.name/,
    );
  });

  test('projects/update renaming a project together with an unknown library writes neither', async () => {
    const projectId = await f.freshProject([{ name: 'main.py', content: 'x = 1\n' }]);
    await expectRefusedWithoutChange(
      'projects/update',
      { projectId, name: `Contract/renamed-${rand()}`, files: [{ name: 'main.py', content: 'x = 3\n' }], libraries: [1_999_999_999] },
      /not found/i,
    );
  });

  test('projects/update with a duplicate file name or duplicate parameter writes nothing', async () => {
    const projectId = await f.freshProject([{ name: 'main.py', content: 'x = 1\n' }]);
    const files = [
      { name: 'a.py', content: '1' },
      { name: 'a.py', content: '2' },
    ];
    await expectRefusedWithoutChange('projects/update', { projectId, description: 'changed', files }, /listed twice/);
    const parameters = [
      { key: 'p', value: '1' },
      { key: 'p', value: '2' },
    ];
    await expectRefusedWithoutChange('projects/update', { projectId, description: 'changed', parameters }, /duplicate/);
  });

  test('files/patch whose second file section does not apply changes neither file', async () => {
    const projectId = await f.freshProject([
      { name: 'a.py', content: 'a = 1\n' },
      { name: 'b.py', content: 'b = 1\n' },
    ]);
    const patch = ['--- a/a.py', '+++ b/a.py', '@@ -1 +1 @@', '-a = 1', '+a = 2', '--- a/b.py', '+++ b/b.py', '@@ -1 +1 @@', '-b = 9', '+b = 2', ''].join('\n');
    const before = await snapshotOf(f);
    const answer = await postAs('files/patch', { projectId, patch }, f.admin);
    expect(summary(answer)).toEqual({ status: 200, success: false, errors: [expect.stringMatching(/b\.py/)] });
    expect(await snapshotOf(f)).toEqual(before);
    const files = await postAs('files/read', { projectId }, f.admin);
    expect((files.body.files as { name: string; content: string }[]).map((x) => [x.name, x.content]).sort()).toEqual([
      ['a.py', 'a = 1\n'],
      ['b.py', 'b = 1\n'],
    ]);
  });

  test('files/create with empty content, or a name that exists, writes nothing', async () => {
    const projectId = await f.freshProject([{ name: 'main.py', content: 'x = 1\n' }]);
    await expectRefusedWithoutChange('files/create', { projectId, name: 'new.py', content: '' }, /empty/);
    await expectRefusedWithoutChange('files/create', { projectId, name: 'main.py', content: 'other' }, /already exists/);
  });
});

describe('patches with absurd line numbers', () => {
  // Regression: diff.applyPatch's offset search is linear in a hunk's claimed line; a hunk at line
  // 10^12 once held the server for hours. Such hunks are refused before any search.
  test('a hunk claiming line 30,000,000 of a two-line file is refused at once, naming the line', async () => {
    const projectId = await f.freshProject([{ name: 'main.py', content: 'a = 1\nb = 2\n' }]);
    const patch = ['--- a/main.py', '+++ b/main.py', '@@ -1000000000000,1 +1000000000000,1 @@', '-b = 2', '+b = 3', ''].join('\n');
    const started = Date.now();
    const answer = await postAs('files/patch', { projectId, patch }, f.admin);
    expectEnvelope(answer);
    expect(answer.body.success).toBe(false);
    expect(answer.body.errors?.[0]).toMatch(/beyond the end of the file/);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
