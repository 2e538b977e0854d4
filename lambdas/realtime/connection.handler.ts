import type { APIGatewayProxyResult, APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { apiGatewayConnections } from '../../core/aws/api-gateway-connections';
import { connectionEnded, connectionMessage, connectionOpened } from '../../core/domain/realtime/socket-connections';
import { requireBindings } from '../../core/shared/config';
import { logger } from '../../core/shared/logger';
import { principalFromContext } from '../../core/shared/principal';

/**
 * The WebSocket API's routes (docs/realtime.md): $connect records the connection with the
 * principal its authorizer resolved; $default handles subscribe/unsubscribe/ping, answering
 * through the @connections API; $disconnect removes the connection and its subscriptions.
 */
requireBindings(['TABLE_NAME']);

type Event = APIGatewayProxyWebsocketEventV2 & { requestContext: { authorizer?: Record<string, unknown> } };

const ok: APIGatewayProxyResult = { statusCode: 200, body: '' };

export async function handler(event: Event): Promise<APIGatewayProxyResult> {
  const { routeKey, connectionId, domainName, stage } = event.requestContext;
  switch (routeKey) {
    case '$connect': {
      const principal = principalFromContext(event.requestContext.authorizer);
      // The authorizer allowed it, so this cannot happen; refused rather than stored without an owner.
      if (!principal) return { statusCode: 403, body: '' };
      await connectionOpened(connectionId, principal);
      return ok;
    }
    case '$disconnect':
      await connectionEnded(connectionId);
      return ok;
    default: {
      const sender = apiGatewayConnections({ callbackUrl: `https://${domainName}/${stage}`, region: process.env.AWS_REGION ?? '' });
      try {
        await connectionMessage(connectionId, event.body ?? '', sender);
      } catch (err) {
        logger.error('real-time message failed', { connectionId, error: err as Error });
      }
      return ok;
    }
  }
}
