import type { ConnectionSender } from '../ports/connection-sender';
import { type AwsCredentials, environmentCredentials, signRequest } from '../shared/aws-signature';

/**
 * The connection sender in AWS (port: core/ports/connection-sender.ts): `POST
 * <stage URL>/@connections/<id>` of the API Gateway management API, signed with the function's
 * role (execute-api:ManageConnections on this API's connections only). No SDK client: the project
 * does not ship @aws-sdk/client-apigatewaymanagementapi, and one signed POST is all this needs.
 * Path segments are sent encoded once (`%40connections`, the id's `=` as `%3D`): signRequest signs
 * each segment encoded twice, as SigV4 wants for every service but S3.
 */
const POST_TIMEOUT_MS = 5000;

export function apiGatewayConnections(settings: { callbackUrl: string; region: string; credentials?: AwsCredentials }): ConnectionSender {
  const base = settings.callbackUrl.replace(/\/$/, '');
  return {
    async send(connectionId, message) {
      const url = new URL(`${base}/${encodeURIComponent('@connections')}/${encodeURIComponent(connectionId)}`);
      const body = JSON.stringify(message);
      const credentials = settings.credentials ?? environmentCredentials('posting to WebSocket connections');
      const headers = signRequest({ service: 'execute-api', region: settings.region, credentials }, { method: 'POST', url, body });
      const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(POST_TIMEOUT_MS) });
      // 410 Gone: the client disconnected without API Gateway running $disconnect yet.
      if (response.status === 410) return 'gone';
      if (!response.ok) throw new Error(`API Gateway refused a post to a connection (HTTP ${response.status}): ${(await response.text()).slice(0, 200)}`);
      return 'sent';
    },
  };
}
