import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { apiGatewayConnections } from '../../core/aws/api-gateway-connections';
import { publishChange } from '../../core/domain/realtime/socket-connections';
import { requireBindings } from '../../core/shared/config';
import { logger } from '../../core/shared/logger';

/**
 * Pushes every written backtest and live deployment to its subscribers (docs/realtime.md): the
 * table's stream, filtered by the event source mapping to BACKTEST# and LIVE# items, is the one
 * place every writer's change passes (the runner, the dispatcher, the reconciler, a stop), so no
 * writer changes and only this function may post to connections. Records are handled in order;
 * a failed record is reported alone (ReportBatchItemFailures) and retried from there.
 */
requireBindings(['TABLE_NAME', 'ARTIFACTS_BUCKET_NAME']);
const callbackUrl = process.env.WEBSOCKET_CALLBACK_URL;
if (!callbackUrl) throw new Error('WEBSOCKET_CALLBACK_URL is not set: the publisher does not know where to post.');
type Image = Parameters<typeof publishChange>[1];
const sender = apiGatewayConnections({ callbackUrl, region: process.env.AWS_REGION ?? '' });

export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  for (const record of event.Records) {
    const after = record.dynamodb?.NewImage;
    if (!after) continue;
    try {
      const before = record.dynamodb?.OldImage;
      await publishChange(before as Image | undefined, after as Image, sender);
    } catch (err) {
      logger.error('real-time publish failed; retried from this record', { sequence: record.dynamodb?.SequenceNumber, error: err as Error });
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
    }
  }
  return { batchItemFailures: [] };
}
