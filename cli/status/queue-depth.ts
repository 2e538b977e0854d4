import { sqs } from '../../core/data/jobs/job-queue';
import type { OpenTarget } from '../admin/target';

/** How many messages a queue holds, by state (SQS's approximate counts). */
export interface QueueDepth {
  url: string;
  visible: number;
  inFlight: number;
  delayed: number;
}

/** Local mode's queue names (local/job-worker.ts LOCAL_QUEUES), for storage started without a server. */
const LOCAL_QUEUE_NAMES = { jobs: 'lcs-jobs', deadLetter: 'lcs-jobs-dlq' };

/**
 * The job queue and dead-letter queue URLs: the target names them (runtime.json, stack outputs);
 * local storage started for this command has no runtime.json, so its queues are found by name.
 */
export async function queueUrls(target: OpenTarget, stacks: string[] = []): Promise<{ jobs: string; deadLetter: string }> {
  if (target.jobsQueueUrl && target.deadLetterQueueUrl) return { jobs: target.jobsQueueUrl, deadLetter: target.deadLetterQueueUrl };
  if (target.kind === 'aws') {
    const many = stacks.length > 1;
    throw new Error(
      `no job queue: the stack${many ? 's' : ''} ${stacks.join(', ') || '(none)'} ${many ? 'have' : 'has'} no JobsQueueUrl and JobsDeadLetterQueueUrl outputs; add --stack lcs-<stage>-jobs`,
    );
  }
  const { client, sdk } = await sqs();
  const find = async (name: string) => {
    try {
      return (await client.send(new sdk.GetQueueUrlCommand({ QueueName: name }))).QueueUrl as string;
    } catch (err) {
      if ((err as Error).name.includes('NonExistentQueue') || (err as Error).name.includes('QueueDoesNotExist')) {
        throw new Error(`no job queue ${name} in ${target.description}: start the server once (npm start)`);
      }
      throw err;
    }
  };
  return { jobs: await find(LOCAL_QUEUE_NAMES.jobs), deadLetter: await find(LOCAL_QUEUE_NAMES.deadLetter) };
}

export async function queueDepth(url: string): Promise<QueueDepth> {
  const { client, sdk } = await sqs();
  const out = await client.send(
    new sdk.GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  const count = (name: string) => Number(out.Attributes?.[name as keyof typeof out.Attributes] ?? 0);
  return {
    url,
    visible: count('ApproximateNumberOfMessages'),
    inFlight: count('ApproximateNumberOfMessagesNotVisible'),
    delayed: count('ApproximateNumberOfMessagesDelayed'),
  };
}
