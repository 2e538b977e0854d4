import { identityService } from '../../core/domain/identity/identity-service';
import { cachedAuthenticator } from '../../lambdas/auth/credential-cache';
import { qcHeaders } from '../support/api';
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
