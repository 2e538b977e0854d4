import type { APIGatewayAuthorizerResult, APIGatewayProxyEvent, APIGatewayProxyResult, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { findRoute } from '../../lambdas/api/routes';
import { handler as authorizer } from '../../lambdas/auth/authorizer.handler';
import { lambdaContext } from '../../local/proxy-event';
import { call, qcHeaders } from '../support/api';
import { createTenant, type Tenant } from '../support/tenants';

/**
 * The deployed path and the local path give the same answer: each request is sent (a) over HTTP to
 * the local server and (b) as API Gateway would deliver it in AWS: the REQUEST authorizer Lambda
 * runs on the headers, and the endpoint's own Lambda handler gets a REST proxy event whose
 * requestContext.authorizer is the authorizer's context. The test process uses the server's storage.
 */
type LambdaHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
type Body = Record<string, unknown> & { success?: boolean; errors?: string[] };

const API_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5';
const STAGE = 'prod';
const QC_DATE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;

interface Request {
  endpoint: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  query?: Record<string, string>;
  body?: string;
  contentType?: string;
}

let tenant: Tenant;

beforeAll(async () => {
  tenant = await createTenant('lambda adapter');
});

const methodArn = (r: Request) => `${API_ARN}/${STAGE}/${r.method}/api/v2/${r.endpoint}`;

function allHeaders(r: Request): Record<string, string> {
  return { 'User-Agent': 'Lean CLI 99999999', ...(r.contentType ? { 'Content-Type': r.contentType } : {}), ...r.headers };
}

const multi = (map: Record<string, string>) => Object.fromEntries(Object.entries(map).map(([k, v]) => [k, [v]]));

function authorizerEvent(r: Request): APIGatewayRequestAuthorizerEvent {
  const headers = allHeaders(r);
  return {
    type: 'REQUEST',
    methodArn: methodArn(r),
    resource: '/api/v2/{endpoint+}',
    path: `/api/v2/${r.endpoint}`,
    httpMethod: r.method,
    headers,
    multiValueHeaders: multi(headers),
    pathParameters: { endpoint: r.endpoint },
    queryStringParameters: r.query ?? null,
    multiValueQueryStringParameters: r.query ? multi(r.query) : null,
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'a1b2c3d4e5',
      httpMethod: r.method,
      path: `/${STAGE}/api/v2/${r.endpoint}`,
      stage: STAGE,
      requestId: `req-${Math.random().toString(16).slice(2)}`,
      resourceId: 'abc123',
      resourcePath: '/api/v2/{endpoint+}',
      identity: { sourceIp: '203.0.113.7', userAgent: 'Lean CLI 99999999' },
    } as APIGatewayRequestAuthorizerEvent['requestContext'],
  };
}

