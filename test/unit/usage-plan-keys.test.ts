import type { ServerResponse } from 'node:http';
import { apiGatewayUsagePlanKeys, apiKeyName, usagePlanKeys } from '../../core/aws/usage-plan-keys';
import { noUsagePlanKeys } from '../../core/ports/usage-plan-keys';
import { type Loopback, startLoopback } from '../support/loopback';

/**
 * The usage-plan port against a loopback stand-in for API Gateway's REST protocol: an
 * organization gets one API key whose value is its id, attached once to the usage plan, however
 * often `attach` runs; local mode (no usage plan) makes no call at all.
 */
interface StoredKey {
  id: string;
  name: string;
  value: string;
}

let apiGateway: Loopback;
const keys: StoredKey[] = [];
const planKeys = new Map<string, Set<string>>();
const calls: string[] = [];

function send(res: ServerResponse, status: number, body: unknown, errorType?: string) {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  if (errorType) res.setHeader('x-amzn-errortype', errorType);
  res.end(JSON.stringify(body));
}

beforeAll(async () => {
  apiGateway = await startLoopback((req, res) => {
    const url = req.url;
    calls.push(`${req.method} ${url.pathname}`);
    const body = req.body ? (JSON.parse(req.body) as Record<string, string>) : {};
    if (req.method === 'GET' && url.pathname === '/apikeys') {
      const name = url.searchParams.get('name');
      const items = keys.filter((k) => !name || k.name.startsWith(name));
      return send(res, 200, { item: url.searchParams.get('includeValues') === 'true' ? items : items.map(({ value: _v, ...k }) => k) });
    }
    if (req.method === 'POST' && url.pathname === '/apikeys') {
      if (keys.some((k) => k.value === body.value)) return send(res, 409, { message: 'API Key already exists' }, 'ConflictException');
      const key = { id: `key${keys.length + 1}`, name: body.name as string, value: body.value as string };
      keys.push(key);
      return send(res, 201, key);
    }
    const plan = /^\/usageplans\/([^/]+)\/keys$/.exec(url.pathname);
    if (req.method === 'POST' && plan?.[1]) {
      const attached = planKeys.get(plan[1]) ?? new Set<string>();
      planKeys.set(plan[1], attached);
      if (attached.has(body.keyId as string)) return send(res, 409, { message: 'Usage plan key already exists' }, 'ConflictException');
      attached.add(body.keyId as string);
      return send(res, 201, { id: body.keyId, type: body.keyType });
    }
    send(res, 404, { message: 'no such route' }, 'NotFoundException');
  });
});

afterAll(() => apiGateway.close());

const port = () =>
  apiGatewayUsagePlanKeys('plan1', { endpoint: apiGateway.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const org = { id: 'a'.repeat(32), name: 'Acme' };

test('creates the key (value = organization id) and attaches it; repeating changes nothing', async () => {
  await port().attach(org);
  expect(keys).toEqual([{ id: 'key1', name: apiKeyName(org.id), value: org.id }]);
  expect([...(planKeys.get('plan1') ?? [])]).toEqual(['key1']);
  await port().attach(org);
  expect(keys).toHaveLength(1);
  expect([...(planKeys.get('plan1') ?? [])]).toEqual(['key1']);
});

test('a key with that value under another name is reused', async () => {
  keys.push({ id: 'legacy', name: 'renamed-by-hand', value: 'b'.repeat(32) });
  await port().attach({ id: 'b'.repeat(32), name: 'Beta' });
  expect(keys.filter((k) => k.value === 'b'.repeat(32))).toHaveLength(1);
  expect(planKeys.get('plan1')?.has('legacy')).toBe(true);
});

test('no usage plan (local mode): a no-op that calls nothing', async () => {
  const before = calls.length;
  expect(usagePlanKeys(undefined)).toBe(noUsagePlanKeys);
  await usagePlanKeys('').attach(org);
  expect(calls).toHaveLength(before);
});
