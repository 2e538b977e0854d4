import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * A reverse proxy on localhost for a deployed API (issue: lean-cli only talks to
 * `http://localhost:5612/api/v2/`). It forwards `/api/v2/<endpoint>` to `<upstream>/<endpoint>`,
 * where the upstream base carries the stage path (`https://<id>.execute-api.<region>.amazonaws.com/<stage>/api/v2/`),
 * over TLS with the upstream's own Host, streaming both bodies (file pushes and reports can be
 * megabytes) and keeping every header the API authenticates with.
 */
export const LOCAL_BASE_PATH = '/api/v2/';

/** Hop-by-hop headers (RFC 9110 §7.6.1) and the Host, which must name the upstream. */
const NOT_FORWARDED = new Set(['host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

export interface ProxyOptions {
  /** The API base URL, ending in `/api/v2/` (a stack's ApiUrl output). */
  upstream: string;
  port: number;
  host: string;
  /** One line per request: method, path (never the query: it may carry credentials), status, time. */
  log: (line: string) => void;
}

/** The upstream base, normalised to end with a slash; only http(s) URLs are accepted. */
export function upstreamBase(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`not a URL: ${url}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error(`the API URL must be http(s): ${url}`);
  if (!parsed.pathname.endsWith('/')) parsed.pathname += '/';
  return parsed;
}

/** Where a local request goes upstream, or undefined for a path outside `/api/v2/`. */
export function upstreamUrl(base: URL, localPath: string): URL | undefined {
  const url = new URL(localPath, 'http://localhost');
  if (!url.pathname.startsWith(LOCAL_BASE_PATH)) return undefined;
  const target = new URL(url.pathname.slice(LOCAL_BASE_PATH.length), base);
  target.search = url.search;
  return target;
}

function envelope(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ success: false, errors: [message] }));
}

export function startProxy(options: ProxyOptions): Promise<Server> {
  const base = upstreamBase(options.upstream);
  const send = base.protocol === 'https:' ? httpsRequest : httpRequest;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const done = (status: number | string) => options.log(`${req.method} ${path} → ${status} (${Date.now() - started} ms)`);
    const target = upstreamUrl(base, req.url ?? '/');
    if (!target) {
      envelope(res, 404, `This proxy forwards ${LOCAL_BASE_PATH} only; lean-cli's api-url is http://localhost:${options.port}${LOCAL_BASE_PATH}`);
      done(404);
      return;
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !NOT_FORWARDED.has(name)) headers[name] = value;
    }
    const upstream = send(target, { method: req.method, headers: { ...headers, host: target.host } }, (answer) => {
      const out: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(answer.headers)) {
        if (value !== undefined && !NOT_FORWARDED.has(name)) out[name] = value;
      }
      res.writeHead(answer.statusCode ?? 502, out);
      answer.pipe(res);
      answer.on('end', () => done(answer.statusCode ?? 502));
    });
    upstream.on('error', (err) => {
      envelope(res, 502, `The API at ${base.origin} did not answer: ${err.message}`);
      done(`failed (${err.message})`);
    });
    req.pipe(upstream);
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
