import { config } from '../../shared/config';
import { sqs } from '../jobs/job-queue';

/**
 * The object/get zip queue (SQS; fauxqs in local mode): one message per zip job, consumed by the
 * zip worker (lambdas/workers/object-zip.handler.ts; local/object-zip-worker.ts in local mode).
 */
export interface ZipJobMessage {
  kind: 'object-zip';
  orgId: string;
  jobId: string;
}

export function zipQueueUrl(): string {
  const url = config().OBJECT_ZIP_QUEUE_URL;
  if (!url) throw new Error('OBJECT_ZIP_QUEUE_URL is not set: this function cannot queue zip jobs');
  return url;
}

export const objectZipQueue = {
  async send(message: ZipJobMessage): Promise<void> {
    const { client, sdk } = await sqs();
    await client.send(new sdk.SendMessageCommand({ QueueUrl: zipQueueUrl(), MessageBody: JSON.stringify(message) }));
  },
};

/** Parses a zip queue message body; anything else is refused (it ends in the dead-letter queue). */
export function parseZipJobMessage(body: string): ZipJobMessage {
  const parsed = JSON.parse(body) as Partial<ZipJobMessage>;
  if (parsed.kind !== 'object-zip' || typeof parsed.orgId !== 'string' || typeof parsed.jobId !== 'string' || !/^[0-9a-f]{32}$/.test(parsed.jobId)) {
    throw new Error(`not a zip job message: ${body.slice(0, 200)}`);
  }
  return { kind: 'object-zip', orgId: parsed.orgId, jobId: parsed.jobId };
}
