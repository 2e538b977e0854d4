import { randomBytes } from 'node:crypto';
import { Duplex } from 'node:stream';
import { acceptKey, encodeFrame, WebSocketConnection } from '../../local/websocket';

/** The local server's RFC 6455 framing (local/websocket.ts), driven with hand-made client frames. */
class FakeSocket extends Duplex {
  readonly written: Buffer[] = [];
  override _read(): void {}
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.written.push(chunk);
    done();
  }
}

/** A client frame: masked, as RFC 6455 §5.1 requires of every client frame. */
function clientFrame(opcode: number, payload: Buffer, fin = true, masked = true): Buffer {
  const mask = randomBytes(4);
  const length = payload.length;
  const header = length < 126 ? Buffer.from([0, length]) : Buffer.from([0, 126, length >> 8, length & 0xff]);
  header[0] = (fin ? 0x80 : 0) | opcode;
  if (!masked) return Buffer.concat([header, payload]);
  header[1] = (header[1] as number) | 0x80;
  const body = Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] as number)));
  return Buffer.concat([header, mask, body]);
}

/** Delivers bytes as the network would, and lets the connection handle them. */
async function feed(socket: FakeSocket, bytes: Buffer): Promise<void> {
  socket.push(bytes);
  await new Promise((done) => setImmediate(done));
}

function open() {
  const socket = new FakeSocket();
  const connection = new WebSocketConnection(socket);
  const messages: string[] = [];
  const closes: number[] = [];
  connection.on('message', (m) => messages.push(m));
  connection.on('close', (c) => closes.push(c));
  return { socket, connection, messages, closes };
}

/** The close code of the last frame the server wrote, if it was a close frame. */
const closeCode = (socket: FakeSocket) => {
  const last = socket.written.at(-1);
  return last && (last[0] as number) === 0x88 ? last.readUInt16BE(2) : undefined;
};

test("the handshake's accept key is RFC 6455's own example", () => {
  expect(acceptKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});

test('a text message split across TCP chunks and fragmented into two frames arrives whole, once', async () => {
  const { socket, messages } = open();
  const text = `{"action":"subscribe","note":"${'é'.repeat(80)}"}`;
  const bytes = Buffer.from(text);
  const wire = Buffer.concat([clientFrame(0x1, bytes.subarray(0, 50), false), clientFrame(0x0, bytes.subarray(50))]);
  for (let i = 0; i < wire.length; i += 7) await feed(socket, wire.subarray(i, i + 7));
  expect(messages).toEqual([text]);
});

test('a ping is answered with a pong carrying its payload; a close is echoed and ends the connection', async () => {
  const { socket, closes, connection } = open();
  await feed(socket, clientFrame(0x9, Buffer.from('hi')));
  expect(socket.written.at(-1)).toEqual(Buffer.from([0x8a, 2, ...Buffer.from('hi')]));
  await feed(socket, clientFrame(0x8, Buffer.from([0x03, 0xe8])));
  expect(closeCode(socket)).toBe(1000);
  expect(closes).toEqual([1000]);
  expect(connection.open).toBe(false);
});

test.each([
  ['an unmasked frame', 1002, () => [clientFrame(0x1, Buffer.from('x'), true, false)]],
  ['a binary frame', 1003, () => [clientFrame(0x2, Buffer.from('x'))]],
  ['a continuation with nothing to continue', 1002, () => [clientFrame(0x0, Buffer.from('x'))]],
  // 65,000 bytes fit the 16-bit length form; the second fragment takes the message over 64 KiB.
  ['a message over 64 KiB', 1009, () => [clientFrame(0x1, Buffer.alloc(65_000), false), clientFrame(0x0, Buffer.alloc(1000))]],
] as const)('%s closes the connection with code %d', async (_name, code, frames) => {
  const { socket, messages, closes } = open();
  for (const frame of frames()) await feed(socket, frame);
  expect(closeCode(socket)).toBe(code);
  expect(closes).toEqual([code]);
  expect(messages).toEqual([]);
});

test('server frames use the 7-bit, 16-bit and 64-bit length forms and are never masked', () => {
  expect([...encodeFrame(0x1, Buffer.alloc(125)).subarray(0, 2)]).toEqual([0x81, 125]);
  expect([...encodeFrame(0x1, Buffer.alloc(300)).subarray(0, 4)]).toEqual([0x81, 126, 1, 44]);
  const big = encodeFrame(0x1, Buffer.alloc(70_000));
  expect(big[1]).toBe(127);
  expect(big.readBigUInt64BE(2)).toBe(70_000n);
  expect(big.length).toBe(70_010);
});
