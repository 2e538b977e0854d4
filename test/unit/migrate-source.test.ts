import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QcSource, sourceCredentials } from '../../cli/migrate/source';
import { qcHash } from '../../core/shared/hashing';
import { type LoopbackRequest, startLoopback } from '../support/loopback';

/** The migration source client: where credentials come from, how requests are signed, and how refusals are told apart. */
describe('source credentials', () => {
  let home: string;
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'lcs-home-'));
    mkdirSync(join(home, '.lean'));
    writeFileSync(join(home, '.lean', 'credentials'), JSON.stringify({ 'user-id': '321', 'api-token': 'from-file' }));
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  test('options first, then QC_USER_ID/QC_API_TOKEN, then lean-cli’s credentials file', () => {
    expect(sourceCredentials({ userId: '5', apiToken: 't' }, { QC_USER_ID: '6', QC_API_TOKEN: 'e' }, home)).toEqual({ userId: 5, token: 't' });
    expect(sourceCredentials({}, { QC_USER_ID: '6', QC_API_TOKEN: 'e' }, home)).toEqual({ userId: 6, token: 'e' });
    expect(sourceCredentials({}, {}, home)).toEqual({ userId: 321, token: 'from-file' });
    expect(sourceCredentials({ apiToken: 'flag' }, {}, home)).toEqual({ userId: 321, token: 'flag' });
  });

  test('none, a non-numeric user id, or a broken file is a clear error', () => {
    const empty = mkdtempSync(join(tmpdir(), 'lcs-home-'));
    expect(() => sourceCredentials({}, {}, empty)).toThrow(/no source credentials/);
    expect(() => sourceCredentials({ userId: 'abc', apiToken: 't' }, {}, empty)).toThrow('the source user id must be numeric');
    mkdirSync(join(empty, '.lean'));
    writeFileSync(join(empty, '.lean', 'credentials'), 'nope');
    expect(() => sourceCredentials({}, {}, empty)).toThrow(/not lean-cli's JSON credentials file/);
    rmSync(empty, { recursive: true, force: true });
  });
});

describe('source requests', () => {
  const seen: LoopbackRequest[] = [];
  let answers: { status: number; body: unknown; headers?: Record<string, string> }[] = [];
  let server: Awaited<ReturnType<typeof startLoopback>>;
  beforeAll(async () => {
    server = await startLoopback((req, res) => {
      seen.push(req);
      const next = answers.shift() ?? { status: 200, body: { success: true } };
      res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
      res.end(typeof next.body === 'string' ? next.body : JSON.stringify(next.body));
    });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    seen.length = 0;
  });
  const client = () => new QcSource(`${server.endpoint}/api/v2`, { userId: 42, token: 'secret' }, { maxRetries: 1, maxWaitMs: 50 });

  test('every request carries the QuantConnect hash of the token and its Timestamp, as a JSON POST', async () => {
    answers = [{ status: 200, body: { success: true, projects: [] } }];
    expect(await client().projects('org')).toEqual([]);
    const req = seen[0] as LoopbackRequest;
    expect(req.method).toBe('POST');
    expect(req.url.pathname).toBe('/api/v2/projects/read');
    expect(JSON.parse(req.body)).toEqual({ organizationId: 'org' });
    const timestamp = String(req.headers.timestamp);
    expect(Buffer.from(String(req.headers.authorization).replace('Basic ', ''), 'base64').toString()).toBe(`42:${qcHash('secret', timestamp)}`);
  });

  test("HTTP 429 and QuantConnect's rate-limit text both wait and retry; neither fails the call", async () => {
    answers = [
      { status: 429, body: { success: false, errors: ['Too many requests'] }, headers: { 'retry-after': '0.01' } },
      { status: 200, body: { success: false, errors: ['You have hit the API rate limit, please slow down.'] } },
      { status: 200, body: { success: true } },
    ];
    const source = client();
    await source.authenticate();
    expect(seen).toHaveLength(3);
    expect(source.stats).toMatchObject({ requests: 3, rateLimited: 2, retried: 0 });
  });

  test('wrong credentials, a failing server and an answer that is not JSON are told apart', async () => {
    answers = [{ status: 200, body: { success: false, errors: ["Hash doesn't match. Your credentials are incorrect."] } }];
    await expect(client().authenticate()).rejects.toThrow(/refused the credentials of user 42: Hash doesn't match/);
    answers = [
      { status: 502, body: 'bad gateway' },
      { status: 503, body: 'unavailable' },
    ];
    await expect(client().authenticate()).rejects.toThrow(/failed on authenticate: HTTP 503/);
    answers = [{ status: 200, body: '<html>login</html>' }];
    await expect(client().authenticate()).rejects.toThrow(/something other than JSON/);
    answers = [{ status: 200, body: { success: false, errors: ['Project not found'] } }];
    await expect(client().files(7)).rejects.toThrow('files/read failed on the source: Project not found');
  });
});
