import { createHash } from 'node:crypto';
import { request } from 'node:http';
import type { Creds } from './api';

/**
 * A client of the real-time protocol (docs/realtime.md) for the tests: the URL a browser would
 * open (credentials as query parameters), a socket that queues what the server pushes, and the
 * HTTP answer to a handshake (which a WebSocket client does not expose).
 */
export function socketUrl(apiUrl: string, creds: Creds, timestamp = Math.floor(Date.now() / 1000)): string {
  const hash = createHash('sha256').update(`${creds.token}:${timestamp}`).digest('hex');
  const url = new URL('/ws', apiUrl.replace(/^http/, 'ws'));
  url.search = new URLSearchParams({ userId: String(creds.userId), hash, timestamp: String(timestamp) }).toString();
  return url.toString();
}

export type Pushed = Record<string, unknown> & { type: string };

export interface TestSocket {
  send(message: Record<string, unknown>): void;
  /** The next pushed message that `matches` (earlier ones that do not match stay queued). */
  next(matches?: (m: Pushed) => boolean, timeoutMs?: number): Promise<Pushed>;
  /** Every message received so far. */
  readonly received: Pushed[];
  close(): void;
}

export function openSocket(url: string): Promise<TestSocket> {
  const socket = new WebSocket(url);
  const received: Pushed[] = [];
  const queue: Pushed[] = [];
  let wake: () => void = () => {};
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as Pushed;
    received.push(message);
    queue.push(message);
    wake();
  });
  const client: TestSocket = {
    received,
    send: (message) => socket.send(JSON.stringify(message)),
    close: () => socket.close(),
    async next(matches = () => true, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = queue.findIndex(matches);
        if (index >= 0) return queue.splice(index, 1)[0] as Pushed;
        if (Date.now() > deadline) throw new Error(`no matching message within ${timeoutMs} ms; received ${JSON.stringify(received).slice(-800)}`);
        await new Promise<void>((done) => {
          wake = done;
          setTimeout(done, 200);
        });
      }
    },
  };
  return new Promise((done, fail) => {
    socket.addEventListener('open', () => done(client), { once: true });
    socket.addEventListener('error', () => fail(new Error(`could not open ${url.replace(/\?.*/, '')}`)), { once: true });
  });
}

/** The status and body the server answers a WebSocket handshake with when it refuses it. */
export function handshake(url: string): Promise<{ status: number; body: string }> {
  const target = new URL(url.replace(/^ws/, 'http'));
  return new Promise((done, fail) => {
    const req = request(target, {
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': Buffer.alloc(16, 7).toString('base64') },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      done({ status: res.statusCode ?? 0, body: '' });
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', fail);
    req.end();
  });
}
