import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { requireBindings } from '../../core/shared/config';
import { AppError } from '../../core/shared/errors';
import { logger } from '../../core/shared/logger';
import { recordAuthFailure } from '../../core/shared/metrics';
import { principalToContext } from '../../core/shared/principal';
import { cachedAuthenticator } from './credential-cache';
import { socketCredentialSource } from './socket-credentials';

/**
 * The WebSocket API's $connect authorizer (docs/realtime.md): the credentials come as query
 * parameters (a browser's WebSocket cannot send headers), are rewritten into the REST forms
 * (socket-credentials.ts) and verified by the REST authorizer's own code, cache and failure
 * budget. Allowed: the principal as context, which the $connect route stores with the connection.
 * A job credential acts for one runner and never opens a socket. Denied: API Gateway answers the
 * handshake 403 and no connection exists.
 */
requireBindings(['TABLE_NAME']);

let verify: ReturnType<typeof cachedAuthenticator> | undefined;

function policy(effect: 'Allow' | 'Deny', methodArn: string) {
  return { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: methodArn }] };
}

export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const query = event.multiValueQueryStringParameters ?? event.queryStringParameters ?? {};
  try {
    verify ??= cachedAuthenticator();
    const principal = await verify({ ...socketCredentialSource(query), sourceIp: event.requestContext?.identity?.sourceIp });
    if (principal.job) throw new AppError('auth', 'A job credential cannot open a real-time connection.');
    return { principalId: String(principal.userId), policyDocument: policy('Allow', event.methodArn), context: principalToContext(principal) };
  } catch (err) {
    if (!(err instanceof AppError)) logger.error('socket authorizer failure', { error: err as Error });
    else logger.info('real-time connection refused', { reason: err.message });
    recordAuthFailure();
    return { principalId: 'anonymous', policyDocument: policy('Deny', event.methodArn) };
  }
}
