import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startProxy, upstreamBase, upstreamUrl } from '../../cli/proxy/reverse-proxy';
import { apiUrl, call, LeanCli } from '../support/api';
import { type Loopback, type LoopbackRequest, startLoopback } from '../support/loopback';
import { createTenant, type Tenant } from '../support/tenants';

/**
 * `lcs proxy`: lean-cli's fixed http://localhost:5612/api/v2/ forwarded to a deployed API. Tested
 * against the real local server on its own port (as a deployed stack would answer) and against a
 * loopback upstream that shows what reaches the stage: its path, its Host, the credentials.
 */
let tenant: Tenant;
const lines: string[] = [];
const servers: Server[] = [];

async function proxyTo(upstream: string): Promise<string> {
  const server = await startProxy({ upstream, port: 0, host: '127.0.0.1', log: (line) => lines.push(line) });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2/`;
}

beforeAll(async () => {
  tenant = await createTenant('Proxy');
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
});

test('lean-cli’s push and pull through the proxy reach the server unchanged, large files streamed both ways', async () => {
  const through = new LeanCli(tenant.admin, tenant.orgId, await proxyTo(apiUrl()));
  expect((await through.authenticate()).body.success).toBe(true);
  const created = await through.createProject(`Proxied ${Date.now()}`);
  expect(created.body.success).toBe(true);
  const projectId = (created.body.projects as { projectId: number }[])[0]!.projectId;
  const big = `# ${'x'.repeat(60)}\n`.repeat(20_000); // about 1.3 MB
  const pushed = await through.push(projectId, { name: `Proxied push ${projectId}`, files: [{ name: 'main.py', content: big }] });
  expect(pushed.body).toMatchObject({ success: true });
  // What the server stored (read directly) is what went through the proxy, and reads back through it.
  const direct = await tenant.cli.readFile(projectId, 'main.py');
  expect((direct.body.files as { content: string }[])[0]!.content).toBe(big);
  const back = await through.readFile(projectId, 'main.py');
  expect(back.text).toBe(direct.text);
  expect(lines.some((l) => /^POST \/api\/v2\/projects\/create → 200 \(\d+ ms\)$/.test(l))).toBe(true);
  // The query may carry credentials: never logged.
  expect(lines.join('\n')).not.toContain(tenant.admin.token);
  expect(lines.join('\n')).not.toContain('?');
});

describe('what reaches the deployed stage', () => {
  let upstream: Loopback;
  const seen: LoopbackRequest[] = [];
  beforeAll(async () => {
    upstream = await startLoopback((req, res) => {
      seen.push(req);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ success: true, path: req.url.pathname }));
    });
  });
  afterAll(() => upstream.close());

  test('the stage path is prefixed, the Host is the upstream’s, the credentials and the body pass untouched', async () => {
    const base = await proxyTo(`${upstream.endpoint}/prod/api/v2`);
    const answer = await call('projects/read', { base, method: 'GET', query: { projectId: 7 }, creds: tenant.admin });
    expect(answer.body).toEqual({ success: true, path: '/prod/api/v2/projects/read' });
    const form = await call('projects/update', {
      base,
      form: [
        ['projectId', 7],
        ['files[0][name]', 'a.py'],
      ],
      creds: tenant.admin,
    });
    expect(form.status).toBe(200);
    const [read, update] = seen.slice(-2);
    expect(read!.url.search).toBe('?projectId=7');
    expect(read!.headers.host).toBe(new URL(upstream.endpoint).host);
    expect(read!.headers.authorization).toMatch(/^Basic /);
    expect(read!.headers.timestamp).toMatch(/^\d+$/);
    expect(update!.body).toBe('projectId=7&files%5B0%5D%5Bname%5D=a.py');
    expect(update!.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  test('outside /api/v2/ and an unreachable API get the envelope, never a hang', async () => {
    const base = await proxyTo(`${upstream.endpoint}/prod/api/v2/`);
    const outside = await call('', { path: base.replace('/api/v2/', '/other'), method: 'GET' });
    expect(outside.status).toBe(404);
    expect(outside.body).toMatchObject({ success: false, errors: [expect.stringContaining('/api/v2/')] });
    const dead = await proxyTo('http://127.0.0.1:1/prod/api/v2/');
    const refused = await call('authenticate', { base: dead, method: 'GET' });
    expect(refused.status).toBe(502);
    expect(refused.body).toMatchObject({ success: false, errors: [expect.stringContaining('did not answer')] });
  });
});

test('upstream URLs: normalised base, relative endpoint, query kept; only http(s)', () => {
  const base = upstreamBase('https://abc.execute-api.eu-west-1.amazonaws.com/prod/api/v2');
  expect(upstreamUrl(base, '/api/v2/backtests/read?projectId=1')?.toString()).toBe(
    'https://abc.execute-api.eu-west-1.amazonaws.com/prod/api/v2/backtests/read?projectId=1',
  );
  expect(upstreamUrl(base, '/elsewhere')).toBeUndefined();
  expect(() => upstreamBase('ftp://example.com/')).toThrow(/http\(s\)/);
  expect(() => upstreamBase('not a url')).toThrow(/not a URL/);
});
