import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { marketDataStore } from '../../core/data/market-data/market-data-store';
import { localDataLinks } from '../../local/data-links';
import { apiUrl, call } from '../support/api';
import { leanDataDownload, okBody } from '../support/lean-data-download';
import { createTenant, type Tenant } from '../support/tenants';

/**
 * `lean data download --dataset "<name>" --files <paths> --yes` against the real local server, in
 * lean-cli's order and with its rules (lean-cli:lean/commands/data/download.py, lean/models/data.py,
 * lean/components/api/data_client.py; contract §3.9, §5.2): organizations/read → market/data/list →
 * data/prices (a dataset with no `datasources` entry is dropped) → options → path templates →
 * data/list of each file group's common prefix (intersected with the rendered files) → the price
 * regex of each file (price not null) → data/read → an unauthenticated GET of the link.
 */
let tenant: Tenant;
const folder = `dl${randomBytes(4).toString('hex')}`;
const SPY = `${folder}/usa/daily/spy.zip`;
const AAPL = `${folder}/usa/daily/aapl.zip`;
const spy = randomBytes(3000);
const aapl = randomBytes(700);

beforeAll(async () => {
  tenant = await createTenant('lean data download');
  await Promise.all([marketDataStore.put(SPY, spy), marketDataStore.put(AAPL, aapl)]);
});

test('lean data download --dataset "<folder> (local data)" --files ... fetches exactly the named files an operator uploaded', async () => {
  const name = `${folder} (local data)`;
  const written = await leanDataDownload(tenant.admin, tenant.orgId, name, { files: 'usa/daily/SPY.zip, usa/daily/aapl.zip' });
  expect([...written.keys()].sort()).toEqual([AAPL, SPY]);
  expect(written.get(SPY)?.equals(spy)).toBe(true);
  expect(written.get(AAPL)?.equals(aapl)).toBe(true);
  // A file that is not there: data/list says which (lean-cli stops with that message).
  await expect(leanDataDownload(tenant.admin, tenant.orgId, name, { files: 'usa/daily/none.zip' })).rejects.toThrow(
    `Data file or directory '${folder}/usa/daily/none.zip' not found`,
  );
  // The dataset and its datasource agree on the id; a name nobody uploaded is refused as lean-cli refuses it.
  await expect(leanDataDownload(tenant.admin, tenant.orgId, 'US Equities', { files: 'x' })).rejects.toThrow("There is no dataset named 'US Equities'");
});

test('data/list takes a plain key prefix, as lean-cli sends the common prefix of the files it wants', async () => {
  const one = okBody(await call('data/list', { json: { filePath: SPY }, creds: tenant.admin }));
  expect(one.objects).toEqual(['usa/daily/spy.zip']);
  const partial = okBody(await call('data/list', { json: { filePath: `${folder}/usa/daily/a` }, creds: tenant.admin }));
  expect(partial.objects).toEqual(['usa/daily/aapl.zip']);
  const none = await call('data/list', { json: { filePath: `${folder}/usa/daily/zzz` }, creds: tenant.admin });
  expect({ success: none.body.success, errors: none.body.errors }).toEqual({
    success: false,
    errors: [`Data file or directory '${folder}/usa/daily/zzz' not found`],
  });
});

test('a data link is served by the host and port the request came in on, and only for its key with its signature', async () => {
  // The same server under another name (localhost vs 127.0.0.1): the link follows the request's Host.
  const api = new URL(apiUrl());
  const otherName = api.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
  const base = `${api.protocol}//${otherName}:${api.port}${api.pathname}`;
  const read = okBody(await call('data/read', { base, json: { format: 'link', filePath: SPY, organizationId: tenant.orgId }, creds: tenant.admin }));
  const link = new URL(read.link as string);
  expect(link.host).toBe(`${otherName}:${api.port}`);
  expect(Buffer.from(await (await fetch(link)).arrayBuffer()).equals(spy)).toBe(true);

  const refused = async (url: URL | string, status: number, message: RegExp) => {
    const response = await fetch(url);
    const body = (await response.json()) as { success: boolean; errors: string[] };
    expect({ status: response.status, body }).toEqual({ status, body: { success: false, errors: [expect.stringMatching(message)] } });
  };
  // Another key with this link's signature, a changed expiry, a changed or missing signature: refused.
  const otherKey = new URL(link);
  otherKey.pathname = link.pathname.replace('spy.zip', 'aapl.zip');
  await refused(otherKey, 403, /^The data link is not valid/);
  const later = new URL(link);
  later.searchParams.set('expires', String(Number(link.searchParams.get('expires')) + 3600));
  await refused(later, 403, /^The data link is not valid/);
  const forged = new URL(link);
  forged.searchParams.set('signature', '0'.repeat(64));
  await refused(forged, 403, /^The data link is not valid/);
  const bare = new URL(link);
  bare.search = '';
  await refused(bare, 403, /^The data link is not valid/);
  await refused(new URL('/lcs/data/%E0%A4%A?expires=1&signature=x', link), 403, /^The data link is not valid/);
  const post = await fetch(link, { method: 'POST' });
  expect(post.status).toBe(405);
});

describe('data links on their own (a clock of our own)', () => {
  let server: Server;
  let now = Date.now();
  const links = localDataLinks(randomBytes(32), () => now);
  beforeAll(async () => {
    server = createServer((req, res) => {
      void links.withOrigin(req, () => links.serve(req, res, new URL(req.url ?? '/', 'http://localhost')));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  test('valid until its expiry, refused with the envelope after it; a deleted file is "File not found"', async () => {
    const { port } = server.address() as AddressInfo;
    const signed = new URL(links.signer(SPY, new Date(Math.floor(now / 60_000) * 60_000), 70));
    const url = `http://127.0.0.1:${port}${signed.pathname}${signed.search}`;
    expect((await fetch(url)).status).toBe(200);
    now = Number(signed.searchParams.get('expires')) * 1000;
    const expired = await fetch(url);
    expect({ status: expired.status, body: await expired.json() }).toEqual({
      status: 403,
      body: { success: false, errors: ['The data link has expired: ask data/read for a new one'] },
    });
    now = Date.now();
    const gone = new URL(links.signer(`${folder}/usa/daily/gone.zip`, new Date(now), 70));
    const missing = await fetch(`http://127.0.0.1:${port}${gone.pathname}${gone.search}`);
    expect({ status: missing.status, body: await missing.json() }).toEqual({ status: 404, body: { success: false, errors: ['File not found'] } });
  });
});
