import { backtestRepository, compileRepository } from '../core/data/backtests/backtest-repository';
import { jobMessageId, jobQueue, parseQueueMessage, sqs } from '../core/data/jobs/job-queue';
import { backtestLifecycle } from '../core/domain/backtests/backtest-lifecycle';
import { dispatchJob, failUndispatchable } from '../core/domain/jobs/job-dispatcher';
import { describeTaskEnd, reconcileTaskEnd } from '../core/domain/jobs/job-reconciler';
import { resumeOptimizations } from '../core/domain/optimizations/optimization-runner';
import type { JobMessage, QueueMessage, TaskEnd, TaskLauncher } from '../core/ports/task-runner';
import { config } from '../core/shared/config';
import { processLauncher } from './process-launcher';
import { ensureQueueWithDeadLetters, pollQueue } from './queue-poller';

/**
 * Local mode's job path (design §10): the same queue → dispatcher → runner → reconciler as in
 * AWS. The queue is a real SQS queue in fauxqs (kept in the data folder, with a dead-letter
 * queue); this loop plays the Lambda event source, the process launcher plays ECS, and a runner's
 * exit plays the ECS task state-change event.
 */
export const LOCAL_QUEUES = { jobs: 'lcs-jobs', deadLetter: 'lcs-jobs-dlq' };

export interface QueueUrls {
  jobs: string;
  deadLetter: string;
}

/** Creates (or finds) the job queue and its dead-letter queue. */
export async function ensureJobQueues(maxReceives: number, visibilitySeconds: number): Promise<QueueUrls> {
  const made = await ensureQueueWithDeadLetters({ queue: LOCAL_QUEUES.jobs, deadLetter: LOCAL_QUEUES.deadLetter }, maxReceives, visibilitySeconds);
  return { jobs: made.queue, deadLetter: made.deadLetter };
}

export interface JobWorkerOptions {
  queueUrl: string;
  jobsDir: string;
  leanDataDir: string;
  apiUrl: string;
  log: (line: string) => void;
  progressMs?: number;
}

/**
 * Backtests a previous server left starting or running: their runners died with it. Marked failed
 * (and their nodes freed) so nothing waits for them forever. Local tables are small; a scan is fine.
 */
async function failOrphans(log: (line: string) => void): Promise<void> {
  for await (const backtest of backtestRepository.scanInPhases(['starting', 'running'])) {
    log(`backtest ${backtest.backtestId} was running when the server stopped: marked failed`);
    await backtestLifecycle.failed(backtest, 'The local server stopped while this backtest ran. Run it again.', '');
  }
}

/** Why a job the dispatcher failed failed, as its compile or backtest records it (for jobs.log). */
async function failureReason(job: QueueMessage): Promise<string> {
  if (job.kind === 'build') return ((await compileRepository.get(job.projectId, job.compileId))?.logs ?? []).join(' ');
  if (job.kind === 'backtest') return (await backtestRepository.get(job.projectId, job.backtestId))?.error ?? '';
  return '';
}

/**
 * What the Lambda event source does with a batch: each message is dispatched; a handled one is
 * deleted; one that throws stays on the queue, to be redelivered after the visibility timeout and
 * dead-lettered after the queue's maximum receives.
 */
export async function handleJobMessages(
  messages: import('@aws-sdk/client-sqs').Message[],
  deps: { queueUrl: string; launcher: TaskLauncher; requeue: (message: JobMessage, delaySeconds: number) => Promise<void>; log: (line: string) => void },
): Promise<void> {
  const { client, sdk } = await sqs();
  for (const message of messages) {
    let job: QueueMessage | undefined;
    try {
      job = parseQueueMessage(message.Body ?? '');
      const outcome = await dispatchJob(job, { launcher: deps.launcher, requeue: deps.requeue });
      const reason = outcome === 'failed' ? await failureReason(job).catch(() => '') : '';
      deps.log(`job ${job.kind} ${jobMessageId(job)}: ${outcome}${reason ? `: ${reason}` : ''}`);
      await client.send(new sdk.DeleteMessageCommand({ QueueUrl: deps.queueUrl, ReceiptHandle: message.ReceiptHandle }));
    } catch (err) {
      const receives = Number(message.Attributes?.ApproximateReceiveCount ?? 1);
      deps.log(`job message failed (receive ${receives}): ${(err as Error).message}`);
      if (job && receives >= config().LCS_JOB_MAX_RECEIVES) await failUndispatchable(job, (err as Error).message, receives).catch(() => undefined);
    }
  }
}

export async function startJobWorker(options: JobWorkerOptions) {
  const requeue = (message: JobMessage, delaySeconds: number) => jobQueue.send(message, delaySeconds);
  const ends: Promise<unknown>[] = [];
  const onEnd = (end: TaskEnd) => {
    const handled = reconcileTaskEnd(end, { requeue }).then(
      // A failure says why, as the job's own error does (the runner's output is in its work folder while it runs).
      (outcome) => options.log(`task ${end.taskRef} ended (exit ${end.exitCode ?? '?'}): ${outcome}${outcome === 'failed' ? `: ${describeTaskEnd(end)}` : ''}`),
      (err: unknown) => options.log(`reconcile failed: ${(err as Error).message}`),
    );
    ends.push(handled);
  };
  const processes = processLauncher({ ...options, onEnd });
  await failOrphans(options.log);
  const resumed = await resumeOptimizations();
  if (resumed) options.log(`${resumed} optimization(s) a previous server left running: resumed`);

  const poller = await pollQueue({
    queueUrl: options.queueUrl,
    batch: 5,
    label: 'job queue',
    log: options.log,
    handle: (messages) => handleJobMessages(messages, { queueUrl: options.queueUrl, launcher: processes.launcher, requeue, log: options.log }),
  });

  return {
    launcher: processes.launcher,
    /** Stops taking jobs, stops running runners, and waits until their ends are recorded. */
    async stop(): Promise<void> {
      await poller.stop();
      await processes.stopAll();
      await Promise.all(ends);
    },
  };
}
