import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { errorEnvelope } from '../core/shared/envelope';
import { AuthError } from '../core/shared/errors';
import { logger } from '../core/shared/logger';
import { answerRefusal, GATEWAY_REQUEST_BYTES, payloadRefusal, requestBodyRefusal } from '../core/shared/payload-limits';
import { principalToContext } from '../core/shared/principal';
import type { ApiLambda, ApiPorts } from '../lambdas/api/pipeline';
import { findRoute } from '../lambdas/api/routes';
import type { RouteDef } from '../lambdas/api/routes/route-types';
import { endpointFromPath } from '../lambdas/api/transport';
import { cachedAuthenticator } from '../lambdas/auth/credential-cache';
import { AuthThrottledError } from '../lambdas/auth/failure-budget';
import { isConsolePath, serveConsole } from './console-files';
import { DATA_LINK_PATH, type LocalDataLinks } from './data-links';
import { isBinaryBody, lambdaContext, type RawRequest, requestUrl, toProxyEvent } from './proxy-event';
import { RateLimiter, type RateLimitSettings, rateLimitMessage } from './rate-limiter';
import { attachRealtime } from './realtime-server';

/**
 * The local HTTP server: mounts the route table on /api/v2/, authenticates with the same code as
 * the API Gateway authorizer, and invokes each endpoint's Lambda handler with a proxy event.
 */
type LambdaHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
type LoadHandler = (route: RouteDef) => Promise<LambdaHandler>;

/** The same verified-credential cache as the deployed authorizer (LCS_AUTH_CACHE_SECONDS). */
let verify: ReturnType<typeof cachedAuthenticator> | undefined;

/** Each endpoint's handler module, loaded once and bound to this server's ports. */
function handlerLoader(ports: ApiPorts): LoadHandler {
  const handlers = new Map<string, Promise<LambdaHandler>>();
  return (route) => {
    let loaded = handlers.get(route.entry);
    if (!loaded) {
      loaded = import(`../lambdas/api/${route.entry}.handler`).then((m: { handler: ApiLambda }) => m.handler.withPorts(ports));
      handlers.set(route.entry, loaded);
    }
    return loaded;
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= GATEWAY_REQUEST_BYTES) chunks.push(chunk);
    });
    req.on('end', () => done(size > GATEWAY_REQUEST_BYTES ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', fail);
  });
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  loadHandler: LoadHandler,
  limiter?: RateLimiter,
  dataLinks?: LocalDataLinks,
  consoleDir?: string,
): Promise<void> {
  const url = requestUrl(req.url ?? '/');
  if (dataLinks && url.pathname.startsWith(DATA_LINK_PATH)) {
    await dataLinks.serve(req, res, url);
    return;
  }
  if (consoleDir && isConsolePath(req.method, url.pathname)) {
    await serveConsole(consoleDir, req, res, url.pathname);
    return;
  }
  if (!/^\/+api\/+v2(\/|$)/i.test(url.pathname)) {
    send(res, 404, errorEnvelope([`Not found: the API is served under /api/v2/`]));
    return;
  }
  const endpoint = endpointFromPath(url.pathname);
  const route = findRoute(endpoint);
  if (!route) {
    send(res, 404, errorEnvelope([`Unknown endpoint '${endpoint}'`]));
    return;
  }
  if (req.method !== 'GET' && req.method !== 'POST') {
    send(res, 405, errorEnvelope([`Method ${req.method} is not allowed; use GET or POST`]), { allow: 'GET, POST' });
    return;
  }
  // API Gateway's own limit, before authentication; lean-cli reports HTTP 413 as "files exceed the size limit".
  const body = await readBody(req);
  if (body === 'too-large') {
    send(res, 413, errorEnvelope([`The request is larger than API Gateway's ${GATEWAY_REQUEST_BYTES}-byte limit.`]));
    return;
  }
  const raw: RawRequest = {
    method: req.method,
    url: req.url ?? '/',
    headers: req.headers,
    body,
    sourceIp: req.socket.remoteAddress ?? '',
    requestId: randomUUID(),
  };
  let authorizer: Record<string, string> | null = null;
  if (route.role !== 'public') {
    // A repeated parameter keeps all its values, as API Gateway's multi-value form does.
    // No prototype: a parameter named __proto__ is data like any other.
    const query: Record<string, string | string[]> = Object.create(null);
    for (const [key, value] of url.searchParams) {
      const seen = Object.hasOwn(query, key) ? query[key] : undefined;
      query[key] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
    }
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));
    try {
      verify ??= cachedAuthenticator();
      authorizer = principalToContext(await verify({ headers, query, sourceIp: raw.sourceIp }));
    } catch (err) {
      if (err instanceof AuthThrottledError) {
        send(res, 429, errorEnvelope([err.message]), { 'retry-after': String(err.retryAfterSeconds) });
        return;
      }
      if (!(err instanceof AuthError)) throw err;
      send(res, 200, errorEnvelope([err.message]));
      return;
    }
    // Keyed like the deployed usage plan: the authorizer's usage identifier, the organisation.
    const decision = limiter?.take(authorizer.preferredOrgId || `user:${authorizer.userId}`, Date.now(), route.path);
    if (decision && !decision.allowed) {
      send(res, 429, errorEnvelope([rateLimitMessage(decision)]), { 'retry-after': String(decision.retryAfterSeconds) });
      return;
    }
  }
  // Lambda's invoke payload limit, as the deployed function meets it: the body inside the event
  // (base64 or a JSON string), then the whole event. Nothing reaches the handler.
  const event = toProxyEvent(raw, endpoint, authorizer);
  const tooLarge = requestBodyRefusal(body, isBinaryBody(raw.headers)) ?? payloadRefusal(event, 'request');
  if (tooLarge) {
    send(res, 413, errorEnvelope([tooLarge]));
    return;
  }
  const handler = await loadHandler(route);
  const result = await handler(event, lambdaContext(raw.requestId, `lcs-local-${route.entry.replace(/\//g, '-')}`));
  // A result over the limit never leaves a deployed function (API Gateway answers 502): the same here.
  const answerTooLarge = answerRefusal(result);
  if (answerTooLarge) {
    logger.error('answer over the invoke payload limit', { requestId: raw.requestId, path: route.path });
    send(res, 502, errorEnvelope([`${answerTooLarge} Request id: ${raw.requestId}`]));
    return;
  }
  res.writeHead(result.statusCode, result.headers as Record<string, string>);
  res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
}

