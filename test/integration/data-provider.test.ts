import { randomBytes } from 'node:crypto';
import { marketDataStore } from '../../core/data/market-data/market-data-store';
import { type Answer, apiUrl, call } from '../support/api';
import { createTenant, type Tenant } from '../support/tenants';

/**
 * LEAN's ApiDataProvider over HTTP, in the order and the exact request forms LEAN uses
 * (contract §5.1): account/read (POST, no body) → data/prices → organizations/read → data/read →
 * an unauthenticated GET of the link. Market data is shared by the deployment: every organisation
 * gets the same files, but only through the API with its own credentials or a link it was given.
 */
let tenant: Tenant;
let other: Tenant;
const SPY = 'equity/usa/daily/spy.zip';
const AAPL = 'equity/usa/daily/aapl.zip';
const MINUTE = 'equity/usa/minute/spy/20131007_trade.zip';
const spyBytes = randomBytes(4096);
/** A top-level folder nobody uploads to. */
const absentFolder = `none${randomBytes(4).toString('hex')}`;

/** LEAN's rule for a price regex: drop a leading '/', then trailing 'm' and '/'. */
function leanRegex(text: string): RegExp {
  return new RegExp(text.replace(/^\//, '').replace(/m$/, '').replace(/\/$/, ''));
}

/** lean-cli's rule: the text between the first and the last '/'. */
function cliRegex(text: string): RegExp {
  const first = text.indexOf('/');
  const last = text.lastIndexOf('/');
  if (first < 0 || last <= first) throw new Error(`lean-cli cannot parse the regex ${text}`);
  return new RegExp(text.slice(first + 1, last));
}

const ok = (answer: Answer) => ({ status: answer.status, success: answer.body.success, errors: answer.body.errors });

beforeAll(async () => {
  [tenant, other] = await Promise.all([createTenant('data provider'), createTenant('data provider, other org')]);
  await Promise.all([marketDataStore.put(SPY, spyBytes), marketDataStore.put(AAPL, randomBytes(100)), marketDataStore.put(MINUTE, randomBytes(100))]);
});

test('LEAN ApiDataProvider: account/read, data/prices, organizations/read, data/read, then a plain GET of the link', async () => {
  const { admin } = tenant;
  // 1. account/read with no body, as LEAN sends it when job-organization-id is empty.
  const account = await call('account/read', { method: 'POST', creds: admin });
  expect(ok(account)).toEqual({ status: 200, success: true, errors: undefined });
  const organizationId = account.body.organizationId as string;
  expect(organizationId).toBe(tenant.orgId);

  // 2. data/prices: JS-literal regexes, price 0 for what the operator uploaded.
  const prices = await call('data/prices', { json: { organizationId }, creds: admin });
  expect(ok(prices)).toEqual({ status: 200, success: true, errors: undefined });
  expect(prices.body).toMatchObject({ agreement: expect.stringMatching(/^https:\/\//), datasources: expect.any(Object) });
  const entries = prices.body.prices as { vendorName: string; regex: string; price: number; productId: number; paths: unknown[] }[];
  expect(entries.length).toBeGreaterThan(0);
  for (const entry of entries) {
    expect(entry).toMatchObject({ vendorName: 'Local', price: 0, type: 'data', subscribed: true, productId: 37, paths: [] });
    expect(entry.regex.split('/').length).toBeGreaterThanOrEqual(3);
  }
  const leanPrice = (path: string) => entries.find((e) => leanRegex(e.regex).test(path));
  expect(leanPrice(SPY)).toMatchObject({ price: 0 });
  expect(entries.some((e) => cliRegex(e.regex).test(SPY))).toBe(true);

  // 3. organizations/read: data terms current, the Data product holds the US equity security master.
  const org = await call('organizations/read', { json: { organizationId }, creds: admin });
  const organization = org.body.organization as { data: { current: boolean }; products: { name: string; items: { productId: number }[] }[] };
  expect(organization.data.current).toBe(true);
  expect(organization.products.find((p) => p.name === 'Data')?.items.map((i) => i.productId)).toContain(37);

  // 4. data/read, then the unauthenticated GET LEAN and lean-cli make.
  const read = await call('data/read', { json: { format: 'link', filePath: SPY, organizationId }, creds: admin });
  expect(ok(read)).toEqual({ status: 200, success: true, errors: undefined });
  expect(read.body).toMatchObject({ link: expect.any(String), cost: 0, balance: expect.any(Number) });
  const download = await fetch(read.body.link as string);
  expect(download.status).toBe(200);
  expect(Buffer.from(await download.arrayBuffer()).equals(spyBytes)).toBe(true);
});

test("the link names exactly that object on the API's own host and port, is signed, and expires after LCS_LINK_SECONDS (plus the signing minute)", async () => {
  const read = await call('data/read', { json: { format: 'link', filePath: SPY, organizationId: tenant.orgId }, creds: tenant.admin });
  const link = new URL(read.body.link as string);
  // Local mode: served by the API server itself (local/data-links.ts), not by the storage's loopback port.
  expect(link.origin).toBe(new URL(apiUrl()).origin);
  expect(decodeURIComponent(link.pathname)).toBe(`/lcs/data/${SPY}`);
  expect(link.searchParams.get('signature')).toMatch(/^[0-9a-f]{64}$/);
  const expires = Number(link.searchParams.get('expires')) * 1000;
  const linkSeconds = Number(process.env.LCS_LINK_SECONDS ?? 300);
  // Signed at the start of the current minute, valid LCS_LINK_SECONDS plus that minute.
  expect(expires - Date.now()).toBeGreaterThan(linkSeconds * 1000);
  expect(expires - Date.now()).toBeLessThanOrEqual((linkSeconds + 60) * 1000);
  expect((expires / 1000 - linkSeconds - 60) % 60).toBe(0);
  // Asked again within the minute: the same link.
  const again = await call('data/read', { json: { format: 'link', filePath: SPY, organizationId: tenant.orgId }, creds: tenant.admin });
  const signed = expires - (linkSeconds + 60) * 1000;
  if (Math.floor(signed / 60_000) === Math.floor(Date.now() / 60_000)) expect(again.body.link).toBe(read.body.link);
});

test('a file in a folder with no data matches only the final price-0 catch-all (LEAN reads its local copy) and data/read fails', async () => {
  const missing = `${absentFolder}/usa/daily/spy.zip`;
  const prices = await call('data/prices', { json: { organizationId: tenant.orgId }, creds: tenant.admin });
  const entries = prices.body.prices as { regex: string; price: number }[];
  const regexes = entries.map((e) => e.regex);
  // Only the last entry matches: LEAN's "No price found" would throw even for a file on its disk.
  const last = regexes.length - 1;
  expect(regexes.flatMap((r, i) => (leanRegex(r).test(missing) ? [i] : []))).toEqual([last]);
  expect(regexes.flatMap((r, i) => (cliRegex(r).test(missing) ? [i] : []))).toEqual([last]);
  expect(entries[last]).toMatchObject({ price: 0 });
  // Files of folders with data still match their folder's entry first.
  expect(regexes.findIndex((r) => leanRegex(r).test(SPY))).toBeLessThan(last);
  const read = await call('data/read', { json: { format: 'link', filePath: missing, organizationId: tenant.orgId }, creds: tenant.admin });
  expect(ok(read)).toEqual({ status: 200, success: false, errors: ['File not found'] });
  // A missing file in a folder that has data fails the same way.
  const absent = await call('data/read', {
    json: { format: 'link', filePath: 'equity/usa/daily/nothere.zip', organizationId: tenant.orgId },
    creds: tenant.admin,
  });
  expect(ok(absent)).toEqual({ status: 200, success: false, errors: ['File not found'] });
});

test('a dated map/factor zip LEAN asks for is answered with the newest stored one (not after that date, else the newest)', async () => {
  // Lean:Common/Data/Auxiliary/LocalZipMapFileProvider.cs asks for yesterday's zip first and walks back 30 days.
  const folder = `aux${randomBytes(4).toString('hex')}/usa/map_files`;
  const older = randomBytes(64);
  const newer = randomBytes(64);
  await Promise.all([
    marketDataStore.put(`${folder}/map_files_20240105.zip`, older),
    marketDataStore.put(`${folder}/map_files_20240301.zip`, newer),
    marketDataStore.put(`${folder}/aapl.csv`, 'x'),
  ]);
  const bytesFor = async (filePath: string) => {
    const read = await call('data/read', { json: { format: 'link', filePath, organizationId: tenant.orgId }, creds: tenant.admin });
    expect(ok(read)).toEqual({ status: 200, success: true, errors: undefined });
    return Buffer.from(await (await fetch(read.body.link as string)).arrayBuffer());
  };
  expect((await bytesFor(`${folder}/map_files_20261203.zip`)).equals(newer)).toBe(true);
  expect((await bytesFor(`${folder}/map_files_20240201.zip`)).equals(older)).toBe(true);
  expect((await bytesFor(`${folder}/map_files_20230101.zip`)).equals(newer)).toBe(true);
  // Another kind, or a name that is not a dated zip, gets no stand-in.
  for (const filePath of [`${folder}/factor_files_20261203.zip`, `${folder}/map_files_2026120.zip`, `${folder}/spy.zip`]) {
    const read = await call('data/read', { json: { format: 'link', filePath, organizationId: tenant.orgId }, creds: tenant.admin });
    expect(ok(read)).toEqual({ status: 200, success: false, errors: ['File not found'] });
  }
});

test('data/list: entries relative to the top-level folder, files and sub-folders, as lean-cli and LEAN send it', async () => {
  // LEAN sends no organizationId; lean-cli prefixes each entry with the first segment of the request.
  const daily = await call('data/list', { json: { filePath: 'equity/usa/daily/' }, creds: tenant.admin });
  expect(ok(daily)).toEqual({ status: 200, success: true, errors: undefined });
  const objects = daily.body.objects as string[];
  expect(objects).toEqual(expect.arrayContaining(['usa/daily/aapl.zip', 'usa/daily/spy.zip']));
  expect(objects.every((o) => o.startsWith('usa/daily/'))).toBe(true);
  expect(objects.map((o) => `equity/${o}`)).toContain(SPY);

  const usa = await call('data/list', { json: { filePath: 'equity/usa/', organizationId: tenant.orgId }, creds: tenant.admin });
  expect(usa.body.objects).toEqual(expect.arrayContaining(['usa/daily/', 'usa/minute/']));
  expect(usa.body.objects).not.toContain(`usa/minute/spy/20131007_trade.zip`);

  const nothing = await call('data/list', { json: { filePath: `${absentFolder}/usa/daily/` }, creds: tenant.admin });
  expect(ok(nothing)).toEqual({ status: 200, success: false, errors: ['Data directory not found'] });
});

test.each([
  ['a parent segment', '../equity/usa/daily/spy.zip'],
  ['a parent segment inside', 'equity/usa/../../secret.zip'],
  ['an absolute path', '/equity/usa/daily/spy.zip'],
  ['a backslash', 'equity\\usa\\daily\\spy.zip'],
  ['percent-encoded dots', '%2e%2e/equity/usa/daily/spy.zip'],
  ['percent-encoded slash', 'equity%2fusa%2fdaily%2fspy.zip'],
  ['a control character', 'equity/usa/daily/spy.zip\u0000'],
  ['a lone surrogate', 'equity/usa/daily/\ud800.zip'],
  ['an empty segment', 'equity//usa/daily/spy.zip'],
])('path attack refused on data/read and data/list: %s', async (_name, filePath) => {
  const read = await call('data/read', { json: { format: 'link', filePath, organizationId: tenant.orgId }, creds: tenant.admin });
  expect(ok(read)).toEqual({ status: 200, success: false, errors: [expect.stringMatching(/^filePath: /)] });
  const list = await call('data/list', { json: { filePath, organizationId: tenant.orgId }, creds: tenant.admin });
  expect(ok(list)).toEqual({ status: 200, success: false, errors: [expect.stringMatching(/^filePath: /)] });
});

test('only the link format is served', async () => {
  const read = await call('data/read', { json: { format: 'zip', filePath: SPY, organizationId: tenant.orgId }, creds: tenant.admin });
  expect(ok(read)).toEqual({ status: 200, success: false, errors: ["format: must be 'link'"] });
});

test('market data is shared by the deployment: another organisation gets the same file, but never without credentials', async () => {
  const read = await call('data/read', { json: { format: 'link', filePath: SPY, organizationId: other.orgId }, creds: other.admin });
  expect(ok(read)).toEqual({ status: 200, success: true, errors: undefined });
  const bytes = Buffer.from(await (await fetch(read.body.link as string)).arrayBuffer());
  expect(bytes.equals(spyBytes)).toBe(true);

  // Without credentials, or naming an organisation the caller is not in: refused, no link.
  const anonymous = await call('data/read', { json: { format: 'link', filePath: SPY, organizationId: tenant.orgId } });
  expect(ok(anonymous)).toEqual({ status: 200, success: false, errors: [expect.stringMatching(/^Hash doesn't match\./)] });
  expect(anonymous.body.link).toBeUndefined();
  const foreign = await call('data/read', { json: { format: 'link', filePath: SPY, organizationId: tenant.orgId }, creds: other.admin });
  expect(ok(foreign)).toEqual({ status: 200, success: false, errors: ['Organization not found'] });
  for (const path of ['data/list', 'data/prices', 'market/data/list']) {
    const answer = await call(path, { json: { filePath: 'equity/usa/daily/' } });
    expect({ path, ...ok(answer) }).toEqual({ path, status: 200, success: false, errors: [expect.stringMatching(/^Hash doesn't match\./)] });
  }
});

test('market/data/list: one dataset per top-level folder, as lean data download reads it', async () => {
  const answer = await call('market/data/list', { json: {}, creds: tenant.admin });
  expect(ok(answer)).toEqual({ status: 200, success: true, errors: undefined });
  const list = answer.body.list as { id: number; name: string; tags: { name: string }[] }[];
  const equity = list.find((d) => d.tags.some((t) => t.name === 'equity'));
  expect(equity).toEqual({
    id: expect.any(Number),
    name: expect.any(String),
    delivery: 'cloud & download',
    vendorName: 'Local',
    tags: [{ name: 'equity' }],
    pending: false,
  });
  expect(Number.isInteger(equity?.id)).toBe(true);
  expect(new Set(list.map((d) => d.id)).size).toBe(list.length);
  expect(list.some((d) => d.tags.some((t) => t.name === absentFolder))).toBe(false);
});
