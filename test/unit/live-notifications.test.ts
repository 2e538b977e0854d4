import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import {
  describeTarget,
  insightMessage,
  NOTIFICATION_SECRET_KEY,
  notificationSecret,
  notifyChannels,
  orderEventMessage,
  parseNotification,
  readNotificationSecret,
} from '../../core/domain/live/notifications';
import type { MessageSender, MessageSendFailure } from '../../core/ports/message-sender';
import { InvalidError } from '../../core/shared/errors';
import { backoffMs, liveNotifier, retryable, sendWithRetries } from '../../runner/live-notifier';

/**
 * Deployment notifications (issue 12 item 7): lean-cli's `notification` parsed and checked, the
 * messages rendered, and the retry policy, with a real HTTP receiver on loopback.
 */
const deployment = { projectId: 7, deployId: `L-${'a'.repeat(32)}`, projectName: 'Live/Notify' };
const orderEvent = {
  algorithmId: deployment.deployId,
  id: `${deployment.deployId}-3-2`,
  orderId: 3,
  orderEventId: 2,
  symbol: 'SPY R735QTJ8XC9X',
  symbolValue: 'SPY',
  status: 'filled',
  direction: 'buy',
  quantity: 10,
  fillQuantity: 10,
  fillPrice: 401.5,
  time: 1_700_000_000,
};
const insight = {
  id: 'i-1',
  symbol: 'SPY R735QTJ8XC9X',
  ticker: 'SPY',
  type: 'price',
  direction: 'up',
  period: 3600,
  magnitude: 0.01,
  confidence: 0.5,
  generatedTime: 1_700_000_000,
};

