import { sqs } from '../core/data/jobs/job-queue';
import { handleZipMessage } from '../core/domain/objects/object-download';
import { ensureQueueWithDeadLetters, pollQueue } from './queue-poller';

/**
 * Local mode's zip worker (object/get): the same queue → worker path as in AWS. The zip queue is a
 * real SQS queue in fauxqs with a dead-letter queue; this loop plays the Lambda event source and
 * runs the same worker code (core/domain/objects/object-download.ts) in the server's process.
 */
export const LOCAL_ZIP_QUEUES = { zips: 'lcs-object-zips', deadLetter: 'lcs-object-zips-dlq' };

/** Creates (or finds) the zip queue and its dead-letter queue. */
export async function ensureZipQueue(maxReceives: number, visibilitySeconds: number): Promise<string> {
  return (await ensureQueueWithDeadLetters({ queue: LOCAL_ZIP_QUEUES.zips, deadLetter: LOCAL_ZIP_QUEUES.deadLetter }, maxReceives, visibilitySeconds)).queue;
}

/** Takes zip jobs one at a time until stopped; a handled message is deleted, a failed one comes back. */
export async function startZipWorker(options: { queueUrl: string; log: (line: string) => void }) {
  const { client, sdk } = await sqs();
  const poller = await pollQueue({
    queueUrl: options.queueUrl,
    batch: 1,
    label: 'zip queue',
    log: options.log,
    handle: async (messages) => {
      for (const message of messages) {
        const receives = Number(message.Attributes?.ApproximateReceiveCount ?? 1);
        try {
          const { jobId, outcome } = await handleZipMessage(message.Body ?? '', receives);
          options.log(`zip ${jobId}: ${outcome}`);
          await client.send(new sdk.DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: message.ReceiptHandle }));
        } catch (err) {
          options.log(`zip message failed (receive ${receives}): ${(err as Error).message}`);
        }
      }
    },
  });
  return {
    /** Stops taking zip jobs and waits for the one being built. */
    stop: () => poller.stop(),
  };
}
