import { generateKeyPairSync } from 'node:crypto';
import { identityService } from '../../core/domain/identity/identity-service';
import { type Answer, type CallOptions, qcHeaders, signJwt } from '../support/api';
import { buildFixture, DEPLOYING_SAMPLES, type Fixture, rand, sampleFor, stopLiveDeployments, validSummary } from '../support/route-samples';
import {
  AUTH_KINDS,
  basicValue,
  credentials,
  expectEnvelope,
  firstError,
  mutatingRoutes,
  post,
  protectedRoutes,
  publicRoutes,
  qcHash,
  rows,
  shapeOf,
  snapshotOf,
  summary,
} from './contract-helpers';

/**
 * The authentication matrix, generated from the route table: every non-public route accepts each
 * credential form, refuses every bad one the way lean-cli understands (HTTP 200, success:false,
 * "Hash doesn't match." first), honours LEAN's two-hour header reuse, and writes nothing on refusal.
 */
type Auth = Pick<CallOptions, 'headers' | 'query'>;

// Live samples compile and deploy (a few seconds each).
jest.setTimeout(180_000);

let f: Fixture;
let badCases: [string, () => Auth][];

const now = () => Math.floor(Date.now() / 1000);
const HASH_PREFIX = /^Hash doesn't match\./;

beforeAll(async () => {
  f = await buildFixture('auth');
  const { admin } = f;
  const past = new Date(Date.now() - 60_000).toISOString();
  const [revokedToken, expiredToken, revokedKey, expiredKey] = await Promise.all([
    identityService.issueToken(admin.userId),
    identityService.issueToken(admin.userId, { expiresAt: past }),
    identityService.issueKey(admin.userId, 'revoked'),
    identityService.issueKey(admin.userId, 'expired', { expiresAt: past }),
  ]);
  await Promise.all([identityService.revokeToken(admin.userId, revokedToken.tokenId), identityService.revokeKey(revokedKey.keyId)]);
  const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const claims = { email: admin.email, sub: `sub-${admin.userId}` };
  const bearer = (jwt: string): Auth => ({ headers: { Authorization: `Bearer ${jwt}` } });
  const unsigned = (payload: Record<string, unknown>) => {
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(payload)}.`;
  };

  badCases = [
    ['wrong hash', () => ({ headers: qcHeaders({ userId: admin.userId, token: 'not-the-token' }) })],
    ['hash of another user id', () => ({ headers: qcHeaders({ userId: f.member.userId, token: admin.token }) })],
    ['unknown user id', () => ({ headers: qcHeaders({ userId: 987_654_321_012, token: admin.token }) })],
    [
      'non-numeric user id',
      () => {
        const ts = now();
        return { headers: { Authorization: `Basic ${Buffer.from(`abc:${qcHash(admin.token, ts)}`).toString('base64')}`, Timestamp: String(ts) } };
      },
    ],
    ['timestamp 7300 s old', () => ({ headers: qcHeaders(admin, now() - 7300) })],
    ['timestamp 600 s in the future', () => ({ headers: qcHeaders(admin, now() + 600) })],
    ['timestamp not a number', () => ({ headers: { ...qcHeaders(admin), Timestamp: 'yesterday' } })],
    ['two different Timestamp values', () => ({ headers: { ...qcHeaders(admin, now()), Timestamp: `${now()}, ${now() - 5}` } })],
    ['missing credentials', () => ({})],
    ['Authorization in no known scheme', () => ({ headers: { Authorization: 'Digest abc' } })],
    ['revoked token', () => ({ headers: qcHeaders({ userId: admin.userId, token: revokedToken.token }) })],
    ['expired token', () => ({ headers: qcHeaders({ userId: admin.userId, token: expiredToken.token }) })],
    ['query form with a wrong hash', () => ({ query: { authorization: basicValue(admin.userId, qcHash('wrong', now())), timestamp: now() } })],
    ['query form 7300 s old', () => ({ query: { authorization: basicValue(admin.userId, qcHash(admin.token, now() - 7300)), timestamp: now() - 7300 } })],
    ['revoked key', () => ({ headers: { 'X-API-Key': revokedKey.keyId, 'X-API-Secret': revokedKey.secret } })],
    ['expired key', () => ({ headers: { 'X-API-Key': expiredKey.keyId, 'X-API-Secret': expiredKey.secret } })],
    ['key with a wrong secret', () => ({ headers: { 'X-API-Key': admin.keyId, 'X-API-Secret': `${admin.secret}x` } })],
    ['unknown key', () => ({ headers: { 'X-API-Key': `lcs_${rand(8)}`, 'X-API-Secret': admin.secret } })],
    ['key without a secret', () => ({ headers: { 'X-API-Key': admin.keyId } })],
    ['expired JWT', () => bearer(signJwt({ ...claims, iat: now() - 3600, exp: now() - 600 }))],
    ['JWT signed with another RSA key', () => bearer(signJwt(claims, { key: otherKey }))],
    ['JWT from another issuer', () => bearer(signJwt({ ...claims, iss: 'https://evil.test.local/' }))],
    ['JWT for another audience', () => bearer(signJwt({ ...claims, aud: 'someone-else' }))],
    ['JWT without an expiry', () => bearer(signJwt({ ...claims, exp: undefined }))],
    ['JWT with an unknown key id', () => bearer(signJwt(claims, { kid: `kid-${rand()}` }))],
    ['JWT for an unknown email', () => bearer(signJwt({ ...claims, email: `nobody-${rand()}@test.local` }))],
    [
      'JWT with alg none',
      () => bearer(unsigned({ ...claims, iss: process.env.LCS_TEST_JWT_ISSUER, aud: process.env.LCS_TEST_JWT_AUDIENCE, exp: now() + 600 })),
    ],
    ['Basic with a wrong token', () => ({ headers: { Authorization: `Basic ${basicValue(admin.userId, 'wrong-token')}` } })],
    ['Basic with a revoked token', () => ({ headers: { Authorization: `Basic ${basicValue(admin.userId, revokedToken.token)}` } })],
  ];
}, 60_000);

// The samples deploy live algorithms: stop them, so later files do not share the machine with them.
afterAll(() => stopLiveDeployments(f), 120_000);

function expectRefused(name: string, answer: Answer): void {
  expect({ case: name, status: answer.status, success: answer.body.success, first: firstError(answer) }).toEqual({
    case: name,
    status: 200,
    success: false,
    first: expect.stringMatching(HASH_PREFIX),
  });
  expectEnvelope(answer, name);
}

/** Authenticated: the route's valid answer (for a feature the test server leaves off, its "not enabled" error). */
function expectAccepted(name: string, answer: Answer, path = 'authenticate'): void {
  expect({ case: name, ...summary(answer) }).toEqual({ case: name, ...validSummary(path) });
}

test('every route is either public or protected, and health is the only public one', () => {
  // The OAuth authorize link is opened by a browser, without API credentials (lean-cli).
  expect(publicRoutes.map((r) => r.path)).toEqual(['health', 'live/auth0/authorize']);
  expect(protectedRoutes.length).toBeGreaterThan(20);
});

test.each(rows(publicRoutes))('%s is public: answers without credentials and ignores bad ones', async (path) => {
  for (const auth of [{}, { headers: qcHeaders({ userId: 1, token: 'wrong' }, 1) }] as Auth[]) {
    const answer = await post(path, await sampleFor(path)(f), auth);
    expect(summary(answer)).toEqual(validSummary(path));
  }
});

test('a token works until it is revoked, and stops at the very next request', async () => {
  const issued = await identityService.issueToken(f.admin.userId);
  const creds = { userId: f.admin.userId, token: issued.token };
  expectAccepted('before revocation', await post('authenticate', {}, { headers: qcHeaders(creds) }));
  await identityService.revokeToken(f.admin.userId, issued.tokenId);
  expectRefused('after revocation', await post('authenticate', {}, { headers: qcHeaders(creds) }));
});

test('a JWT names its user by email whatever the letter case', async () => {
  const jwt = signJwt({ email: f.admin.email.toUpperCase(), sub: 'case' });
  expectAccepted('upper-case email', await post('authenticate', {}, { headers: { Authorization: `Bearer ${jwt}` } }));
});

test('an API key records when it was last used', async () => {
  const key = await identityService.issueKey(f.admin.userId, `last-used-${rand()}`);
  const before = (await identityService.listKeys(f.admin.userId)).find((k) => k.keyId === key.keyId);
  expect(before?.lastUsedAt).toBeUndefined();
  expectAccepted('key', await post('authenticate', {}, { headers: { 'X-API-Key': key.keyId, 'X-API-Secret': key.secret } }));
  const after = (await identityService.listKeys(f.admin.userId)).find((k) => k.keyId === key.keyId);
  expect(Date.parse(after?.lastUsedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
});

describe.each(rows(protectedRoutes))('%s', (_path, route) => {
  test('accepts the QuantConnect hash (header and query form), an API key, a Bearer JWT and Basic userId:token', async () => {
    const answers: Answer[] = [];
    for (const kind of AUTH_KINDS) {
      const answer = await post(route, await sampleFor(route)(f), credentials(kind, f.admin));
      expectAccepted(kind, answer, route.path);
      answers.push(answer);
    }
    // The same caller gets the same answer whichever way it authenticates (fresh ids aside).
    const norm = (a: Answer) => (route.mutating ? shapeOf(a.body) : a.body);
    for (const answer of answers.slice(1)) expect(norm(answer)).toEqual(norm(answers[0]!));
  });

  test('refuses every bad credential with HTTP 200, success:false and "Hash doesn\'t match." and writes nothing', async () => {
    const params = await sampleFor(route)(f);
    const before = await snapshotOf(f);
    const answers = await Promise.all(badCases.map(async ([name, auth]) => [name, await post(route, params, auth())] as const));
    for (const [name, answer] of answers) expectRefused(name, answer);
    expect(await snapshotOf(f)).toEqual(before);
    // The very same request with good credentials succeeds: the refusals were about credentials only.
    expectAccepted('good credentials afterwards', await post(route, params, credentials('qc-hash', f.admin)), route.path);
  });
});

// The header's age is checked once, before routing, the same way for every route; routes whose
// samples each deploy a live algorithm (eight deployments per route here) are left out for time.
test('the routes left out of the cached-header test are protected routes', () => {
  const protectedPaths = new Set(protectedRoutes.map((r) => r.path));
  expect([...DEPLOYING_SAMPLES].filter((p) => !protectedPaths.has(p))).toEqual([]);
});

describe.each(rows(protectedRoutes.filter((r) => !DEPLOYING_SAMPLES.has(r.path))))('%s', (_path, route) => {
  test("accepts LEAN's cached header (3600 s old) for several calls, a 7000 s old one, a 290 s ahead one, and a repeated Timestamp", async () => {
    const cached = qcHeaders(f.admin, now() - 3600);
    for (let i = 0; i < 3; i++) expectAccepted(`cached header, call ${i + 1}`, await post(route, await sampleFor(route)(f), { headers: cached }), route.path);
    expectAccepted('7000 s old', await post(route, await sampleFor(route)(f), { headers: qcHeaders(f.admin, now() - 7000) }), route.path);
    expectAccepted('290 s ahead', await post(route, await sampleFor(route)(f), { headers: qcHeaders(f.admin, now() + 290) }), route.path);
    const ts = now();
    const repeated = { ...qcHeaders(f.admin, ts), Timestamp: `${ts}, ${ts}` };
    expectAccepted('Timestamp "ts, ts"', await post(route, await sampleFor(route)(f), { headers: repeated }), route.path);
    const query = { authorization: basicValue(f.admin.userId, qcHash(f.admin.token, ts - 3600)), timestamp: ts - 3600 };
    for (let i = 0; i < 2; i++) expectAccepted(`cached query form, call ${i + 1}`, await post(route, await sampleFor(route)(f), { query }), route.path);
  });
});

describe('a viewer', () => {
  beforeAll(() => {
    // Fresh projects are shared with the viewer, so refusals come from the role, not from visibility.
    f.freshProjectReaders = [f.viewer];
  });
  afterAll(() => {
    f.freshProjectReaders = [];
  });

  test.each(rows(mutatingRoutes))('is refused %s, and nothing changes', async (_path, route) => {
    const params = await sampleFor(route)(f);
    const before = await snapshotOf(f);
    const refused = await post(route, params, credentials('qc-hash', f.viewer));
    expect(summary(refused)).toEqual({ status: 200, success: false, errors: [expect.stringMatching(/viewer|permission|role/i)] });
    expect(firstError(refused)).not.toMatch(HASH_PREFIX);
    expect(await snapshotOf(f)).toEqual(before);
    expectAccepted('the admin, same request', await post(route, params, credentials('qc-hash', f.admin)), route.path);
  });

  test.each(rows(protectedRoutes.filter((r) => !r.mutating && r.role === 'viewer')))('may call %s', async (_path, route) => {
    expectAccepted('viewer', await post(route, await sampleFor(route)(f), credentials('api-key', f.viewer)), route.path);
  });

  // The organization's administration (`admin/…`) is read by its admins only.
  test.each(rows(protectedRoutes.filter((r) => !r.mutating && r.role === 'admin')))('is refused %s, which the admin may call', async (_path, route) => {
    const params = await sampleFor(route)(f);
    const refused = await post(route, params, credentials('api-key', f.viewer));
    expect(summary(refused)).toEqual({ status: 200, success: false, errors: [expect.stringMatching(/admin role/)] });
    expectAccepted('the admin, same request', await post(route, params, credentials('api-key', f.admin)), route.path);
  });
});
