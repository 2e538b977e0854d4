import type { MessageSender, MessageSendFailure } from '../ports/message-sender';

/**
 * Email and SMS for live notifications on AWS (docs/live.md, "Notifications"): SES v2 `SendEmail`
 * from the operator's verified sender address, SNS `Publish` straight to a phone number (no topic).
 * Only what the operator enabled is offered (a sender address; SMS on). Each call is tried once:
 * the live notifier owns retries and back-off, as for webhooks. Errors name the service, the
 * error's name and HTTP status, never the service's message text, which can quote the address.
 */
export interface AwsMessageSettings {
  /** SES: the verified sender (`From`), e.g. `alerts@example.com`; no email without it. */
  emailFrom?: string;
  /** SNS SMS on. */
  sms: boolean;
  /** SNS `AWS.SNS.SMS.SMSType`: `Transactional` (default: delivery over cost) or `Promotional`. */
  smsType?: 'Transactional' | 'Promotional';
  /** SDK client settings (region; a test's endpoint and credentials). */
  client?: { region?: string; endpoint?: string; credentials?: { accessKeyId: string; secretAccessKey: string } };
}

/** SDK error names that mean "slow down" even when the service calls them client faults. */
const THROTTLED = /throttl|toomanyrequests|limitexceeded|slowdown/i;

function failure(service: string, err: unknown): MessageSendFailure {
  const e = err as { name?: string; $fault?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const name = e.name && e.name !== 'Error' ? e.name : 'network error';
  // No answer at all (a network error, a timeout), a server fault, 429 or a throttling error: try again.
  const retryable = status === undefined || status === 429 || status >= 500 || e.$fault === 'server' || THROTTLED.test(name);
  const out: MessageSendFailure = new Error(`${service}: ${name}${status ? ` (HTTP ${status})` : ''}`);
  out.retryable = retryable;
  return out;
}

export function awsMessageSender(settings: AwsMessageSettings): MessageSender {
  const clientConfig = { ...settings.client, maxAttempts: 1 };
  let ses: Promise<{ client: import('@aws-sdk/client-sesv2').SESv2Client; sdk: typeof import('@aws-sdk/client-sesv2') }> | undefined;
  let sns: Promise<{ client: import('@aws-sdk/client-sns').SNSClient; sdk: typeof import('@aws-sdk/client-sns') }> | undefined;
  const sender: MessageSender = {};
  const from = settings.emailFrom;
  if (from) {
    sender.email = async (to, subject, body) => {
      ses ??= import('@aws-sdk/client-sesv2').then((sdk) => ({ sdk, client: new sdk.SESv2Client(clientConfig) }));
      const { client, sdk } = await ses;
      try {
        await client.send(
          new sdk.SendEmailCommand({
            FromEmailAddress: from,
            Destination: { ToAddresses: [to] },
            Content: { Simple: { Subject: { Data: subject, Charset: 'UTF-8' }, Body: { Text: { Data: body, Charset: 'UTF-8' } } } },
          }),
        );
      } catch (err) {
        throw failure('SES SendEmail', err);
      }
    };
  }
  if (settings.sms) {
    sender.sms = async (phoneNumber, text) => {
      sns ??= import('@aws-sdk/client-sns').then((sdk) => ({ sdk, client: new sdk.SNSClient(clientConfig) }));
      const { client, sdk } = await sns;
      try {
        await client.send(
          new sdk.PublishCommand({
            PhoneNumber: e164(phoneNumber),
            Message: text,
            MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: settings.smsType ?? 'Transactional' } },
          }),
        );
      } catch (err) {
        throw failure('SNS Publish', err);
      }
    };
  }
  return sender;
}

/** SNS wants E.164 (`+` and digits): lean-cli passes what the user typed, spaces and dashes included. */
export function e164(phoneNumber: string): string {
  const digits = phoneNumber.replace(/[^0-9]/g, '');
  return `+${digits}`;
}
