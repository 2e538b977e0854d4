import { identityService } from '../../core/domain/identity/identity-service';
import { resetConfig } from '../../core/shared/config';
import { cachedAuthenticator } from '../../lambdas/auth/credential-cache';
import { qcHeaders, signJwt } from '../support/api';
import { createTenant, type Tenant } from '../support/tenants';

/**
 * The verified-credential cache the deployed authorizer and the local server share: a revocation
 * takes effect once the cached entry expires (TTL), at once with TTL 0.
 */
let tenant: Tenant;

beforeAll(async () => {
  tenant = await createTenant('credential cache');
});

async function revokedBetweenCalls(ttlSeconds: number) {
  const issued = await identityService.issueToken(tenant.admin.userId);
  const source = { headers: qcHeaders({ userId: tenant.admin.userId, token: issued.token }), query: {} };
  const verify = cachedAuthenticator(ttlSeconds);
  const first = await verify(source);
  await identityService.revokeToken(tenant.admin.userId, issued.tokenId);
  return { first, second: verify(source) };
}

test('with a TTL, the same credentials are not re-verified until the entry expires', async () => {
  const { first, second } = await revokedBetweenCalls(60);
  expect(first.userId).toBe(tenant.admin.userId);
  await expect(second).resolves.toEqual(first);
});

test('with TTL 0, a revoked token is refused on the very next request', async () => {
  const { first, second } = await revokedBetweenCalls(0);
  expect(first.credentialId).toMatch(/^tok_/);
  await expect(second).rejects.toThrow(/^Hash doesn't match\./);
});

test('header names are matched case-insensitively, as API Gateway passes them as sent', async () => {
  const verify = cachedAuthenticator(60);
  const headers = qcHeaders(tenant.admin);
  const upper = await verify({ headers, query: {} });
  const lower = await verify({ headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])), query: {} });
  expect(lower).toEqual(upper);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('an Authorization query parameter sent twice is refused, and the unverified copy is not trusted afterwards', async () => {
  const verify = cachedAuthenticator(60);
  const { Authorization, Timestamp } = qcHeaders(tenant.admin);
  const valid = (Authorization as string).replace(/^Basic /, '');
  const garbage = Buffer.from(`${tenant.admin.userId}:${'0'.repeat(64)}`).toString('base64');
  await expect(verify({ headers: {}, query: { Authorization: valid, authorization: garbage, timestamp: Timestamp as string } })).rejects.toThrow(
    /sent more than once/,
  );
  await expect(verify({ headers: {}, query: { authorization: [valid, garbage], timestamp: Timestamp as string } })).rejects.toThrow(/sent more than once/);
  await expect(verify({ headers: {}, query: { authorization: garbage, timestamp: Timestamp as string } })).rejects.toThrow(/^Hash doesn't match\./);
  // The valid credentials alone still pass.
  expect((await verify({ headers: {}, query: { authorization: valid, timestamp: Timestamp as string } })).userId).toBe(tenant.admin.userId);
});

describe('a cache entry ends when its credential expires, whatever the TTL', () => {
  const soon = () => new Date(Date.now() + 1500).toISOString();

  test('an API token', async () => {
    const verify = cachedAuthenticator(60);
    const issued = await identityService.issueToken(tenant.admin.userId, { expiresAt: soon() });
    const source = { headers: qcHeaders({ userId: tenant.admin.userId, token: issued.token }), query: {} };
    expect((await verify(source)).userId).toBe(tenant.admin.userId);
    await sleep(1700);
    await expect(verify(source)).rejects.toThrow(/^Hash doesn't match\./);
  });

  test('an API key', async () => {
    const verify = cachedAuthenticator(60);
    const key = await identityService.issueKey(tenant.admin.userId, 'short-lived', { expiresAt: soon() });
    const source = { headers: { 'x-api-key': key.keyId, 'x-api-secret': key.secret }, query: {} };
    expect((await verify(source)).userId).toBe(tenant.admin.userId);
    await sleep(1700);
    await expect(verify(source)).rejects.toThrow(/^Hash doesn't match\./);
  });

  test('a JWT', async () => {
    const verify = cachedAuthenticator(60);
    const exp = Math.floor(Date.now() / 1000) + 2;
    const source = { headers: { authorization: `Bearer ${signJwt({ email: tenant.admin.email, sub: 'short', exp })}` }, query: {} };
    expect((await verify(source)).userId).toBe(tenant.admin.userId);
    await sleep(exp * 1000 - Date.now() + 200);
    await expect(verify(source)).rejects.toThrow(/^Hash doesn't match\./);
  });
});

test('an email claim is trusted only when the issuer says it verified it (email_verified), unless configured otherwise', async () => {
  const bearer = (claims: Record<string, unknown>) => ({
    headers: { authorization: `Bearer ${signJwt({ email: tenant.admin.email, sub: 'ev', ...claims })}` },
    query: {},
  });
  const verify = cachedAuthenticator(0);
  await expect(verify(bearer({ email_verified: undefined }))).rejects.toThrow(/email address is not verified/);
  await expect(verify(bearer({ email_verified: false }))).rejects.toThrow(/email address is not verified/);
  expect((await verify(bearer({ email_verified: 'true' }))).userId).toBe(tenant.admin.userId);
  process.env.LCS_JWT_REQUIRE_EMAIL_VERIFIED = 'false';
  resetConfig();
  try {
    expect((await cachedAuthenticator(0)(bearer({ email_verified: undefined }))).userId).toBe(tenant.admin.userId);
  } finally {
    delete process.env.LCS_JWT_REQUIRE_EMAIL_VERIFIED;
    resetConfig();
  }
});
