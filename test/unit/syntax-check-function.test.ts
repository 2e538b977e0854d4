import { createHash, createHmac } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { encodeSyntaxCheckRequest, lambdaSyntaxChecker } from '../../core/aws/lambda-syntax-checker';
import { inProcessSyntaxChecker } from '../../core/domain/compile/python-syntax';
import { resetConfig } from '../../core/shared/config';
import { handler } from '../../lambdas/workers/syntax-check.handler';
import { type Loopback, type LoopbackRequest, startLoopback } from '../support/loopback';

/**
 * The syntax-check function (lambdas/workers/syntax-check.handler.ts) and the adapter that invokes
 * it (core/aws/lambda-syntax-checker.ts): the handler with sample events, and the adapter against
 * a loopback stand-in for Lambda's Invoke API that runs the real handler, so what compile/create
 * gets in AWS is what the in-process checker answers locally.
 */
const GOOD = { name: 'main.py', content: 'class A:\n    def f(self):\n        return 1\n' };
const BAD = { name: 'lib/util.py', content: 'def f(:\n    pass\n' };
const INDENT = { name: 'b.py', content: 'x = 1\n    y = 2\n' };
const NOT_PYTHON = { name: 'notes.txt', content: 'def (' };

describe('the handler', () => {
  test('good Python: no errors', async () => {
    expect(await handler(encodeSyntaxCheckRequest([GOOD]))).toEqual({ errors: [] });
  });

  test('bad Python: the first error of each failing file, in order, as the in-process checker finds it', async () => {
    const files = [BAD, GOOD, INDENT, NOT_PYTHON];
    const { errors } = await handler(encodeSyntaxCheckRequest(files));
    expect(errors).toEqual([
      { file: 'lib/util.py', line: 1, column: expect.any(Number), message: expect.stringMatching(/^SyntaxError: /) },
      { file: 'b.py', line: 2, column: expect.any(Number), message: 'IndentationError: unexpected indent' },
    ]);
    expect(errors).toEqual(await inProcessSyntaxChecker.check(files));
  });

  test('a malformed event is refused, not answered as "no errors"', async () => {
    await expect(handler({} as never)).rejects.toThrow(/gzip/);
    await expect(handler({ gzip: Buffer.from('x').toString('base64') })).rejects.toThrow();
    await expect(handler({ gzip: gzipSync('{"a":1}').toString('base64') })).rejects.toThrow(/list of \{ name, content \} files/);
  });
});

