/** No token, secret or Authorization value reaches the log output, however it is passed in. */
type LoggerModule = typeof import('../../core/shared/logger');

const TOKEN = 'c70fc76028f43a5a19befbba915b5b8d473ab399ef2e4ea47767f147a4118bd4';
const SECRET = 'SuperSecretValue123';
const BASIC = Buffer.from(`100001:${TOKEN}`).toString('base64');
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
const SECRETS = [TOKEN, SECRET, BASIC, JWT];

let output: string[];
let logger: LoggerModule['logger'];
const saved = { ...process.env };

beforeAll(async () => {
  process.env.LCS_LOG_LEVEL = 'INFO';
  delete process.env.POWERTOOLS_LOG_LEVEL;
  delete process.env.AWS_LAMBDA_LOG_LEVEL;
  delete process.env.POWERTOOLS_DEV;
  await jest.isolateModulesAsync(async () => {
    ({ logger } = (await import('../../core/shared/logger')) as LoggerModule);
  });
});

afterAll(() => {
  process.env = saved;
});

beforeEach(() => {
  output = [];
  const capture = (chunk: string | Uint8Array) => {
    output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  jest.spyOn(process.stderr, 'write').mockImplementation(capture);
});

afterEach(() => {
  jest.restoreAllMocks();
});

function logged(): Record<string, unknown>[] {
  const text = output.join('');
  for (const secret of SECRETS) expect(text).not.toContain(secret);
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

test('the logger writes at INFO (so the checks below see real output)', () => {
  logger.info('hello', { requestId: 'r-1', userId: 100001 });
  const [entry] = logged();
  expect(entry).toMatchObject({ message: 'hello', requestId: 'r-1', userId: 100001, level: 'INFO' });
});

test('secret-named keys are masked, at any case and nesting, in objects and arrays', () => {
  logger.error('request failed', {
    requestId: 'r-2',
    headers: { Authorization: `Basic ${BASIC}`, 'X-API-Secret': SECRET, 'x-api-key': 'lcs_public-id', Timestamp: '1700000000', Cookie: SECRET },
    body: { apiToken: TOKEN, 'api-access-token': TOKEN, password: SECRET, items: [{ secret: SECRET }, { token: TOKEN }] },
    stored: { ciphertext: `v1:${TOKEN}`, secretHash: SECRET, jwt: JWT, hash: TOKEN },
  });
  const [entry] = logged();
  const headers = entry?.headers as Record<string, unknown>;
  expect(headers.Authorization).toBe('[redacted]');
  expect(headers['X-API-Secret']).toBe('[redacted]');
  // Non-secret values stay readable.
  expect(headers['x-api-key']).toBe('lcs_public-id');
  expect(headers.Timestamp).toBe('1700000000');
  expect(entry?.requestId).toBe('r-2');
});

test('credential-shaped text inside strings, error messages and stacks is masked', () => {
  const error = new Error(`upstream said: Authorization: Basic ${BASIC} and Bearer ${JWT}`);
  logger.error(`failed for /api/v2/authenticate?authorization=${BASIC}&timestamp=1`, {
    error,
    note: `header was Basic ${BASIC}`,
    url: `https://x/api?token=${TOKEN}&secret=${SECRET}`,
  });
  const [entry] = logged();
  expect(JSON.stringify(entry)).toContain('Basic [redacted]');
  expect(String(entry?.message)).toContain('timestamp=1');
});

test('deeply nested values do not slip through unmasked', () => {
  let nested: Record<string, unknown> = { authorization: `Basic ${BASIC}`, plain: TOKEN };
  for (let i = 0; i < 12; i++) nested = { level: nested };
  logger.warn('deep', { nested });
  expect(logged()).toHaveLength(1);
});
