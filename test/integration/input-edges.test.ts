import { request } from 'node:http';
import { connect } from 'node:net';
import { apiUrl, call } from '../support/api';
import { createTenant, type Tenant } from '../support/tenants';

/**
 * Input edges of issue 14 (items 10-12): ill-formed names, over-long forms and odd request
 * targets are answered with the envelope, never stored, truncated or left to Node's bare answers.
 */
let tenant: Tenant;
let projectId: number;

beforeAll(async () => {
  tenant = await createTenant('input edges');
  const created = await call('projects/create', { json: { name: `Edges ${Date.now()}`, language: 'Py' }, creds: tenant.admin });
  projectId = (created.body.projects as { projectId: number }[])[0]?.projectId as number;
});

/** Sends `text` as it is over a socket and returns the raw answer. */
function raw(text: string): Promise<string> {
  const { hostname, port } = new URL(apiUrl());
  return new Promise((done, fail) => {
    const socket = connect(Number(port), hostname, () => socket.end(text));
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
    });
    socket.on('end', () => done(answer));
    socket.on('error', fail);
  });
}

const bodyOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { success: boolean; errors: string[] };

describe('lone UTF-16 surrogates (item 10: the input check refuses them before any handler)', () => {
  test('in a file name', async () => {
    const answer = await call('files/create', { json: { projectId, name: '\ud800.py', content: 'x = 1\n' }, creds: tenant.admin });
    expect(answer.body.success).toBe(false);
    expect(answer.body.errors?.[0]).toMatch(/^name: is not valid Unicode text/);
    const files = await call('files/read', { json: { projectId }, creds: tenant.admin });
    expect((files.body.files as { name: string }[]).map((f) => f.name)).not.toContain('\ud800.py');
  });

  test('in a project name', async () => {
    const answer = await call('projects/create', { json: { name: 'Bad \udc00 name', language: 'Py' }, creds: tenant.admin });
    expect(answer.body.success).toBe(false);
    expect(answer.body.errors?.[0]).toMatch(/^name: is not valid Unicode text/);
  });
});

test('a form with more fields than the parser keeps is refused, not cut (item 11)', async () => {
  const pairs: [string, string][] = Array.from({ length: 100_000 }, (_, i) => [`f${i}`, '']);
  pairs.push(['projectId', String(projectId)]);
  const answer = await call('projects/read', { form: pairs, creds: tenant.admin });
  expect(answer.status).toBe(200);
  expect(answer.body.success).toBe(false);
  expect(answer.body.errors).toEqual(['request: the form has more than 100000 fields']);
  expect(answer.body.projects).toBeUndefined();
});

describe('request targets and what Node refuses itself (item 12)', () => {
  test('a target starting with // reaches the endpoint (doubled slashes are tolerated)', async () => {
    const answer = await call('authenticate', { method: 'GET', creds: tenant.admin, path: `${new URL(apiUrl()).origin}//api/v2//authenticate` });
    expect(answer.body).toEqual({ success: true });
  });

  test('a request that is not HTTP gets 400 with the envelope', async () => {
    const answer = await raw('NOT HTTP AT ALL\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(bodyOf(answer)).toEqual({ success: false, errors: ['The request is not valid HTTP'] });
  });

  test('an expectation Node does not meet gets 417 with the envelope', async () => {
    const answer = await new Promise<{ status?: number; body: string }>((done, fail) => {
      const req = request(`${apiUrl()}health`, { headers: { Expect: 'the-moon' } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on('end', () => done({ status: res.statusCode, body }));
      });
      req.on('error', fail);
      req.end();
    });
    expect(answer.status).toBe(417);
    expect(JSON.parse(answer.body)).toEqual({ success: false, errors: ['Only the "Expect: 100-continue" expectation is supported'] });
  });

  test('headers beyond Node’s limit get 431 with the envelope', async () => {
    const answer = await raw(`GET /api/v2/authenticate HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(bodyOf(answer)).toEqual({ success: false, errors: ['The request headers are too large'] });
  });
});
