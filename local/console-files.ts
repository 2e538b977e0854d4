import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { consoleContentSecurityPolicy, consoleSecurityHeaders } from '../core/shared/console-headers';
import { errorEnvelope } from '../core/shared/envelope';

/**
 * The web console's static files (console/, built by scripts/build-console.mjs): `/` is its
 * index.html, `/assets/*` its hashed scripts and styles. Every answer carries a strict
 * Content-Security-Policy (same-origin scripts, styles and API calls only; no framing), so the
 * console can run no code but its own build and talk to nothing but this server's API. The headers
 * are core/shared/console-headers.ts's, which the CloudFront distribution of the AWS console sends too.
 */
export const CONSOLE_SECURITY_HEADERS = consoleSecurityHeaders();

/**
 * The console's real-time socket (/ws, on this same origin). CSP Level 3 lets `'self'` match
 * ws: on an http: page, but not every browser implements that (Safari before 15.4 did not), so
 * the page's own host is named with ws: too: that one origin only, never `ws://localhost:*`.
 * A Host that is not a plain host[:port] is left out rather than spliced into the header.
 */
function policyWithSocket(host: string | undefined): string {
  const plainHost = !!host && /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(host);
  return consoleContentSecurityPolicy(plainHost ? [`ws://${host.toLowerCase()}`] : []);
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

/** Is this a request for the console (GET or HEAD of `/`, `/index.html` or `/assets/…`)? */
export function isConsolePath(method: string | undefined, pathname: string): boolean {
  return (method === 'GET' || method === 'HEAD') && (pathname === '/' || pathname === '/index.html' || pathname.startsWith('/assets/'));
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...CONSOLE_SECURITY_HEADERS });
  res.end(JSON.stringify(errorEnvelope([message])));
}

/** Serves one console file from `dir` (the build output); a path outside it or a missing file is a 404. */
export async function serveConsole(dir: string, req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
  const root = resolve(dir);
  let relative: string;
  try {
    relative = pathname === '/' ? 'index.html' : decodeURIComponent(pathname.slice(1));
  } catch {
    relative = ''; // malformed percent-encoding: no such file
  }
  const file = resolve(join(root, relative));
  const type = CONTENT_TYPES[extname(file)];
  if (!relative || relative.includes('\0') || !file.startsWith(root + sep) || !type) {
    refuse(res, 404, `Not found: ${pathname}`);
    return;
  }
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) {
    const hint = relative === 'index.html' ? ' (the web console is not built: run `npm run build:console`)' : '';
    refuse(res, 404, `Not found: ${pathname}${hint}`);
    return;
  }
  res.writeHead(200, {
    'content-type': type,
    'content-length': String(info.size),
    // Hashed asset names never change content; index.html is checked on every load.
    'cache-control': relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...CONSOLE_SECURITY_HEADERS,
    'content-security-policy': policyWithSocket(req.headers.host),
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}
