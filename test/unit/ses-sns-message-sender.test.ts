import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsMessageSender, e164 } from '../../core/aws/ses-sns-message-sender';
import type { MessageSendFailure } from '../../core/ports/message-sender';
import { outboxSender } from '../../runner/outbox-sender';

/**
 * The email/SMS adapters behind the message-sender port (issue 12 item 7): the real SES v2 and SNS
 * clients against a loopback HTTP endpoint that answers as those services do (SES v2 is REST/JSON,
 * SNS the query protocol with XML answers), and local mode's outbox file.
 */
interface Request {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
const requests: Request[] = [];
/** The next answers, first to last: [status, headers, body]; then a success. */
let answers: [number, Record<string, string>, string][] = [];
let server: Server;
let endpoint: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      const next = answers.shift();
      if (next) {
        res.writeHead(next[0], next[1]);
        res.end(next[2]);
      } else if (req.url?.startsWith('/v2/email/outbound-emails')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"MessageId":"ses-1"}');
      } else {
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(
          '<PublishResponse><PublishResult><MessageId>sns-1</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>',
        );
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));
beforeEach(() => {
  requests.length = 0;
  answers = [];
});

const client = () => ({ region: 'eu-west-1', endpoint, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' } });
const caught = async (p: Promise<unknown>): Promise<MessageSendFailure> => {
  try {
    await p;
  } catch (err) {
    return err as MessageSendFailure;
  }
  throw new Error('expected a failure');
};

describe('awsMessageSender', () => {
  test('offers only what the operator enabled', () => {
    expect(Object.keys(awsMessageSender({ sms: false, client: client() }))).toEqual([]);
    expect(Object.keys(awsMessageSender({ emailFrom: 'alerts@example.com', sms: false, client: client() }))).toEqual(['email']);
    expect(Object.keys(awsMessageSender({ sms: true, client: client() }))).toEqual(['sms']);
  });

  test('email: SES v2 SendEmail from the configured sender, subject and text body', async () => {
    const sender = awsMessageSender({ emailFrom: 'alerts@example.com', sms: false, client: client() });
    await sender.email!('trader@example.com', 'My Project: order 3 filled', 'My Project (L-…): Order 3 SPY buy filled 10 @ 401.5.');
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ method: 'POST', path: '/v2/email/outbound-emails' });
    expect(requests[0]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/eu-west-1\/ses\/aws4_request/);
    expect(JSON.parse(requests[0]!.body)).toEqual({
      FromEmailAddress: 'alerts@example.com',
      Destination: { ToAddresses: ['trader@example.com'] },
      Content: {
        Simple: {
          Subject: { Data: 'My Project: order 3 filled', Charset: 'UTF-8' },
          Body: { Text: { Data: 'My Project (L-…): Order 3 SPY buy filled 10 @ 401.5.', Charset: 'UTF-8' } },
        },
      },
    });
  });

  test('SMS: SNS Publish to the phone number in E.164, transactional', async () => {
    const sender = awsMessageSender({ sms: true, client: client() });
    await sender.sms!('+1 (555) 010-7788', 'My Project: Order 3 SPY buy filled 10 @ 401.5');
    expect(requests).toHaveLength(1);
    expect(requests[0]!.headers.authorization).toMatch(/\/eu-west-1\/sns\/aws4_request/);
    const form = new URLSearchParams(requests[0]!.body);
    expect(form.get('Action')).toBe('Publish');
    expect(form.get('PhoneNumber')).toBe('+15550107788');
    expect(form.get('Message')).toBe('My Project: Order 3 SPY buy filled 10 @ 401.5');
    expect(form.get('TopicArn')).toBeNull();
    expect(form.get('MessageAttributes.entry.1.Name')).toBe('AWS.SNS.SMS.SMSType');
    expect(form.get('MessageAttributes.entry.1.Value.StringValue')).toBe('Transactional');
    expect(e164('15550107788')).toBe('+15550107788');
  });

  test('each call is tried once (the notifier retries); throttling and server errors are retryable, rejections not; no address in the error', async () => {
    const email = awsMessageSender({ emailFrom: 'alerts@example.com', sms: false, client: client() }).email!;
    answers = [[500, { 'content-type': 'application/json', 'x-amzn-errortype': 'InternalFailure' }, '{"message":"try later"}']];
    const internal = await caught(email('trader-secret@example.com', 's', 't'));
    expect(requests).toHaveLength(1);
    expect(internal.retryable).toBe(true);
    expect(internal.message).toBe('SES SendEmail: InternalFailure (HTTP 500)');

    answers = [[429, { 'content-type': 'application/json', 'x-amzn-errortype': 'TooManyRequestsException' }, '{"message":"slow down"}']];
    expect((await caught(email('trader-secret@example.com', 's', 't'))).retryable).toBe(true);

    answers = [
      [
        400,
        { 'content-type': 'application/json', 'x-amzn-errortype': 'MessageRejected' },
        '{"message":"Email address is not verified. The following identities failed the check: trader-secret@example.com"}',
      ],
    ];
    const rejected = await caught(email('trader-secret@example.com', 's', 't'));
    expect(rejected.retryable).toBe(false);
    expect(rejected.message).toBe('SES SendEmail: MessageRejected (HTTP 400)');

    const sms = awsMessageSender({ sms: true, client: client() }).sms!;
    answers = [
      [
        400,
        { 'content-type': 'text/xml' },
        '<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>Invalid parameter: PhoneNumber +15550000000</Message></Error><RequestId>r</RequestId></ErrorResponse>',
      ],
    ];
    const invalid = await caught(sms('+15550000000', 'x'));
    expect(invalid.retryable).toBe(false);
    expect(invalid.message).toMatch(/^SNS Publish: InvalidParameter/);
    expect(invalid.message).not.toContain('5550000000');
    answers = [
      [
        400,
        { 'content-type': 'text/xml' },
        '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>',
      ],
    ];
    expect((await caught(sms('+15550000000', 'x'))).retryable).toBe(true);
  });

  test('no answer at all is retryable', async () => {
    const sender = awsMessageSender({ sms: true, client: { ...client(), endpoint: 'http://127.0.0.1:9' } });
    const failure = await caught(sender.sms!('+15550000000', 'x'));
    expect(failure.retryable).toBe(true);
    expect(failure.message).not.toContain('5550000000');
  });
});

describe('outboxSender (local mode)', () => {
  test('one JSON line per email or SMS, in a 0600 file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lcs-outbox-'));
    try {
      const file = join(dir, 'nested', 'outbox.jsonl');
      const sender = outboxSender(file, 'L-1');
      await sender.email!('trader@example.com', 'Subject', 'Body text');
      await sender.sms!('+15550107788', 'Short');
      const lines = readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toEqual([
        { at: expect.any(String), deployId: 'L-1', kind: 'email', to: 'trader@example.com', subject: 'Subject', text: 'Body text' },
        { at: expect.any(String), deployId: 'L-1', kind: 'sms', to: '+15550107788', text: 'Short' },
      ]);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
