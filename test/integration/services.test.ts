import { call } from '../support/api';
import { createTenant, type Tenant } from '../support/tenants';

/** services/terminal-news (contract §3.11): the envelope with an empty news list. */
let tenant: Tenant;

beforeAll(async () => {
  tenant = await createTenant('services');
});

test('services/terminal-news answers news: [] (a self-hosted server publishes no news), by POST and GET', async () => {
  expect((await call('services/terminal-news', { json: {}, creds: tenant.admin })).body).toEqual({ success: true, news: [] });
  expect((await call('services/terminal-news', { method: 'GET', creds: tenant.admin })).body).toEqual({ success: true, news: [] });
});

test('services/terminal-news needs credentials like every endpoint', async () => {
  const answer = await call('services/terminal-news', { json: {} });
  expect(answer.body.success).toBe(false);
});
