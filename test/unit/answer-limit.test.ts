import type { APIGatewayProxyResult } from 'aws-lambda';
import * as z from '../../core/shared/zod';
import { apiHandler } from '../../lambdas/api/pipeline';
import type { RouteDef } from '../../lambdas/api/routes/route-types';
import { lambdaContext } from '../../local/proxy-event';
import { apiEvent } from '../support/api-event';

/**
 * The pipeline's last line of defence: an answer whose Lambda result would exceed the 6,291,456-byte
 * invoke payload limit (API Gateway would turn it into a 502) becomes an envelope error instead.
 * The result's JSON is what counts, so a quote in the answer takes 4 bytes (\\\").
 */
const LIMIT = 6 * 1024 * 1024;

const route: RouteDef = {
  path: 'test/answer',
  group: 'system',
  summary: 'a test route',
  entry: 'test/answer',
  schema: z.object({}),
  role: 'public',
  mutating: false,
  access: { table: 'read' },
};

const event = apiEvent({ path: '/api/v2/test/answer' });

let previousTable: string | undefined;
beforeAll(() => {
  previousTable = process.env.TABLE_NAME;
  process.env.TABLE_NAME ??= 'unused-by-this-test';
});
afterAll(() => {
  if (previousTable === undefined) delete process.env.TABLE_NAME;
});

async function answerWith(text: string): Promise<{ result: APIGatewayProxyResult; body: Record<string, unknown> }> {
  const handler = apiHandler(route, async () => ({ text }));
  const result = await handler(event, lambdaContext('req-1', 'test'));
  return { result, body: JSON.parse(result.body) as Record<string, unknown> };
}

const resultBytes = (result: APIGatewayProxyResult) => Buffer.byteLength(JSON.stringify(result));

test('an answer whose result fits the invoke payload limit is sent as it is', async () => {
  // Find the largest plain text that fits: the result's fixed part is the same for any length.
  const probe = await answerWith('');
  const fixed = resultBytes(probe.result);
  const { result, body } = await answerWith('a'.repeat(LIMIT - fixed));
  expect(resultBytes(result)).toBe(LIMIT);
  expect(body.success).toBe(true);
});

test('one byte more becomes an envelope error naming the limit', async () => {
  const fixed = resultBytes((await answerWith('')).result);
  const { result, body } = await answerWith('a'.repeat(LIMIT - fixed + 1));
  expect(result.statusCode).toBe(200);
  expect(body).toEqual({
    success: false,
    errors: [expect.stringMatching(new RegExp(`^test/answer: .*${LIMIT + 1} bytes.*over the ${LIMIT}-byte invoke payload limit`))],
  });
});

test('escaping counts: 1.6 million quotes are 3.2 MB of answer but 6.4 MB of result, and are refused', async () => {
  const { result, body } = await answerWith('"'.repeat(1_600_000));
  expect(body.success).toBe(false);
  expect(resultBytes(result)).toBeLessThan(1000);
});
