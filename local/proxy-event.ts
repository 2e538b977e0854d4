import type { IncomingHttpHeaders } from 'node:http';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

/**
 * Builds the API Gateway REST (v1) proxy event that API Gateway would hand the endpoint's Lambda,
 * so the local server runs the deployed handlers unchanged.
 */
export interface RawRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  sourceIp: string;
  requestId: string;
}

const BINARY = /^multipart\/|^application\/octet-stream/i;

/** A body API Gateway hands over base64-encoded (its binary media types, lib/stacks/api-stack.ts). */
export function isBinaryBody(headers: IncomingHttpHeaders): boolean {
  return BINARY.test(String(headers['content-type'] ?? ''));
}

/**
 * A request target as a URL. An origin-form target is a path even when it starts with `//`
 * (doubled slashes are tolerated), which `new URL(target, base)` would read as a host name.
 */
export function requestUrl(target: string): URL {
  return target.startsWith('/') ? new URL(`http://localhost${target}`) : new URL(target, 'http://localhost');
}

export function toProxyEvent(raw: RawRequest, endpoint: string, authorizer: Record<string, string> | null): APIGatewayProxyEvent {
  const url = requestUrl(raw.url);
  // Built as Maps and turned into plain objects with own properties only: a client may name a
  // header or query parameter `__proto__`, which plain assignment would treat as the prototype.
  const headerMap = new Map<string, string[]>();
  for (const [name, value] of Object.entries(raw.headers)) {
    if (value === undefined) continue;
    headerMap.set(name, Array.isArray(value) ? value : [value]);
  }
  const queryMap = new Map<string, string[]>();
  for (const [key, value] of url.searchParams) queryMap.set(key, [...(queryMap.get(key) ?? []), value]);
  const headers: Record<string, string> = Object.fromEntries([...headerMap].map(([name, values]) => [name, values.join(', ')]));
  const multiValueHeaders: Record<string, string[]> = Object.fromEntries(headerMap);
  // API Gateway keeps the last value of a repeated query parameter in queryStringParameters.
  const query: Record<string, string> = Object.fromEntries([...queryMap].map(([key, values]) => [key, values[values.length - 1] ?? '']));
  const multiQuery: Record<string, string[]> = Object.fromEntries(queryMap);
  const binary = isBinaryBody(raw.headers);
  const hasQuery = url.searchParams.size > 0;
  return {
    resource: '/api/v2/{endpoint+}',
    path: url.pathname,
    httpMethod: raw.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: { endpoint },
    stageVariables: null,
    body: raw.body.length ? raw.body.toString(binary ? 'base64' : 'utf8') : null,
    isBase64Encoded: binary && raw.body.length > 0,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      authorizer,
      protocol: 'HTTP/1.1',
      httpMethod: raw.method,
      identity: { sourceIp: raw.sourceIp, userAgent: headers['user-agent'] ?? null } as APIGatewayProxyEvent['requestContext']['identity'],
      path: url.pathname,
      stage: 'local',
      requestId: raw.requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: '/api/v2/{endpoint+}',
    },
  };
}

/** The Lambda context a function gets, with the remaining time API Gateway allows (29 s). */
export function lambdaContext(requestId: string, functionName: string): Context {
  return {
    awsRequestId: requestId,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 29_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