describe("lean-cli's notification object", () => {
  test('the four target kinds, as lean-cli dumps them (empty fields dropped)', () => {
    const parsed = parseNotification({
      events: ['orderEvent', 'insight'],
      targets: [
        { address: 'quant@example.com', subject: 'Fills' },
        { address: 'quant@example.com' },
        { address: 'https://hooks.example.com/abc?key=1', headers: { 'X-Token': 'secret-1' } },
        { address: 'hooks.example.com/path' },
        { address: 'hooks.example.com/@me' },
        { phoneNumber: '+15551234567' },
        { id: '123456789', token: '111:AAAAAAAAAAAAAAAAAAAAAA' },
        { id: '-100200300' },
      ],
    });
    expect(parsed).toEqual({
      events: ['orderEvent', 'insight'],
      targets: [
        { kind: 'email', address: 'quant@example.com', subject: 'Fills' },
        { kind: 'email', address: 'quant@example.com' },
        { kind: 'webhook', url: 'https://hooks.example.com/abc?key=1', headers: { 'X-Token': 'secret-1' } },
        { kind: 'webhook', url: 'https://hooks.example.com/path', headers: {} },
        { kind: 'webhook', url: 'https://hooks.example.com/@me', headers: {} },
        { kind: 'sms', phoneNumber: '+15551234567' },
        { kind: 'telegram', chatId: '123456789', token: '111:AAAAAAAAAAAAAAAAAAAAAA' },
        { kind: 'telegram', chatId: '-100200300' },
      ],
    });
  });

  test("nothing asked: absent, LEAN's {}, no events or no targets", () => {
    expect(parseNotification(undefined)).toBeUndefined();
    expect(parseNotification({})).toBeUndefined();
    expect(parseNotification({ events: [], targets: [{ phoneNumber: '+15551234567' }] })).toBeUndefined();
    expect(parseNotification({ events: ['insight'], targets: [] })).toBeUndefined();
  });

  test.each([
    [{ events: ['fills'], targets: [] }, /events/],
    [{ events: 'orderEvent', targets: [] }, /events/],
    [{ events: ['orderEvent'], targets: {} }, /targets/],
    [{ events: ['orderEvent'], targets: ['x'] }, /targets\[0\]/],
    [{ events: ['orderEvent'], targets: [{ subject: 'x' }] }, /targets\[0\]/],
    [{ events: ['orderEvent'], targets: [{ address: 'ftp://example.com/x' }] }, /http or https/],
    [{ events: ['orderEvent'], targets: [{ address: 'http://169.254.170.2/v2/credentials' }] }, /link-local/],
    [{ events: ['orderEvent'], targets: [{ address: 'http://[::ffff:169.254.169.254]/latest' }] }, /link-local/],
    [{ events: ['orderEvent'], targets: [{ address: 'http://[fe80::1]/' }] }, /link-local/],
    [{ events: ['orderEvent'], targets: [{ address: 'https://user:pw-secret@example.com/' }] }, /user name or password/],
    [{ events: ['orderEvent'], targets: [{ address: 'https://x.example.com/', headers: { 'Bad Header': 'v' } }] }, /header name/],
    [{ events: ['orderEvent'], targets: [{ address: 'https://x.example.com/', headers: { A: 'v\r\nB: injected-secret' } }] }, /one line/],
    [{ events: ['orderEvent'], targets: [{ phoneNumber: 'call me-secret' }] }, /phone number/],
    [{ events: ['orderEvent'], targets: [{ id: '1', token: 'not-a-token-secret' }] }, /bot token/],
    [{ events: ['orderEvent'], targets: Array.from({ length: 21 }, () => ({ phoneNumber: '+15551234567' })) }, /at most 20/],
  ])('refused as bad input, naming the field and never the value: %j', (raw, message) => {
    let error: unknown;
    try {
      parseNotification(raw);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvalidError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toMatch(/secret|pw-|169\.254/);
  });

  test('any JSON is either accepted or refused as bad input, never another error', () => {
    const targetLike = fc.record(
      {
        address: fc.oneof(fc.string(), fc.webUrl(), fc.emailAddress()),
        headers: fc.jsonValue(),
        subject: fc.jsonValue(),
        phoneNumber: fc.jsonValue(),
        id: fc.jsonValue(),
        token: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    const notification = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.record({
        events: fc.oneof(fc.jsonValue(), fc.subarray(['orderEvent', 'insight', 'other'])),
        targets: fc.oneof(fc.jsonValue(), fc.array(targetLike, { maxLength: 25 })),
      }),
    );
    fc.assert(
      fc.property(notification, (raw) => {
        try {
          parseNotification(raw);
        } catch (err) {
          if (!(err instanceof InvalidError)) throw err;
        }
      }),
      { numRuns: 500 },
    );
  });

  test('kept in the secret under its own key and taken out again before LEAN sees the secret', () => {
    const config = parseNotification({ events: ['insight'], targets: [{ phoneNumber: '+15551234567' }] });
    const secret = { 'ib-password': 'pw', ...notificationSecret(config) };
    expect(Object.keys(secret)).toEqual(['ib-password', NOTIFICATION_SECRET_KEY]);
    const { leanSecrets, notification } = readNotificationSecret(secret);
    expect(leanSecrets).toEqual({ 'ib-password': 'pw' });
    expect(notification).toEqual(config);
    expect(readNotificationSecret({ [NOTIFICATION_SECRET_KEY]: '{broken' })).toEqual({ leanSecrets: {} });
  });

  test('email and SMS targets are refused when this server does not send them (LCS_NOTIFY_CHANNELS), naming the target only', () => {
    const raw = { events: ['orderEvent'], targets: [{ address: 'trader@example.com', subject: 'Fills' }, { phoneNumber: '+15551234567' }] };
    expect(notifyChannels({})).toEqual({ email: false, sms: false });
    expect(notifyChannels({ LCS_NOTIFY_CHANNELS: 'email, SMS' })).toEqual({ email: true, sms: true });
    expect(() => parseNotification(raw, { email: false, sms: true })).toThrow(
      /^notification\.targets\[0\]: this server sends no email \(its operator has configured no sender address\); deploy without --notify-emails/,
    );
    expect(() => parseNotification(raw, { email: true, sms: false })).toThrow(/^notification\.targets\[1\]: this server sends no SMS/);
    try {
      parseNotification(raw, { email: false, sms: false });
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidError);
      expect((err as Error).message).not.toMatch(/trader@|5551234567/);
    }
    expect(parseNotification(raw, { email: true, sms: true })?.targets.map((t) => t.kind)).toEqual(['email', 'sms']);
    // A webhook or Telegram target needs nothing of the operator.
    expect(parseNotification({ events: ['insight'], targets: [{ id: '42' }] }, { email: false, sms: false })?.targets).toHaveLength(1);
  });

  test('a target is described by kind, position and a webhook host only', () => {
    expect(describeTarget({ kind: 'webhook', url: 'https://hooks.example.com/T000/B000/secretpath', headers: { A: 'b' } }, 0)).toBe(
      'webhook #1 (hooks.example.com)',
    );
    expect(describeTarget({ kind: 'sms', phoneNumber: '+15551234567' }, 2)).toBe('SMS #3');
    expect(describeTarget({ kind: 'telegram', chatId: '1', token: '1:x' }, 1)).toBe('Telegram #2');
  });
});

describe('messages', () => {
  test('an order event: text, subject, a short SMS form and the JSON webhook body', () => {
    const m = orderEventMessage(deployment, orderEvent);
    expect(m.subject).toBe('Live/Notify: order 3 filled');
    expect(m.text).toBe(`Live/Notify (${deployment.deployId}): Order 3 SPY buy filled 10 @ 401.5 at 2023-11-14T22:13:20Z.`);
    expect(m.short).toBe('Live/Notify: Order 3 SPY buy filled 10 @ 401.5');
    expect(m.payload).toEqual({ type: 'orderEvent', projectId: 7, deployId: deployment.deployId, projectName: 'Live/Notify', orderEvent });
  });

  test('a submitted order shows its quantity; a symbol object shows its ticker; a long SMS is cut to 160', () => {
    const m = orderEventMessage(
      { ...deployment, projectName: 'P'.repeat(200) },
      { orderId: 4, symbol: { value: 'EURUSD', id: 'EURUSD 8G' }, status: 'submitted', direction: 'sell', quantity: -5, fillQuantity: 0 },
    );
    expect(m.text).toContain('Order 4 EURUSD sell submitted -5');
    expect(m.short.length).toBe(160);
  });

  test('an insight', () => {
    const m = insightMessage(deployment, insight);
    expect(m.subject).toBe('Live/Notify: insight SPY up');
    expect(m.text).toBe(`Live/Notify (${deployment.deployId}): Insight SPY up, price, period 3600 s, magnitude 0.01, confidence 0.5 at 2023-11-14T22:13:20Z.`);
    expect(m.payload).toMatchObject({ type: 'insight', insight });
  });
});

describe('retry policy', () => {
  test('throttling and server errors are retried, other client errors are not', () => {
    for (const status of [408, 425, 429, 500, 502, 503]) expect(retryable(status)).toBe(true);
    for (const status of [400, 401, 403, 404, 410]) expect(retryable(status)).toBe(false);
  });

  test('back-off doubles from the base, is capped at a minute, and a longer Retry-After wins', () => {
    expect([1, 2, 3, 4].map((a) => backoffMs(a, 1000))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffMs(20, 1000)).toBe(60_000);
    expect(backoffMs(1, 1000, 5)).toBe(5000);
    expect(backoffMs(3, 1000, 1)).toBe(4000);
    expect(backoffMs(1, 1000, 3600)).toBe(60_000);
  });
});

describe('sending over HTTP (a receiver on loopback)', () => {
  let server: Server;
  let base: string;
  const received: { url: string; headers: IncomingHttpHeaders; body: Record<string, unknown> }[] = [];
  let answers: number[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        received.push({ url: req.url ?? '', headers: req.headers, body: JSON.parse(body || '{}') as Record<string, unknown> });
        res.writeHead(answers.shift() ?? 200);
        res.end('{"echo":"whatever the receiver says"}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));
  beforeEach(() => {
    received.length = 0;
    answers = [];
  });

  const options = (lines: string[]) => ({
    telegramApiUrl: `${base}/telegram`,
    retryBaseMs: 10,
    attempts: 3,
    log: (l: string) => lines.push(l),
    note: (l: string) => lines.push(l),
  });

  test('a webhook answering 500 then 200 gets the retry; its headers are sent each time', async () => {
    answers = [500, 200];
    const lines: string[] = [];
    const retries: string[] = [];
    const target = { kind: 'webhook' as const, url: `${base}/hook/secret-path`, headers: { 'X-Api-Key': 'key-secret' } };
    const tries = await sendWithRetries(target, orderEventMessage(deployment, orderEvent), options(lines), (why) => retries.push(why));
    expect(tries).toBe(2);
    expect(retries).toEqual(['HTTP 500']);
    expect(received.map((r) => [r.url, r.headers['x-api-key'], r.headers['content-type']])).toEqual([
      ['/hook/secret-path', 'key-secret', 'application/json'],
      ['/hook/secret-path', 'key-secret', 'application/json'],
    ]);
    expect(received[1]!.body).toMatchObject({ type: 'orderEvent', orderEvent: { orderId: 3 } });
  });

  test('a 404 is not retried; tries are bounded', async () => {
    const target = { kind: 'webhook' as const, url: `${base}/hook`, headers: {} };
    answers = [404];
    await expect(sendWithRetries(target, insightMessage(deployment, insight), options([]), () => undefined)).rejects.toThrow('HTTP 404');
    expect(received).toHaveLength(1);
    answers = [503, 503, 503, 503];
    await expect(sendWithRetries(target, insightMessage(deployment, insight), options([]), () => undefined)).rejects.toThrow('HTTP 503');
    expect(received).toHaveLength(4);
  });

  test('a stored webhook that leads to a link-local address is not called (checked again when sending)', async () => {
    for (const url of ['http://169.254.169.254/latest/meta-data', 'http://[::ffff:169.254.170.2]/v2/credentials', 'http://[fd00:ec2::254]/']) {
      const target = { kind: 'webhook' as const, url, headers: {} };
      await expect(sendWithRetries(target, insightMessage(deployment, insight), options([]), () => undefined)).rejects.toThrow(/link-local/);
    }
    expect(received).toHaveLength(0);
  });

  test("Telegram: the Bot API's sendMessage with the chat id and the text", async () => {
    const target = { kind: 'telegram' as const, chatId: '42', token: '123:ABCDEFGHIJKLMNOP' };
    await sendWithRetries(target, insightMessage(deployment, insight), options([]), () => undefined);
    expect(received).toEqual([
      expect.objectContaining({
        url: '/telegram/bot123:ABCDEFGHIJKLMNOP/sendMessage',
        body: { chat_id: '42', text: expect.stringContaining('Insight SPY up') },
      }),
    ]);
  });

  test('the notifier: one message per new order event, insights only when asked, nothing twice, nothing secret in its lines', async () => {
    const lines: string[] = [];
    const config = {
      events: ['orderEvent' as const],
      targets: [
        { kind: 'webhook' as const, url: `${base}/hook/path-secret`, headers: { Authorization: 'Bearer header-secret' } },
        { kind: 'sms' as const, phoneNumber: '+15550000000' },
        { kind: 'email' as const, address: 'mail-secret@example.com' },
        { kind: 'telegram' as const, chatId: '99' },
      ],
    };
    const notifier = liveNotifier(config, deployment, options(lines));
    const order = (id: number, n: number) => ({
      id,
      events: Array.from({ length: n }, (_, i) => ({ ...orderEvent, id: `${deployment.deployId}-${id}-${i + 1}`, orderId: id, orderEventId: i + 1 })),
    });
    notifier.seed([order(1, 2)], []);
    answers = [500];
    notifier.observe([order(1, 2), order(2, 1)], [insight]);
    notifier.observe([order(1, 2), order(2, 2)], [insight]);
    expect(await notifier.drain(5000)).toEqual({ sent: 2, failed: 0 });
    // Order 1 was seen by an earlier runner; order 2's two events, the first after one retry.
    expect(received.map((r) => (r.body.orderEvent as { id: string }).id)).toEqual([
      `${deployment.deployId}-2-1`,
      `${deployment.deployId}-2-1`,
      `${deployment.deployId}-2-2`,
    ]);
    expect(lines.join('\n')).toMatch(/SMS #2, email #3; this server's operator has not enabled email or SMS/);
    expect(lines.join('\n')).toMatch(/Telegram #4; a Telegram target needs the token/);
    expect(lines.join('\n')).toMatch(/webhook #1 \(127\.0\.0\.1:\d+\) failed \(HTTP 500\); retrying/);
    expect(lines.join('\n')).not.toMatch(/secret|\+1555/);
  });

  test('email and SMS through the sender port: subject and text, the short SMS form; retried when retryable, not otherwise; errors scrubbed', async () => {
    const lines: string[] = [];
    const sent: { kind: string; to: string; subject?: string; text: string }[] = [];
    const failures: (MessageSendFailure | undefined)[] = [];
    const fail = (message: string, retryable: boolean): MessageSendFailure => Object.assign(new Error(message), { retryable });
    // The first email fails as a throttled call (retryable); the first SMS as a rejected number, quoting it.
    failures.push(fail('SES SendEmail: TooManyRequestsException (HTTP 429)', true));
    let smsCalls = 0;
    const messages: MessageSender = {
      async email(to, subject, text) {
        const f = failures.shift();
        if (f) throw f;
        sent.push({ kind: 'email', to, subject, text });
      },
      async sms(to, text) {
        smsCalls++;
        if (smsCalls === 1) throw fail(`SNS Publish: InvalidParameter ${to} is not valid`, false);
        sent.push({ kind: 'sms', to, text });
      },
    };
    const config = {
      events: ['orderEvent' as const, 'insight' as const],
      targets: [
        { kind: 'email' as const, address: 'mail-secret@example.com', subject: 'My fills' },
        { kind: 'sms' as const, phoneNumber: '+15550000000' },
        { kind: 'email' as const, address: 'other-secret@example.com' },
      ],
    };
    const notifier = liveNotifier(config, deployment, { ...options(lines), messages });
    notifier.observe([{ id: 3, events: [orderEvent] }], [insight]);
    expect(await notifier.drain(5000)).toEqual({ sent: 5, failed: 1 });
    expect(sent.filter((m) => m.to === 'mail-secret@example.com')).toEqual([
      { kind: 'email', to: 'mail-secret@example.com', subject: 'My fills', text: orderEventMessage(deployment, orderEvent).text },
      { kind: 'email', to: 'mail-secret@example.com', subject: 'My fills', text: insightMessage(deployment, insight).text },
    ]);
    // No subject given: the message's own.
    expect(sent.find((m) => m.to === 'other-secret@example.com')?.subject).toBe(orderEventMessage(deployment, orderEvent).subject);
    // The SMS that was refused is not tried again; the next one goes, in its short form.
    expect(smsCalls).toBe(2);
    expect(sent.filter((m) => m.kind === 'sms')).toEqual([{ kind: 'sms', to: '+15550000000', text: insightMessage(deployment, insight).short }]);
    const all = lines.join('\n');
    expect(all).toMatch(/notification to email #1 failed \(SES SendEmail: TooManyRequestsException \(HTTP 429\)\); retrying in 10 ms/);
    expect(all).toMatch(/Notification \(orderEvent\) to SMS #2 not delivered after 3 tries: SNS Publish: InvalidParameter \*\*\* is not valid/);
    expect(all).not.toMatch(/secret|\+1555/);
    expect(all).not.toMatch(/Not sent/);
  });

  test('a sender without SMS: SMS targets are skipped and said so, email goes', async () => {
    const lines: string[] = [];
    const sent: string[] = [];
    const messages: MessageSender = { email: async (to) => void sent.push(to) };
    const notifier = liveNotifier(
      {
        events: ['orderEvent'],
        targets: [
          { kind: 'sms', phoneNumber: '+15550000000' },
          { kind: 'email', address: 'a@example.com' },
        ],
      },
      deployment,
      { ...options(lines), messages },
    );
    notifier.observe([{ id: 3, events: [orderEvent] }], []);
    expect(await notifier.drain(5000)).toEqual({ sent: 1, failed: 0 });
    expect(sent).toEqual(['a@example.com']);
    expect(lines.join('\n')).toMatch(/Not sent: SMS #1; this server's operator has not enabled email or SMS/);
  });

  test('a restarted LEAN that numbers its orders afresh is notified again; the same event read twice is not', async () => {
    const notifier = liveNotifier({ events: ['orderEvent'], targets: [{ kind: 'webhook', url: `${base}/hook`, headers: {} }] }, deployment, options([]));
    notifier.observe([{ id: 3, events: [orderEvent] }], []);
    notifier.observe([{ id: 3, events: [orderEvent] }], []);
    notifier.observe([{ id: 3, events: [{ ...orderEvent, time: orderEvent.time + 60 }] }], []);
    expect(await notifier.drain(5000)).toEqual({ sent: 2, failed: 0 });
    expect(received.map((r) => (r.body.orderEvent as { time: number }).time)).toEqual([orderEvent.time, orderEvent.time + 60]);
  });

  test('insights when asked; a receiver that never answers well is noted without its URL', async () => {
    const lines: string[] = [];
    const notifier = liveNotifier(
      { events: ['insight'], targets: [{ kind: 'webhook', url: `${base}/hook/path-secret`, headers: {} }] },
      deployment,
      options(lines),
    );
    answers = [500, 500, 500];
    notifier.observe([{ id: 1, events: [orderEvent] }], [insight]);
    expect(await notifier.drain(5000)).toEqual({ sent: 0, failed: 1 });
    expect(received.map((r) => r.body.type)).toEqual(['insight', 'insight', 'insight']);
    expect(lines.at(-1)).toMatch(/Notification \(insight\) to webhook #1 .* not delivered after 3 tries: HTTP 500/);
    expect(lines.join('\n')).not.toContain('path-secret');
  });
});
