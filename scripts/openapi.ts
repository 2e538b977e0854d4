import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import { adminSchemas } from '../lambdas/api/account/schemas';
import { aiSchemas } from '../lambdas/api/ai/schemas';
import { backtestSchemas } from '../lambdas/api/backtests/schemas';
import { dataSchemas } from '../lambdas/api/data/schemas';
import { fileSchemas } from '../lambdas/api/files/schemas';
import { liveSchemas } from '../lambdas/api/live/schemas';
import { moduleSchemas } from '../lambdas/api/modules/schemas';
import { objectSchemas } from '../lambdas/api/objects/schemas';
import { optimizationSchemas } from '../lambdas/api/optimizations/schemas';
import { projectSchemas } from '../lambdas/api/projects/schemas';
import { routes } from '../lambdas/api/routes';
import type { RouteDef, RouteGroup } from '../lambdas/api/routes/route-types';
import { commonSchemas } from '../lambdas/api/schema';
import { classicCopies } from './classic-zod';

/**
 * `npm run openapi`: writes docs/openapi.json, the OpenAPI 3.1 document of this server, from the
 * route table and its zod request schemas (design §3). Every endpoint accepts GET (parameters in
 * the query string) and POST (JSON or form body); every answer is the QuantConnect envelope.
 * The output depends only on the code, so it is reproducible and checked by a unit test;
 * `npm run openapi -- --check` fails when the committed file is stale.
 * Schemas are named with zod's own `.meta({ id })`, which needs no patching of zod. The request
 * schemas are zod/mini; the generator reads classic copies of them (./classic-zod.ts).
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const OPENAPI_FILE = join(root, 'docs', 'openapi.json');

/** Every request schema by name: `projectRead` becomes the component `ProjectReadRequest`. */
const schemas = {
  ...commonSchemas,
  ...adminSchemas,
  ...projectSchemas,
  ...fileSchemas,
  ...dataSchemas,
  ...objectSchemas,
  ...backtestSchemas,
  ...optimizationSchemas,
  ...moduleSchemas,
  ...aiSchemas,
  ...liveSchemas,
};

const GROUPS: Record<RouteGroup, string> = {
  system: 'Reachability and credential checks.',
  account: 'Account, organizations, the calling user and virtual nodes.',
  projects: 'Projects, libraries, node selection and collaboration.',
  files: 'Project files.',
  lean: 'LEAN versions and environments.',
  data: 'Market data for LEAN and lean-cli.',
  objects: 'The object store.',
  backtests: 'Compiles and backtests: jobs, progress and pre-split results.',
  optimizations: 'Parameter searches (grid, Euler) whose points are backtests on optimization nodes.',
  services: 'Terminal services (news: none on a self-hosted server).',
  modules: 'LEAN modules (brokerages, data feeds) the operator uploaded, for lean-cli to install.',
  ai: 'AI tools: syntax check and PEP 8 conversion here; the model-backed tools through Amazon Bedrock when enabled.',
  live: 'Live trading: deployments, their published results, commands, stop and liquidate.',
};

/** Any one of these is enough; each lists the schemes that are sent together. */
export const AUTHENTICATED_SECURITY: Record<string, string[]>[] = [
  { qcHash: [], qcTimestamp: [] },
  { apiKey: [], apiSecret: [] },
  { bearerJwt: [] },
  { basicToken: [] },
];

const securitySchemes = {
  qcHash: {
    type: 'http',
    scheme: 'basic',
    description:
      'QuantConnect hash (LEAN, lean-cli): `Authorization: Basic base64(<userId>:<sha256hex("<token>:<timestamp>")>)` together with the `Timestamp` header ' +
      '(unix seconds, up to 7200 s old and 300 s ahead). The pair may also be sent as `?authorization=…&timestamp=…`.',
  },
  qcTimestamp: { type: 'apiKey', in: 'header', name: 'Timestamp', description: 'Unix seconds used in the QuantConnect hash.' },
  apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'API key id; send with X-API-Secret.' },
  apiSecret: { type: 'apiKey', in: 'header', name: 'X-API-Secret', description: 'The secret of the API key named by X-API-Key.' },
  bearerJwt: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: "A JWT from the deployment's issuer; a claim (default `email`) names the user.",
  },
  basicToken: {
    type: 'http',
    scheme: 'basic',
    description: '`Authorization: Basic base64(<userId>:<token>)` without a Timestamp. Off unless the deployment enables it (LCS_BASIC_AUTH).',
  },
} as const;

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);
const operationBase = (path: string) =>
  path
    .split('/')
    .map((part, i) => (i === 0 ? part : pascal(part)))
    .join('');

