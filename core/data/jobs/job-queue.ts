import type { JobMessage, QueueMessage } from '../../ports/task-runner';
import { config } from '../../shared/config';

/**
 * The job queue (SQS; fauxqs in local mode). The SDK loads on first use: only job endpoints and
 * workers send, and other functions should not pay its cold start.
 */
type SqsSdk = typeof import('@aws-sdk/client-sqs');
let loaded: Promise<{ client: import('@aws-sdk/client-sqs').SQSClient; sdk: SqsSdk }> | undefined;

export function sqs(): Promise<{ client: import('@aws-sdk/client-sqs').SQSClient; sdk: SqsSdk }> {
  loaded ??= import('@aws-sdk/client-sqs').then((sdk) => {
    const { SQS_ENDPOINT, AWS_REGION } = config();
    return { sdk, client: new sdk.SQSClient({ region: AWS_REGION, ...(SQS_ENDPOINT ? { endpoint: SQS_ENDPOINT } : {}) }) };
  });
  return loaded;
}

export function queueUrl(): string {
  const url = config().JOBS_QUEUE_URL;
  if (!url) throw new Error('JOBS_QUEUE_URL is not set: this function cannot queue jobs');
  return url;
}

export const jobQueue = {
  /** Sends a job; `delaySeconds` (≤ 900) holds it back, which is how waiting for a node backs off. */
  async send(message: QueueMessage, delaySeconds = 0): Promise<void> {
    const { client, sdk } = await sqs();
    await client.send(
      new sdk.SendMessageCommand({
        QueueUrl: queueUrl(),
        MessageBody: JSON.stringify(message),
        DelaySeconds: Math.min(900, Math.max(0, Math.round(delaySeconds))),
      }),
    );
  },
};

/** The id a log line or metric names a job message by. */
export function jobMessageId(message: QueueMessage): string {
  if (message.kind === 'optimization-start') return message.optimizationId;
  if (message.kind === 'live-retire') return message.deployId;
  return message.kind === 'build' ? message.compileId : message.backtestId;
}

/** Parses a queue message body; anything else is refused (it goes to the dead-letter queue). */
export function parseQueueMessage(body: string): QueueMessage {
  const parsed = JSON.parse(body) as QueueMessage;
  const idOk =
    parsed.kind === 'backtest'
      ? typeof parsed.backtestId === 'string'
      : parsed.kind === 'job-finished'
        ? typeof parsed.backtestId === 'string' && typeof parsed.optimizationId === 'string'
        : parsed.kind === 'optimization-start'
          ? typeof parsed.optimizationId === 'string'
          : parsed.kind === 'live-retire'
            ? typeof parsed.deployId === 'string'
            : parsed.kind === 'build' && typeof parsed.compileId === 'string';
  if (!idOk || typeof parsed.orgId !== 'string' || typeof parsed.projectId !== 'number' || typeof parsed.attempt !== 'number') {
    throw new Error(`not a job message: ${body.slice(0, 200)}`);
  }
  return parsed;
}

/** A job a runner task was started for (a build or a backtest): never a job's end. */
export function parseJobMessage(body: string): JobMessage {
  const parsed = parseQueueMessage(body);
  if (parsed.kind === 'job-finished' || parsed.kind === 'optimization-start' || parsed.kind === 'live-retire')
    throw new Error(`not a job to run: ${body.slice(0, 200)}`);
  return parsed;
}
