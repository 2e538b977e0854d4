/**
 * Email and SMS for deployment notifications (issue 12 item 7; core/domain/live/notifications.ts).
 * On AWS these go through SES (email to any address) and SNS (`Publish` to a phone number); the
 * server ships no adapter yet because neither AWS SDK client is one of its dependencies, so the
 * live runner is given none and says, once, that email and SMS targets are not sent (docs/live.md).
 * Local mode never sends them.
 */
export interface MessageSender {
  email(to: string, subject: string, body: string): Promise<void>;
  sms(phoneNumber: string, text: string): Promise<void>;
}
