import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { handleZipMessage } from '../../core/domain/objects/object-download';
import { requireBindings } from '../../core/shared/config';
import { logger } from '../../core/shared/logger';

/**
 * The zip worker (object/get, core/domain/objects/object-download.ts): the zip queue's consumer.
 * Each record is one zip job, streamed from the object store into a multipart upload. A record
 * that fails is reported back alone (ReportBatchItemFailures), so SQS retries only it and
 * dead-letters it after maxReceiveCount; its job is marked failed on the last delivery.
 */
requireBindings(['TABLE_NAME', 'OBJECTS_BUCKET_NAME']);

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    const receives = Number(record.attributes?.ApproximateReceiveCount ?? 1);
    const started = Date.now();
    try {
      const { jobId, outcome } = await handleZipMessage(record.body, receives);
      logger.info('Zip job handled', { messageId: record.messageId, jobId, outcome, ms: Date.now() - started });
    } catch (err) {
      logger.error('Zip job failed; the queue will retry it', { messageId: record.messageId, receives, error: err });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
