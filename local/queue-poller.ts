import type { Message } from '@aws-sdk/client-sqs';
import { sqs } from '../core/data/jobs/job-queue';

/**
 * Local mode's stand-in for an SQS event source mapping: receives from one queue of the embedded
 * emulator (1 s long polls, so a stop is never held up) and hands each batch to `handle`, one
 * batch at a time. The job worker and the object/get zip worker both run on it.
 */
export async function pollQueue(options: {
  queueUrl: string;
  /** Messages per receive (SQS allows 1–10). */
  batch: number;
  /** Named in the line logged when the queue cannot be reached. */
  label: string;
  log: (line: string) => void;
  handle: (messages: Message[]) => Promise<void>;
}): Promise<{ stop(): Promise<void> }> {
  const { client, sdk } = await sqs();
  let stopping = false;
  let receiving: Promise<unknown> = Promise.resolve();
  const loop = async () => {
    while (!stopping) {
      const received = client.send(
        new sdk.ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: options.batch,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
      );
      receiving = received.catch(() => undefined);
      let messages: Message[] = [];
      try {
        messages = (await received).Messages ?? [];
      } catch (err) {
        if (!stopping) options.log(`${options.label} unreachable: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      await options.handle(messages);
    }
  };
  const running = loop();
  return {
    /** Stops receiving and waits for the batch being handled. */
    async stop(): Promise<void> {
      stopping = true;
      await receiving;
      await running;
    },
  };
}
