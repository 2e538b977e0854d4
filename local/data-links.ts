import { AsyncLocalStorage } from 'node:async_hooks';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DataLinkSigner, marketDataStore } from '../core/data/market-data/market-data-store';
import { errorEnvelope } from '../core/shared/envelope';

/**
 * Market-data links in local mode. The embedded storage listens on a loopback port of its own, which
 * a LEAN container on a bridge network cannot reach; so data/read and modules/read hand out links to
 * this server instead, on the host and port the request came in on: whatever reached the API reaches
 * the data. A link names exactly one key and carries its expiry and an HMAC of both (a key made for
 * this process), so it works without credentials, like an S3 presigned URL, and only until it expires.
 */
export const DATA_LINK_PATH = '/lcs/data/';

export interface LocalDataLinks {
  /** What market-data-store signs links with (see `signDataLinksWith`). */
  signer: DataLinkSigner;
  /** Runs a request's handling with its origin known, so links it signs point back at it. */
  withOrigin<T>(req: IncomingMessage, run: () => T): T;
  /** Serves a GET of a link (the path starts with DATA_LINK_PATH). */
  serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
}

/** A Host header that is a host name or address with an optional port, nothing else. */
const HOST = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/;

function requestOrigin(req: IncomingMessage): string {
  const host = req.headers.host;
  if (host && HOST.test(host)) return `http://${host}`;
  const address = req.socket.localAddress ?? '127.0.0.1';
  return `http://${address.includes(':') ? `[${address}]` : address}:${req.socket.localPort}`;
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(errorEnvelope([message])));
}

/** The key a link path names, or undefined when a segment is not valid percent-encoding. */
function keyOf(pathname: string): string | undefined {
  try {
    return pathname.slice(DATA_LINK_PATH.length).split('/').map(decodeURIComponent).join('/');
  } catch {
    return undefined;
  }
}

export function localDataLinks(secret: Buffer = randomBytes(32), now: () => number = Date.now): LocalDataLinks {
  const origins = new AsyncLocalStorage<string>();
  const mac = (key: string, expires: number) => createHmac('sha256', secret).update(`${expires}\n${key}`).digest();

  return {
    signer(key, signingDate, expiresIn) {
      const expires = Math.floor(signingDate.getTime() / 1000) + expiresIn;
      const path = key.split('/').map(encodeURIComponent).join('/');
      const origin = origins.getStore() ?? 'http://localhost:5612';
      return `${origin}${DATA_LINK_PATH}${path}?expires=${expires}&signature=${mac(key, expires).toString('hex')}`;
    },

    withOrigin(req, run) {
      return origins.run(requestOrigin(req), run);
    },

    async serve(req, res, url) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        refuse(res, 405, `Method ${req.method} is not allowed on a data link; use GET`);
        return;
      }
      const key = keyOf(url.pathname);
      const expires = Number(url.searchParams.get('expires'));
      const signature = url.searchParams.get('signature') ?? '';
      const valid =
        key !== undefined &&
        key.length > 0 &&
        Number.isSafeInteger(expires) &&
        /^[0-9a-f]{64}$/.test(signature) &&
        timingSafeEqual(Buffer.from(signature, 'hex'), mac(key, expires));
      if (!valid) {
        refuse(res, 403, 'The data link is not valid: ask data/read for a new one');
        return;
      }
      if (expires * 1000 <= now()) {
        refuse(res, 403, 'The data link has expired: ask data/read for a new one');
        return;
      }
      const file = await marketDataStore.open(key);
      if (!file) {
        refuse(res, 404, 'File not found');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(file.size), 'cache-control': 'private, no-store' });
      if (req.method === 'HEAD') {
        res.end();
        (file.body as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
        return;
      }
      file.body.pipe(res);
    },
  };
}