describe('the adapter: a signed RequestResponse Invoke of the function', () => {
  let lambda: Loopback;
  const seen: LoopbackRequest[] = [];
  let functionError: string | undefined;

  beforeAll(async () => {
    lambda = await startLoopback((req, res) => {
      seen.push(req);
      void (async () => {
        res.setHeader('content-type', 'application/json');
        if (functionError) {
          res.setHeader('x-amz-function-error', 'Unhandled');
          res.end(JSON.stringify({ errorType: 'Error', errorMessage: functionError }));
          return;
        }
        res.end(JSON.stringify(await handler(JSON.parse(req.body))));
      })();
    });
  });
  afterAll(() => lambda.close());
  beforeEach(() => {
    seen.length = 0;
    functionError = undefined;
  });

  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session' };
  const checker = (maxRequestBytes?: number) =>
    lambdaSyntaxChecker({
      functionName: 'lcs-test-syntax-check',
      region: 'eu-west-1',
      endpoint: lambda.endpoint,
      credentials,
      ...(maxRequestBytes ? { maxRequestBytes } : {}),
    });

  test('answers what the in-process checker answers, sending only the Python files', async () => {
    const files = [BAD, GOOD, INDENT, NOT_PYTHON];
    expect(await checker().check(files)).toEqual(await inProcessSyntaxChecker.check(files));
    expect(seen).toHaveLength(1);
    const req = seen[0] as LoopbackRequest;
    expect(req.method).toBe('POST');
    expect(req.url.pathname).toBe('/2015-03-31/functions/lcs-test-syntax-check/invocations');
    expect(req.headers['x-amz-invocation-type']).toBe('RequestResponse');
    const sent = JSON.parse(gunzipSync(Buffer.from(JSON.parse(req.body).gzip, 'base64')).toString()) as { name: string }[];
    expect(sent.map((f) => f.name)).toEqual(['lib/util.py', 'main.py', 'b.py']);
  });

  test('the request is signed for Lambda in the region, over exactly the headers and body that arrived', async () => {
    await checker().check([GOOD]);
    const req = seen[0] as LoopbackRequest;
    expect(req.headers['x-amz-security-token']).toBe('session');
    expect(req.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/lambda\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-invocation-type;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
    const amzDate = String(req.headers['x-amz-date']);
    const names = ['content-type', 'host', 'x-amz-content-sha256', 'x-amz-date', 'x-amz-invocation-type', 'x-amz-security-token'];
    const bodyHash = createHash('sha256').update(req.body).digest('hex');
    expect(req.headers['x-amz-content-sha256']).toBe(bodyHash);
    const canonical = ['POST', req.url.pathname, '', ...names.map((n) => `${n}:${req.headers[n]}`), '', names.join(';'), bodyHash].join('\n');
    const scope = `${amzDate.slice(0, 8)}/eu-west-1/lambda/aws4_request`;
    const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
    const h = (k: Buffer | string, d: string) => createHmac('sha256', k).update(d).digest();
    const key = h(h(h(h('AWS4secret', amzDate.slice(0, 8)), 'eu-west-1'), 'lambda'), 'aws4_request');
    expect(req.headers.authorization).toContain(`Signature=${createHmac('sha256', key).update(toSign).digest('hex')}`);
  });

  test('a project above the request limit is checked in several calls, errors still in file order', async () => {
    // Hashes do not compress: each file is about 1 KB in the request.
    const noise = (i: number) => Array.from({ length: 25 }, (_, k) => `# ${createHash('sha256').update(`${i}/${k}`).digest('hex')}`).join('\n');
    const many = Array.from({ length: 8 }, (_, i) => ({ name: `m${i}.py`, content: `${i % 3 ? 'x = 1' : 'def f(:'}\n${noise(i)}\n` }));
    const whole = await inProcessSyntaxChecker.check(many);
    expect(whole.map((e) => e.file)).toEqual(['m0.py', 'm3.py', 'm6.py']);
    expect(await checker(2000).check(many)).toEqual(whole);
    expect(seen.length).toBeGreaterThan(1);
    for (const req of seen) expect(req.body.length).toBeLessThanOrEqual(2000);
  });

  test('one file too large alone is refused by name; a failing function is an error, never "no errors"', async () => {
    const big = {
      name: 'big.py',
      content: Array.from({ length: 4000 }, (_, i) => `v${i} = '${createHash('md5').update(String(i)).digest('hex')}'`).join('\n'),
    };
    await expect(checker(2000).check([big])).rejects.toThrow(/big\.py is too large for the syntax check/);
    functionError = 'Task timed out after 20.00 seconds';
    await expect(checker().check([GOOD])).rejects.toThrow(/syntax-check function failed \(Unhandled\).*Task timed out/);
  });
});

describe('cold start of the functions that invoke it', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    resetConfig();
  });
  const coldStart = (path: string) => () => jest.isolateModules(() => require(path));
  const routeEnv = { TABLE_NAME: 'lcs-test', ARTIFACTS_BUCKET_NAME: 'lcs-test-artifacts', JOBS_QUEUE_URL: 'https://sqs.test/jobs' };

  test.each(['../../lambdas/api/backtests/create-compile.handler', '../../lambdas/api/ai/syntax-check.handler'])(
    '%s on Lambda fails without SYNTAX_CHECK_FUNCTION_NAME, naming it, and starts with it',
    (path) => {
      process.env = { ...saved, ...routeEnv, AWS_LAMBDA_FUNCTION_NAME: 'lcs-test-fn' };
      delete process.env.SYNTAX_CHECK_FUNCTION_NAME;
      expect(coldStart(path)).toThrow('Missing resource binding: SYNTAX_CHECK_FUNCTION_NAME is not set.');
      process.env.SYNTAX_CHECK_FUNCTION_NAME = 'lcs-test-syntax-check';
      expect(coldStart(path)).not.toThrow();
    },
  );
});
