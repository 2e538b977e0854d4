import type { Message } from '@aws-sdk/client-sqs';
import { sqs } from '../core/data/jobs/job-queue';

/**
 * Creates (or finds) a queue of the embedded emulator with its dead-letter queue, redriving after
 * `maxReceives` receives, as the deployed queues are; SQS CreateQueue is idempotent.
 */
export async function ensureQueueWithDeadLetters(
  names: { queue: string; deadLetter: string },
  maxReceives: number,
  visibilitySeconds: number,
): Promise<{ queue: string; deadLetter: string }> {
  const { client, sdk } = await sqs();
  const dlq = await client.send(new sdk.CreateQueueCommand({ QueueName: names.deadLetter }));
  const dlqAttributes = await client.send(new sdk.GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }));
  const made = await client.send(
    new sdk.CreateQueueCommand({
      QueueName: names.queue,
      Attributes: {
        VisibilityTimeout: String(visibilitySeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqAttributes.Attributes?.QueueArn, maxReceiveCount: String(maxReceives) }),
      },
    }),
  );
  if (!made.QueueUrl || !dlq.QueueUrl) throw new Error(`the queue ${names.queue} or its dead-letter queue could not be created`);
  return { queue: made.QueueUrl, deadLetter: dlq.QueueUrl };
}

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
