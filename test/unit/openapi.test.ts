import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { routes } from '../../lambdas/api/routes';
import type { RouteDef } from '../../lambdas/api/routes/route-types';
import { AUTHENTICATED_SECURITY, buildOpenApiDocument, OPENAPI_FILE, renderOpenApi } from '../../scripts/openapi';

/**
 * The OpenAPI document is generated from the route table (design §3): every endpoint, both
 * methods, its request schema's fields, its security. Expectations come from the route table
 * itself, so a new endpoint is checked the moment it is added.
 */
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
}
interface Operation {
  tags: string[];
  summary: string;
  operationId: string;
  security: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: { $ref: string } }> };
  responses: Record<string, { content: { 'application/json': { schema: { $ref: string } } } }>;
}
interface ObjectSchema {
  type: string;
  properties?: Record<string, unknown>;
  required?: string[];
}

const doc = buildOpenApiDocument() as unknown as {
  openapi: string;
  paths: Record<string, { get?: Operation; post?: Operation }>;
  tags: { name: string }[];
  components: { schemas: Record<string, ObjectSchema>; securitySchemes: Record<string, Record<string, string>> };
};
const all = routes as readonly RouteDef[];

function fieldsOf(route: RouteDef): { names: string[]; required: string[] } {
  const shape = (route.schema as z.ZodObject).shape;
  const names = Object.keys(shape);
  // A field is required when the schema refuses it missing.
  return { names, required: names.filter((n) => !(shape[n] as z.ZodType).safeParse(undefined).success) };
}

function resolve(ref: string): ObjectSchema {
  const name = ref.replace('#/components/schemas/', '');
  const schema = doc.components.schemas[name];
  if (!schema) throw new Error(`dangling $ref ${ref}`);
  return schema;
}

test('an OpenAPI 3.1 document with exactly the routes of the table, under /api/v2/', () => {
  expect(doc.openapi).toMatch(/^3\.1\./);
  expect(Object.keys(doc.paths).sort()).toEqual(all.map((r) => `/api/v2/${r.path}`).sort());
  expect(doc.tags.map((t) => t.name).sort()).toEqual([...new Set(all.map((r) => r.group))].sort());
});

describe.each(all.map((r) => [r.path, r] as const))('%s', (_path, route) => {
  const item = doc.paths[`/api/v2/${route.path}`];
  const { names, required } = fieldsOf(route);

  test('GET takes every schema field as a query parameter', () => {
    const get = item?.get as Operation;
    expect(get).toMatchObject({ tags: [route.group], summary: route.summary });
    const params = get.parameters ?? [];
    expect(params.every((p) => p.in === 'query')).toBe(true);
    expect(params.map((p) => p.name).sort()).toEqual([...names].sort());
    expect(
      params
        .filter((p) => p.required)
        .map((p) => p.name)
        .sort(),
    ).toEqual([...required].sort());
  });

  test('POST takes the schema as JSON and as a form', () => {
    const post = item?.post as Operation;
    expect(post).toMatchObject({ tags: [route.group], summary: route.summary });
    const content = post.requestBody?.content ?? {};
    expect(Object.keys(content).sort()).toEqual(['application/json', 'application/x-www-form-urlencoded']);
    for (const media of Object.values(content)) {
      const schema = resolve(media.schema.$ref);
      expect(schema.type).toBe('object');
      expect(Object.keys(schema.properties ?? {}).sort()).toEqual([...names].sort());
      expect([...(schema.required ?? [])].sort()).toEqual([...required].sort());
    }
  });

  test('security: none for a public route, any of the four methods otherwise; the envelope answers', () => {
    for (const op of [item?.get, item?.post] as Operation[]) {
      expect(op.security).toEqual(route.role === 'public' ? [] : AUTHENTICATED_SECURITY);
      expect(op.responses['200']?.content['application/json'].schema.$ref).toBe('#/components/schemas/Envelope');
    }
  });
});

test('security schemes: QuantConnect hash (Basic + Timestamp), key pair, bearer JWT', () => {
  const schemes = doc.components.securitySchemes;
  expect(schemes.qcHash).toMatchObject({ type: 'http', scheme: 'basic' });
  expect(schemes.qcTimestamp).toMatchObject({ type: 'apiKey', in: 'header', name: 'Timestamp' });
  expect(schemes.apiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
  expect(schemes.apiSecret).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-API-Secret' });
  expect(schemes.bearerJwt).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  const used = new Set(AUTHENTICATED_SECURITY.flatMap((requirement) => Object.keys(requirement)));
  expect([...used].sort()).toEqual(Object.keys(schemes).sort());
  expect(AUTHENTICATED_SECURITY).toContainEqual({ qcHash: [], qcTimestamp: [] });
  expect(AUTHENTICATED_SECURITY).toContainEqual({ apiKey: [], apiSecret: [] });
  expect(AUTHENTICATED_SECURITY).toContainEqual({ bearerJwt: [] });
});

test('the shared envelope: success (boolean, required) and errors (list of strings)', () => {
  expect(doc.components.schemas.Envelope).toMatchObject({
    type: 'object',
    properties: { success: { type: 'boolean' }, errors: { type: 'array', items: { type: 'string' } } },
    required: ['success'],
  });
});

test('operation ids are unique', () => {
  const ids = Object.values(doc.paths).flatMap((item) => [item.get?.operationId, item.post?.operationId]);
  expect(new Set(ids).size).toBe(all.length * 2);
});

test('docs/openapi.json is what the generator writes (run `npm run openapi` after changing routes or schemas)', () => {
  const committed = readFileSync(OPENAPI_FILE, 'utf8');
  expect(committed === renderOpenApi()).toBe(true);
});
