import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * The least of RFC 6455 a loopback server needs, written here because the `ws` package is not a
 * dependency: the opening handshake (§4.2), text frames both ways, fragmented messages (§5.4),
 * ping/pong (§5.5.2–3) and the closing handshake (§5.5.1). Client frames must be masked (§5.1)
 * and are unmasked here; server frames are never masked. Binary messages and extensions
 * (permessage-deflate) are refused with close code 1003, oversized messages with 1009.
 */
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** A client message larger than this is refused (subscriptions are a few hundred bytes). */
const MAX_MESSAGE_BYTES = 64 * 1024;

const OP = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export const CLOSE = { normal: 1000, goingAway: 1001, protocolError: 1002, unsupported: 1003, policy: 1008, tooBig: 1009 } as const;

/** `Sec-WebSocket-Accept` for a client's key (RFC 6455 §4.2.2 item 5.4). */
export function acceptKey(key: string): string {
  return createHash('sha1')
    .update(key + GUID)
    .digest('base64');
}

/** Why an upgrade request is not a valid WebSocket opening handshake, or undefined when it is. */
export function handshakeProblem(req: IncomingMessage): string | undefined {
  if (req.method !== 'GET') return 'The WebSocket handshake must be a GET request.';
  if (String(req.headers.upgrade).toLowerCase() !== 'websocket') return 'The Upgrade header must be "websocket".';
  if (req.headers['sec-websocket-version'] !== '13') return 'Only WebSocket version 13 is supported.';
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || Buffer.from(key, 'base64').length !== 16) return 'Sec-WebSocket-Key must be 16 bytes in base64.';
  return undefined;
}

/** Encodes one unmasked server frame. */
export function encodeFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? Buffer.alloc(2) : length < 65_536 ? Buffer.alloc(4) : Buffer.alloc(10);
  header[0] = 0x80 | opcode; // FIN + opcode
  if (length < 126) header[1] = length;
  else if (length < 65_536) {
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

interface Frame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
  /** Bytes of the buffer this frame used. */
  size: number;
}

/** One frame from the start of `buffer`, undefined when more bytes are needed; throws a close code when invalid. */
function decodeFrame(buffer: Buffer): Frame | undefined {
  if (buffer.length < 2) return undefined;
  const first = buffer[0] as number;
  const second = buffer[1] as number;
  if (first & 0x70) throw CLOSE.protocolError; // RSV bits: no extension was negotiated
  if (!(second & 0x80)) throw CLOSE.protocolError; // a client frame must be masked
  let length = second & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return undefined;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return undefined;
    const big = buffer.readBigUInt64BE(2);
    if (big > BigInt(MAX_MESSAGE_BYTES)) throw CLOSE.tooBig;
    length = Number(big);
    offset = 10;
  }
  if (length > MAX_MESSAGE_BYTES) throw CLOSE.tooBig;
  if (buffer.length < offset + 4 + length) return undefined;
  const mask = buffer.subarray(offset, offset + 4);
  const payload = Buffer.alloc(length);
  buffer.copy(payload, 0, offset + 4, offset + 4 + length);
  for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] as number) ^ (mask[i % 4] as number);
  return { fin: (first & 0x80) !== 0, opcode: first & 0x0f, payload, size: offset + 4 + length };
}

/**
 * One accepted connection. Emits `message` (text), `close` (code) once, whichever side closes or
 * the socket drops.
 */
export class WebSocketConnection extends EventEmitter<{ message: [string]; close: [number] }> {
  private pending: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private fragmentBytes = 0;
  private closed = false;

  constructor(private readonly socket: Duplex) {
    super();
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('close', () => this.finish(CLOSE.goingAway));
    socket.on('error', () => this.finish(CLOSE.goingAway));
  }

  get open(): boolean {
    return !this.closed;
  }

  send(text: string): void {
    if (!this.closed) this.socket.write(encodeFrame(OP.text, Buffer.from(text, 'utf8')));
  }

  ping(): void {
    if (!this.closed) this.socket.write(encodeFrame(OP.ping, Buffer.alloc(0)));
  }

  /** Starts the closing handshake; the socket ends once the close frame is written. */
  close(code: number = CLOSE.normal, reason = ''): void {
    if (this.closed) return;
    const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
    payload.writeUInt16BE(code, 0);
    payload.write(reason, 2, 'utf8');
    this.socket.end(encodeFrame(OP.close, payload));
    this.finish(code);
  }

  /** Drops the connection without a closing handshake (what a lost network looks like to the client). */
  terminate(): void {
    this.socket.destroy();
    this.finish(CLOSE.goingAway);
  }

  private finish(code: number): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close', code);
  }

  private receive(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    try {
      for (;;) {
        const frame = decodeFrame(this.pending);
        if (!frame) return;
        this.pending = this.pending.subarray(frame.size);
        this.handle(frame);
        if (this.closed) return;
      }
    } catch (code) {
      this.close(typeof code === 'number' ? code : CLOSE.protocolError);
    }
  }

  private handle(frame: Frame): void {
    switch (frame.opcode) {
      case OP.ping:
        this.socket.write(encodeFrame(OP.pong, frame.payload));
        return;
      case OP.pong:
        return;
      case OP.close:
        // Echo the code (§5.5.1), then end.
        this.close(frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : CLOSE.normal);
        return;
      case OP.binary:
        throw CLOSE.unsupported;
      case OP.text:
      case OP.continuation: {
        if ((frame.opcode === OP.text) === this.fragments.length > 0) throw CLOSE.protocolError;
        this.fragmentBytes += frame.payload.length;
        if (this.fragmentBytes > MAX_MESSAGE_BYTES) throw CLOSE.tooBig;
        this.fragments.push(frame.payload);
        if (!frame.fin) return;
        const text = Buffer.concat(this.fragments).toString('utf8');
        this.fragments = [];
        this.fragmentBytes = 0;
        this.emit('message', text);
        return;
      }
      default:
        throw CLOSE.protocolError;
    }
  }
}

/** Completes the opening handshake on an upgraded socket. */
export function acceptConnection(req: IncomingMessage, socket: Duplex): WebSocketConnection {
  const key = req.headers['sec-websocket-key'] as string;
  socket.write(
    ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${acceptKey(key)}`, '', ''].join('\r\n'),
  );
  return new WebSocketConnection(socket);
}
