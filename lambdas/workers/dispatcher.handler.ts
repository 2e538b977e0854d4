import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { ecsLauncher } from '../../core/aws/ecs-task-runner';
import { jobMessageId, jobQueue, parseQueueMessage } from '../../core/data/jobs/job-queue';
import { dispatchJob, failUndispatchable } from '../../core/domain/jobs/job-dispatcher';
import type { LivePorts } from '../../core/domain/live/live-service';
import type { JobMessage, QueueMessage, TaskLauncher } from '../../core/ports/task-runner';
import { config } from '../../core/shared/config';
import { logger } from '../../core/shared/logger';
import { recordEvent } from '../../core/shared/metrics';

/**
 * The dispatcher (design §7): the jobs queue's consumer. Each record is one job message, handed to
 * the domain dispatcher with the ECS launcher. A record that fails is reported back alone
 * (ReportBatchItemFailures), so SQS retries only it and dead-letters it after maxReceiveCount;
 * the other records of the batch are done.
 */
export interface DispatcherDeps {
  launcher: TaskLauncher;
  live?: () => Promise<LivePorts>;
  requeue(message: JobMessage, delaySeconds: number): Promise<void>;
}

export function dispatcher(deps: DispatcherDeps) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      const receives = Number(record.attributes?.ApproximateReceiveCount ?? 1);
      let message: QueueMessage;
      try {
        message = parseQueueMessage(record.body);
      } catch (err) {
        // Never valid, so every retry fails too: it ends in the dead-letter queue for a human.
        logger.error('Malformed job message', { messageId: record.messageId, receives, bodyLength: record.body.length, error: err });
        batchItemFailures.push({ itemIdentifier: record.messageId });
        continue;
      }
      const job = { kind: message.kind, id: jobMessageId(message) };
      try {
        const outcome = await dispatchJob(message, deps);
        logger.info('Job dispatched', {
          messageId: record.messageId,
          ...job,
          attempt: message.attempt,
          waits: 'waits' in message ? (message.waits ?? 0) : 0,
          outcome,
        });
        recordEvent('JobsDispatched', { kind: job.kind, outcome });
      } catch (err) {
        logger.error('Job dispatch failed; the queue will retry it', { messageId: record.messageId, receives, ...job, error: err });
        recordEvent('JobsDispatched', { kind: job.kind, outcome: 'error' });
        if (receives >= config().LCS_JOB_MAX_RECEIVES) await failUndispatchable(message, (err as Error).message, receives).catch(() => undefined);
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  };
}

export const handler = dispatcher({
  launcher: ecsLauncher(),
  requeue: (message, delaySeconds) => jobQueue.send(message, delaySeconds),
  // Retiring an ended deployment: its ECS service and its secret (loaded on the first such message).
  live: async () => {
    const [services, secrets] = await Promise.all([import('../../core/aws/ecs-live-services'), import('../../core/aws/secrets-manager-deployment-secrets')]);
    return { services: services.ecsLiveServices(), secrets: secrets.secretsManagerDeploymentSecrets() };
  },
});
