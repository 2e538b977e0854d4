import { createHash, createHmac } from 'node:crypto';
import { converse } from '../../core/data/ai/bedrock-converse';
import { aiToolsService } from '../../core/domain/ai/ai-tools-service';
import type { Principal } from '../../core/shared/principal';
import { type Loopback, type LoopbackRequest, startLoopback } from '../support/loopback';

/**
 * The Bedrock-backed AI tools against a loopback stand-in for the Bedrock Runtime Converse API
 * (`POST /model/<modelId>/converse`): checks the model id, the signed headers and the body the
 * real service reads, and that the stand-in's answer becomes the contract's shape.
 */
let bedrock: Loopback;
const seen: LoopbackRequest[] = [];
let reply: { status: number; body: unknown } = { status: 200, body: {} };

beforeAll(async () => {
  bedrock = await startLoopback((req, res) => {
    seen.push(req);
    res.statusCode = reply.status;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(reply.body));
  });
});

afterAll(() => bedrock.close());

const MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const settings = () => ({
  modelId: MODEL,
  region: 'eu-west-1',
  endpoint: bedrock.endpoint,
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session' },
});
const answerWith = (text: string) => ({ status: 200, body: { output: { message: { role: 'assistant', content: [{ text }] } }, stopReason: 'end_turn' } });

test('converse posts a signed Converse request for the model and returns its text', async () => {
  seen.length = 0;
  reply = answerWith('It initializes.');
  expect(await converse(settings(), { system: 'sys', prompt: 'hello', maxTokens: 100 })).toBe('It initializes.');
  const req = seen[0] as LoopbackRequest;
  expect(req.method).toBe('POST');
  // The model id's ':' is percent-encoded in the path, as the SDK sends it.
  expect(req.url.pathname).toBe(`/model/${encodeURIComponent(MODEL)}/converse`);
  expect(JSON.parse(req.body)).toEqual({
    system: [{ text: 'sys' }],
    messages: [{ role: 'user', content: [{ text: 'hello' }] }],
    inferenceConfig: { maxTokens: 100, temperature: 0 },
  });
  expect(req.headers['x-amz-security-token']).toBe('session');
  expect(req.headers['x-amz-content-sha256']).toBe(createHash('sha256').update(req.body).digest('hex'));
  expect(req.headers.authorization).toMatch(
    /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/bedrock\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
  );
  // The signature is over exactly these headers and body: recompute it from what arrived.
  const amzDate = String(req.headers['x-amz-date']);
  const names = ['content-type', 'host', 'x-amz-content-sha256', 'x-amz-date', 'x-amz-security-token'];
  const path = `/model/${encodeURIComponent(encodeURIComponent(MODEL))}/converse`;
  const canonical = ['POST', path, '', ...names.map((n) => `${n}:${req.headers[n]}`), '', names.join(';'), req.headers['x-amz-content-sha256']].join('\n');
  const scope = `${amzDate.slice(0, 8)}/eu-west-1/bedrock/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
  const h = (k: Buffer | string, d: string) => createHmac('sha256', k).update(d).digest();
  const key = h(h(h(h('AWS4secret', amzDate.slice(0, 8)), 'eu-west-1'), 'bedrock'), 'aws4_request');
  expect(req.headers.authorization).toContain(`Signature=${createHmac('sha256', key).update(toSign).digest('hex')}`);
});

test('a refusal from Bedrock (e.g. AccessDenied) is an error naming its message', async () => {
  reply = { status: 403, body: { message: 'User is not authorized to perform: bedrock:InvokeModel' } };
  await expect(converse(settings(), { system: 's', prompt: 'p', maxTokens: 10 })).rejects.toThrow(/HTTP 403.*bedrock:InvokeModel/);
});

describe('the model-backed tools, enabled with LCS_AI_MODEL_ID', () => {
  const principal = {
    userId: 1,
    authMethod: 'token',
    credentialId: 't1',
    preferredOrgId: 'a'.repeat(32),
    memberships: [{ orgId: 'a'.repeat(32), role: 'member' }],
  } as unknown as Principal;
  const env = { ...process.env };

  beforeAll(() => {
    Object.assign(process.env, {
      LCS_AI_MODEL_ID: MODEL,
      LCS_AI_ENDPOINT: bedrock.endpoint,
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
    });
  });
  afterAll(() => {
    process.env = env;
  });

  test('complete answers the suggestions, one per line, within the size limit, in the contract shape', async () => {
    reply = answerWith('self.add_equity\nself.add_equity_option\n\nself.add_etf');
    const answer = await aiToolsService.complete(principal, { language: 'Py', sentence: 'self.add_eq', responseSizeLimit: 2 });
    expect(answer).toEqual({ state: 'End', version: 2, payload: ['self.add_equity', 'self.add_equity_option'], payloadType: 'StringArray' });
  });

  test('error-enhance and search use the model too', async () => {
    reply = answerWith('Define x first.');
    expect(await aiToolsService.errorEnhance(principal, { language: 'Py', error: { message: 'NameError' } })).toEqual({
      state: 'End',
      version: 2,
      payload: 'Define x first.',
      payloadType: 'String',
    });
    expect(await aiToolsService.search(principal, { language: 'Py', criteria: [{ input: 'options', type: 'Docs', count: 1 }] })).toEqual({
      state: 'End',
      version: 2,
      retrivals: [{ url: '', score: 1, content: 'Define x first.', type: 2 }],
      messageId: 0,
    });
  });
});