/** Query parameters carrying lists or objects use bracket keys (`files[0][name]=…`). */
function bracketStyle(parameters: { schema?: { type?: unknown }; style?: string; explode?: boolean }[]): void {
  for (const p of parameters) {
    const types = [p.schema?.type].flat();
    if (types.includes('array') || types.includes('object')) Object.assign(p, { style: 'deepObject', explode: true });
  }
}

export function buildOpenApiDocument(): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const registry = new OpenAPIRegistry();
  for (const [name, scheme] of Object.entries(securitySchemes)) registry.registerComponent('securitySchemes', name, scheme);

  const envelope = z
    .object({
      success: z.boolean().describe('false when the call failed; failures are answered with HTTP 200 as well'),
      errors: z.array(z.string()).optional().describe('what went wrong, one message per problem'),
    })
    .catchall(z.unknown())
    .meta({ id: 'Envelope', description: "The QuantConnect envelope; the endpoint's payload fields sit beside `success`." });
  const classic = classicCopies();
  const requestSchemas = new Map<unknown, z.ZodType>();
  for (const [name, schema] of Object.entries(schemas)) requestSchemas.set(schema, classic(schema).meta({ id: `${pascal(name)}Request` }));

  const answer = (description: string): ResponseConfig => ({ description, content: { 'application/json': { schema: envelope } } });
  const ok = answer('The envelope: `success` true with the payload, or false with `errors` (bad input, not found, bad credentials).');
  const limited = answer("The rate limit of the caller's organization was exceeded.");

  for (const route of routes as readonly RouteDef[]) {
    const body = requestSchemas.get(route.schema);
    if (!body) throw new Error(`The schema of ${route.path} is not among the request schemas (lambdas/api/schema.ts, lambdas/api/<group>/schemas.ts)`);
    const common = {
      path: `/api/v2/${route.path}`,
      tags: [route.group],
      summary: route.summary,
      description:
        route.role === 'public'
          ? 'No authentication.'
          : `Needs the **${route.role}** role in the organization concerned.${route.mutating ? ' Changes are recorded in the audit trail.' : ''}`,
      security: route.role === 'public' ? [] : AUTHENTICATED_SECURITY,
      'x-lcs-role': route.role,
      'x-lcs-mutating': route.mutating,
      responses: (route.role === 'public' ? { 200: ok } : { 200: ok, 429: limited }) as Record<string, ResponseConfig>,
    };
    registry.registerPath({
      ...common,
      method: 'get',
      operationId: `${operationBase(route.path)}Get`,
      request: { query: classic(route.schema) as z.ZodObject },
    });
    registry.registerPath({
      ...common,
      method: 'post',
      operationId: `${operationBase(route.path)}Post`,
      request: {
        body: {
          description: 'The parameters as JSON, or as a form with bracket keys for lists (`files[0][name]`); multipart and the query string are accepted too.',
          content: { 'application/json': { schema: body }, 'application/x-www-form-urlencoded': { schema: body } },
        },
      },
    });
  }

  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const document = new OpenApiGeneratorV31(registry.definitions, { sortComponents: 'alphabetically' }).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Lean Cloud Server API',
      version,
      description:
        'The QuantConnect REST API v2 as served by Lean Cloud Server. Every endpoint accepts GET and POST; parameters may come from the query string, ' +
        'a JSON body, a form (bracket keys) or multipart. Generated from the route table by `npm run openapi`; do not edit by hand.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [
      { url: '{baseUrl}', variables: { baseUrl: { default: 'http://localhost:5612', description: 'the server root (local mode shown); /api/v2 follows' } } },
    ],
    tags: [...new Set(routes.map((r) => r.group))].map((name) => ({ name, description: GROUPS[name] })),
  });
  for (const item of Object.values(document.paths ?? {})) bracketStyle((item.get?.parameters ?? []) as Parameters<typeof bracketStyle>[0]);
  delete (document as { webhooks?: unknown }).webhooks;
  return document;
}

/** The file's exact text: the JSON as biome formats it, so `npm run lint` leaves it alone. */
export function renderOpenApi(): string {
  const json = JSON.stringify(buildOpenApiDocument(), null, 2);
  return execFileSync(join(root, 'node_modules', '.bin', 'biome'), ['format', '--stdin-file-path', 'docs/openapi.json'], {
    cwd: root,
    input: json,
    encoding: 'utf8',
  });
}

function main(): void {
  const text = renderOpenApi();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(OPENAPI_FILE, 'utf8');
    } catch {
      // missing: stale
    }
    if (current !== text) {
      process.stderr.write('docs/openapi.json is out of date: run npm run openapi\n');
      process.exit(1);
    }
    return;
  }
  writeFileSync(OPENAPI_FILE, text);
  process.stdout.write(`wrote ${OPENAPI_FILE} (${routes.length} endpoints, GET and POST)\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
