import { call } from '../support/api';
import { createTenant, type Tenant } from '../support/tenants';

/**
 * ai/tools/* over HTTP (contract §3.11) on the test server, where no Bedrock model is configured:
 * syntax check and PEP 8 conversion work; the model-backed tools answer a clear envelope error.
 * The Bedrock path itself is tested against a loopback stand-in in test/unit/ai-bedrock.test.ts.
 */
let tenant: Tenant;

beforeAll(async () => {
  tenant = await createTenant('ai tools');
});

test('syntax-check: Python errors by file and line through the compile checker; clean files give an empty list', async () => {
  const bad = await call('ai/tools/syntax-check', {
    json: {
      language: 'Py',
      files: [
        { name: 'main.py', content: 'x = 1\n' },
        { name: 'util.py', content: 'def f(:\n    pass\n' },
      ],
    },
    creds: tenant.admin,
  });
  expect(bad.body).toEqual({
    success: true,
    state: 'End',
    version: 2,
    payloadType: 'StringArray',
    payload: [expect.stringMatching(/^File: util\.py Line: 1 Column: \d+ - SyntaxError/)],
  });
  const good = await call('ai/tools/syntax-check', { json: { language: 'Py', files: [{ name: 'main.py', content: 'x = 1\n' }] }, creds: tenant.admin });
  expect(good.body).toMatchObject({ success: true, state: 'End', payload: [] });
});

test('syntax-check: C# is refused with an envelope error pointing at compile/create', async () => {
  const answer = await call('ai/tools/syntax-check', { json: { language: 'C#', files: [{ name: 'Main.cs', content: 'class A {}' }] }, creds: tenant.admin });
  expect(answer.status).toBe(200);
  expect(answer.body).toEqual({ success: false, errors: [expect.stringMatching(/compile\/create/)] });
});

test('pep8-convert: Python files in the snake_case API, keyed by file name', async () => {
  const answer = await call('ai/tools/pep8-convert', {
    json: {
      files: [
        { name: 'main.py', content: 'class A(QCAlgorithm):\n    def Initialize(self):\n        self.SetCash(100000)\n' },
        { name: 'notes.txt', content: 'x' },
      ],
    },
    creds: tenant.admin,
  });
  expect(answer.body).toEqual({
    success: true,
    state: 'End',
    version: 2,
    payloadType: 'StringDict',
    payload: { 'main.py': 'class A(QCAlgorithm):\n    def initialize(self):\n        self.set_cash(100000)\n' },
  });
});

test.each([
  ['ai/tools/backtest-init', { language: 'Py', files: [{ name: 'main.py', content: 'x = 1\n' }] }],
  ['ai/tools/complete', { language: 'Py', sentence: 'self.add_eq' }],
  ['ai/tools/error-enhance', { language: 'Py', error: { message: 'boom' } }],
  ['ai/tools/search', { language: 'Py', criteria: [{ input: 'options', type: 'Docs', count: 1 }] }],
])('%s without a configured model answers that AI tools are not enabled', async (path, json) => {
  const answer = await call(path, { json, creds: tenant.admin });
  expect(answer.status).toBe(200);
  expect(answer.body).toEqual({ success: false, errors: [expect.stringMatching(/^AI tools are not enabled on this server/)] });
});

test('bad input names the field', async () => {
  const answer = await call('ai/tools/syntax-check', { json: { language: 'Python', files: [] }, creds: tenant.admin });
  expect(answer.body.success).toBe(false);
  expect(answer.body.errors).toEqual(expect.arrayContaining([expect.stringMatching(/^language: /), expect.stringMatching(/^files: /)]));
});