/** Node's own status for each parser refusal (its default clientError answers), with a message. */
function parserRefusal(code: string | undefined): [number, string, string] {
  if (code === 'HPE_HEADER_OVERFLOW') return [431, 'Request Header Fields Too Large', 'The request headers are too large'];
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return [413, 'Payload Too Large', 'The request is too large'];
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return [408, 'Request Timeout', 'The request was not received in time'];
  return [400, 'Bad Request', 'The request is not valid HTTP'];
}

export interface ApiServerOptions {
  /** Where runner tasks are stopped (the local job worker's process launcher). */
  ports: ApiPorts;
  /** Each organisation is limited as the deployed usage plan limits it. */
  rateLimit?: RateLimitSettings;
  /** Market-data links served by this server (local/data-links.ts) instead of the storage's own port. */
  dataLinks?: LocalDataLinks;
  /** The web console's build output (local/console-files.ts), served at `/`. */
  consoleDir?: string;
}

/**
 * The server; `warm` loads every handler module up front so the first request of each endpoint is
 * not slow. It also serves the real-time protocol at /ws (local/realtime-server.ts);
 * `closeRealtime` ends those connections, which `close` alone would wait for.
 */
export function createApiServer(options: ApiServerOptions): Server & { warm(routes: readonly RouteDef[]): Promise<void>; closeRealtime(): void } {
  const limiter = options.rateLimit ? new RateLimiter(options.rateLimit) : undefined;
  const loadHandler = handlerLoader(options.ports);
  const { dataLinks, consoleDir } = options;
  const server = createServer((req, res) => {
    const serve = () => handle(req, res, loadHandler, limiter, dataLinks, consoleDir);
    const handled = dataLinks ? dataLinks.withOrigin(req, serve) : serve();
    handled.catch((err: unknown) => {
      const requestId = randomUUID();
      logger.error('local server failure', { requestId, error: err as Error });
      if (!res.headersSent) send(res, 200, errorEnvelope([`Internal error. Request id: ${requestId}`]));
      else res.end();
    });
  });
  server.keepAliveTimeout = 65_000;
  // What Node's HTTP parser refuses itself (a malformed request, headers over its size limit)
  // gets the envelope too; Node's own default answer has no body.
  // An Expect header other than 100-continue: Node would answer a bare 417.
  server.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) => {
    send(res, 417, errorEnvelope(['Only the "Expect: 100-continue" expectation is supported']));
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return;
    const [status, reason, message] = parserRefusal(err.code);
    const body = JSON.stringify(errorEnvelope([message]));
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  const realtime = attachRealtime(server);
  return Object.assign(server, {
    closeRealtime: () => realtime.close(),
    async warm(routes: readonly RouteDef[]) {
      await Promise.all(routes.map(loadHandler));
    },
  });
}
