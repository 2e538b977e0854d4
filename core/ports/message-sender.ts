/**
 * Email and SMS for deployment notifications (issue 12 item 7; core/domain/live/notifications.ts).
 * On AWS: SES v2 `SendEmail` from the operator's verified sender and SNS `Publish` to a phone number
 * (core/aws/ses-sns-message-sender.ts); locally: one JSON line per message in an outbox file
 * (runner/outbox-sender.ts). A kind the operator did not enable has no method, and the runner says
 * so in the deployment's log (`live/create` refuses such targets already).
 *
 * A failure is thrown as an Error whose message names no address or number; `retryable: false`
 * on it means another try cannot help (a rejected address, a missing permission).
 */
export interface MessageSender {
  email?(to: string, subject: string, body: string): Promise<void>;
  sms?(phoneNumber: string, text: string): Promise<void>;
}

/** What a sender throws. */
export interface MessageSendFailure extends Error {
  retryable?: boolean;
}
