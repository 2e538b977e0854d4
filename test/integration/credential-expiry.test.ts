import { identityService } from '../../core/domain/identity/identity-service';
import { call } from '../support/api';
import { createTenant, type Tenant } from '../support/tenants';

/**
 * Token and key expiry is enforced. (Regression: the table's TTL attribute once shared the name
 * `expiresAt` with the credentials' own expiry, and the storage layer dropped the latter.)
 */
let tenant: Tenant;

beforeAll(async () => {
  tenant = await createTenant('expiry');
});

const past = () => new Date(Date.now() - 5_000).toISOString();
const future = () => new Date(Date.now() + 3_600_000).toISOString();

test('an expired API token is refused; one that has not expired works', async () => {
  const expired = await identityService.issueToken(tenant.admin.userId, { expiresAt: past() });
  const valid = await identityService.issueToken(tenant.admin.userId, { expiresAt: future() });
  const refused = await call('authenticate', { method: 'GET', creds: { userId: tenant.admin.userId, token: expired.token } });
  expect(refused.body.success).toBe(false);
  expect(refused.body.errors?.[0]).toMatch(/^Hash doesn't match\./);
  expect((await call('authenticate', { method: 'GET', creds: { userId: tenant.admin.userId, token: valid.token } })).body).toEqual({ success: true });
});

test('an expired API key is refused; one that has not expired works', async () => {
  const expired = await identityService.issueKey(tenant.admin.userId, 'expired', { expiresAt: past() });
  const valid = await identityService.issueKey(tenant.admin.userId, 'valid', { expiresAt: future() });
  const headers = (k: { keyId: string; secret: string }) => ({ 'X-API-Key': k.keyId, 'X-API-Secret': k.secret });
  const refused = await call('authenticate', { method: 'GET', headers: headers(expired) });
  expect(refused.body.errors?.[0]).toMatch(/^Hash doesn't match\./);
  expect((await call('authenticate', { method: 'GET', headers: headers(valid) })).body).toEqual({ success: true });
});