function proxyEvent(r: Request, context: Record<string, unknown>): APIGatewayProxyEvent {
  const headers = allHeaders(r);
  return {
    resource: '/api/v2/{endpoint+}',
    path: `/api/v2/${r.endpoint}`,
    httpMethod: r.method,
    headers,
    multiValueHeaders: multi(headers),
    queryStringParameters: r.query ?? null,
    multiValueQueryStringParameters: r.query ? multi(r.query) : null,
    pathParameters: { endpoint: r.endpoint },
    stageVariables: null,
    body: r.body ?? null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'a1b2c3d4e5',
      authorizer: context,
      protocol: 'HTTP/1.1',
      httpMethod: r.method,
      identity: { sourceIp: '203.0.113.7', userAgent: 'Lean CLI 99999999' },
      path: `/${STAGE}/api/v2/${r.endpoint}`,
      stage: STAGE,
      requestId: `req-${Math.random().toString(16).slice(2)}`,
      requestTimeEpoch: Date.now(),
      resourceId: 'abc123',
      resourcePath: '/api/v2/{endpoint+}',
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}

async function endpointHandler(endpoint: string): Promise<LambdaHandler> {
  const route = findRoute(endpoint);
  if (!route) throw new Error(`no route ${endpoint}`);
  const module = (await import(`../../lambdas/api/${route.entry}.handler`)) as { handler: LambdaHandler };
  return module.handler;
}

interface LambdaAnswer {
  decision: APIGatewayAuthorizerResult;
  statusCode: number;
  body: Body;
}

/** What API Gateway does: authorizer, then either the ACCESS_DENIED gateway response or the endpoint Lambda. */
async function viaLambda(r: Request): Promise<LambdaAnswer> {
  const decision = await authorizer(authorizerEvent(r));
  const effect = decision.policyDocument.Statement[0] && 'Effect' in decision.policyDocument.Statement[0] ? decision.policyDocument.Statement[0].Effect : '';
  if (effect !== 'Allow') {
    // The gateway response template renders the authorizer's message as the QuantConnect envelope, HTTP 200.
    return { decision, statusCode: 200, body: { success: false, errors: [String(decision.context?.message)] } };
  }
  const handler = await endpointHandler(r.endpoint);
  const context = { ...decision.context, principalId: decision.principalId, integrationLatency: 3 };
  const result = await handler(proxyEvent(r, context), lambdaContext(`aws-${Math.random().toString(16).slice(2)}`, `lcs-${r.endpoint.replace(/\//g, '-')}`));
  return { decision, statusCode: result.statusCode, body: JSON.parse(result.body) as Body };
}

async function viaHttp(r: Request) {
  return call(r.endpoint, {
    method: r.method,
    headers: r.headers,
    ...(r.query ? { query: r.query } : {}),
    ...(r.body !== undefined ? { rawBody: r.body, contentType: r.contentType } : {}),
  });
}

/** Replaces values that legitimately differ between two writes (new ids, times) after checking their format. */
function normalise(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => normalise(v));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v, k)]));
  if ((key === 'created' || key === 'modified') && typeof value === 'string') {
    expect(value).toMatch(QC_DATE);
    return '<date>';
  }
  if (key === 'projectId' && typeof value === 'number') {
    expect(Number.isInteger(value)).toBe(true);
    return '<projectId>';
  }
  return value;
}

const json = (value: unknown) => ({ body: JSON.stringify(value), contentType: 'application/json' });

function policyOf(decision: APIGatewayAuthorizerResult) {
  return decision.policyDocument.Statement[0] as { Effect: string; Action: string; Resource: string };
}

describe('the authorizer decision', () => {
  test('allow: API-wide resource, flat string context, the organization as usage identifier', async () => {
    const r: Request = { endpoint: 'projects/read', method: 'GET', headers: qcHeaders(tenant.admin), query: { organizationId: tenant.orgId } };
    const decision = await authorizer(authorizerEvent(r));
    expect(decision.principalId).toBe(String(tenant.admin.userId));
    expect(decision.policyDocument.Version).toBe('2012-10-17');
    expect(decision.policyDocument.Statement).toHaveLength(1);
    expect(policyOf(decision)).toEqual({ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${API_ARN}/${STAGE}/*/*` });
    const context = decision.context ?? {};
    expect(Object.keys(context).length).toBeGreaterThan(0);
    for (const value of Object.values(context)) expect(typeof value).toBe('string');
    expect(context.userId).toBe(String(tenant.admin.userId));
    expect(context.memberships).toBe(`${tenant.orgId}:admin`);
    expect(decision.usageIdentifierKey).toBe(tenant.orgId);
  });

  test('deny: "Hash doesn\'t match." in the context and a Deny policy on the called method', async () => {
    const r: Request = { endpoint: 'projects/read', method: 'GET', headers: qcHeaders({ userId: tenant.admin.userId, token: 'not-the-token' }) };
    const decision = await authorizer(authorizerEvent(r));
    expect(policyOf(decision)).toEqual({ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: methodArn(r) });
    expect(String(decision.context?.message).startsWith("Hash doesn't match.")).toBe(true);
    expect(decision.usageIdentifierKey).toBeUndefined();
  });
});

describe('HTTP and Lambda give the same envelope', () => {
  test('read: projects/read by id (GET with a query, as lean-cli sends it)', async () => {
    const created = await tenant.cli.createProject('Adapter/Read');
    const projectId = (created.body.projects as { projectId: number }[])[0]?.projectId;
    const r: Request = {
      endpoint: 'projects/read',
      method: 'GET',
      headers: qcHeaders(tenant.admin),
      query: { projectId: String(projectId), organizationId: tenant.orgId },
    };
    const [http, lambda] = [await viaHttp(r), await viaLambda(r)];
    expect(http.status).toBe(200);
    expect(lambda.statusCode).toBe(200);
    expect(http.body.success).toBe(true);
    expect((http.body.projects as { projectId: number }[])[0]?.projectId).toBe(projectId);
    expect(lambda.body).toEqual(http.body);
  });

  test('read with an API key through the authorizer: organizations/read', async () => {
    const r: Request = {
      endpoint: 'organizations/read',
      method: 'POST',
      headers: { 'X-API-Key': tenant.admin.keyId, 'X-API-Secret': tenant.admin.secret },
      ...json({ organizationId: tenant.orgId }),
    };
    const [http, lambda] = [await viaHttp(r), await viaLambda(r)];
    expect(http.body.success).toBe(true);
    expect(lambda.body).toEqual(http.body);
  });

  test('JSON write: projects/create, and the taken-name conflict of a rename', async () => {
    const suffix = Math.random().toString(16).slice(2, 8);
    const create = (name: string): Request => ({
      endpoint: 'projects/create',
      method: 'POST',
      headers: qcHeaders(tenant.admin),
      ...json({ name, language: 'Py', organizationId: tenant.orgId }),
    });
    const http = await viaHttp(create(`Adapter/Create HTTP ${suffix}`));
    const lambda = await viaLambda(create(`Adapter/Create Lambda ${suffix}`));
    expect(http.body.success).toBe(true);
    expect(lambda.body.success).toBe(true);
    const [httpProject, lambdaProject] = [http.body, lambda.body].map((b) => (b.projects as { projectId: number; name: string }[])[0]);
    expect(httpProject?.name).toBe(`Adapter/Create HTTP ${suffix}`);
    expect(lambdaProject?.name).toBe(`Adapter/Create Lambda ${suffix}`);
    expect(lambdaProject?.projectId).not.toBe(httpProject?.projectId);
    // Same shape and values apart from the new id, the times and the name each was given.
    const unnamed = (b: Body) => JSON.parse(JSON.stringify(normalise(b)).replaceAll(/Adapter\/Create (HTTP|Lambda)/g, 'Adapter/Create'));
    expect(unnamed(lambda.body)).toEqual(unnamed(http.body));
    // The Lambda really wrote it: the project reads back over HTTP.
    const readBack = await tenant.cli.readProject(lambdaProject?.projectId ?? 0);
    expect((readBack.body.projects as { name: string }[])[0]?.name).toBe(lambdaProject?.name);

    // Renaming onto a name in use fails the same way on both paths.
    const again: Request = {
      endpoint: 'projects/update',
      method: 'POST',
      headers: qcHeaders(tenant.admin),
      ...json({ projectId: lambdaProject?.projectId, name: `Adapter/Create HTTP ${suffix}` }),
    };
    const [httpConflict, lambdaConflict] = [await viaHttp(again), await viaLambda(again)];
    expect(httpConflict.body.success).toBe(false);
    expect(httpConflict.body.errors?.[0]).toMatch(/already exists/);
    expect(lambdaConflict.body).toEqual(httpConflict.body);
  });

  test("form write: projects/update with lean-cli's bracket keys (more than 20 files)", async () => {
    const ids: number[] = [];
    for (const name of ['Adapter/Form HTTP', 'Adapter/Form Lambda']) {
      const created = await tenant.cli.createProject(name);
      ids.push((created.body.projects as { projectId: number }[])[0]?.projectId ?? 0);
    }
    const form = (projectId: number) => {
      const pairs: [string, string][] = [
        ['projectId', String(projectId)],
        ['description', 'pushed & formed'],
        ['parameters[0][key]', 'fast'],
        ['parameters[0][value]', '10'],
      ];
      for (let i = 0; i < 25; i++) pairs.push([`files[${i}][name]`, `lib/m${i}.py`], [`files[${i}][content]`, `X = ${i}  # a+b=c\n`]);
      pairs.push(['encryptionKey', ''], ['codeSourceId', 'cli']);
      return new URLSearchParams(pairs).toString();
    };
    const contentType = 'application/x-www-form-urlencoded';
    const http = await viaHttp({ endpoint: 'projects/update', method: 'POST', headers: qcHeaders(tenant.admin), body: form(ids[0] ?? 0), contentType });
    const lambda = await viaLambda({ endpoint: 'projects/update', method: 'POST', headers: qcHeaders(tenant.admin), body: form(ids[1] ?? 0), contentType });
    expect(http.body).toEqual({ success: true });
    expect(lambda.body).toEqual(http.body);

    // Both paths stored the same project state.
    const [httpFiles, lambdaFiles] = await Promise.all(ids.map((id) => tenant.cli.readFiles(id)));
    const files = (b: Body) =>
      (b.files as { name: string; content: string }[]).map((f) => ({ name: f.name, content: f.content })).sort((a, c) => a.name.localeCompare(c.name));
    expect(files(lambdaFiles?.body ?? {})).toHaveLength(25);
    expect(files(lambdaFiles?.body ?? {})).toEqual(files(httpFiles?.body ?? {}));
    expect(files(lambdaFiles?.body ?? {}).find((f) => f.name === 'lib/m24.py')?.content).toBe('X = 24  # a+b=c\n');
    const [httpRead, lambdaRead] = await Promise.all(ids.map((id) => tenant.cli.readProject(id)));
    const state = (b: Body) => {
      const p = (b.projects as Record<string, unknown>[])[0] ?? {};
      return { description: p.description, parameters: p.parameters };
    };
    expect(state(lambdaRead?.body ?? {})).toEqual({ description: 'pushed & formed', parameters: [{ key: 'fast', name: 'fast', value: '10' }] });
    expect(state(lambdaRead?.body ?? {})).toEqual(state(httpRead?.body ?? {}));
  });

  test('bad input: a non-numeric projectId and a malformed JSON body', async () => {
    const badQuery: Request = { endpoint: 'projects/read', method: 'GET', headers: qcHeaders(tenant.admin), query: { projectId: 'abc' } };
    const [http, lambda] = [await viaHttp(badQuery), await viaLambda(badQuery)];
    expect(http.status).toBe(200);
    expect(http.body.success).toBe(false);
    expect(http.body.errors?.[0]).toMatch(/^projectId: /);
    expect(lambda.statusCode).toBe(200);
    expect(lambda.body).toEqual(http.body);

    const badJson: Request = {
      endpoint: 'projects/create',
      method: 'POST',
      headers: qcHeaders(tenant.admin),
      body: '{"name": "x",',
      contentType: 'application/json',
    };
    const [httpJson, lambdaJson] = [await viaHttp(badJson), await viaLambda(badJson)];
    expect(httpJson.body).toEqual({ success: false, errors: ['request: body is not valid JSON'] });
    expect(lambdaJson.body).toEqual(httpJson.body);
  });

  test("auth failure: the HTTP envelope carries exactly the authorizer's message", async () => {
    const wrong: Request = { endpoint: 'projects/read', method: 'GET', headers: qcHeaders({ userId: tenant.admin.userId, token: 'wrong-token' }) };
    const [http, lambda] = [await viaHttp(wrong), await viaLambda(wrong)];
    expect(http.status).toBe(200);
    expect(http.body.success).toBe(false);
    expect(http.body.errors?.[0]?.startsWith("Hash doesn't match.")).toBe(true);
    expect(policyOf(lambda.decision).Effect).toBe('Deny');
    expect(lambda.body).toEqual(http.body);

    const none: Request = { endpoint: 'account/read', method: 'POST', headers: {} };
    const [httpNone, lambdaNone] = [await viaHttp(none), await viaLambda(none)];
    expect(httpNone.body.errors?.[0]?.startsWith("Hash doesn't match.")).toBe(true);
    expect(lambdaNone.body).toEqual(httpNone.body);
  });
});
