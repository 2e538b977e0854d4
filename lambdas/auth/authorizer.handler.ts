import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { assertJobScope, JOB_ROUTES } from '../../core/domain/identity/job-credential';
import { requireBindings } from '../../core/shared/config';
import { AppError } from '../../core/shared/errors';
import { logger } from '../../core/shared/logger';
import { recordAuthFailure } from '../../core/shared/metrics';
import { principalToContext } from '../../core/shared/principal';
import { cachedAuthenticator } from './credential-cache';

/**
 * API Gateway REQUEST authorizer. Allows with the principal as flat context and the
 * organisation as usage identifier (per-organisation rate limits). Denies with the failure text
 * in context, which the ACCESS_DENIED gateway response renders as the QuantConnect envelope with
 * HTTP 200, so lean-cli prints "invalid credentials" (contract §1.4).
 */
function apiWideArn(methodArn: string): string {
  // arn:aws:execute-api:region:account:apiId/stage/METHOD/path → allow the whole stage, since the
  // cached decision is reused for every route the same credentials call.
  const [prefix, stage] = methodArn.split('/');
  return `${prefix}/${stage}/*/*`;
}

/**
 * A job credential's decision allows only the endpoints a job may call (the pipeline checks them
 * again, with the job's organisation and project): `*` spans the method and the /api/v2 base.
 */
function jobArns(methodArn: string): string[] {
  const [prefix, stage] = methodArn.split('/');
  return Object.keys(JOB_ROUTES).map((path) => `${prefix}/${stage}/*/*/${path}`);
}

/** `…/stage/POST/api/v2/projects/create` → `projects/create`. */
function endpointOf(methodArn: string): string {
  return methodArn
    .split('/')
    .slice(3)
    .join('/')
    .replace(/^api\/v2\/+/i, '')
    .replace(/\/+$/, '');
}

// Cold start: without its table this function can do nothing; say so at once, naming the variable.
requireBindings(['TABLE_NAME']);

let verify: ReturnType<typeof cachedAuthenticator> | undefined;

/** API Gateway splices the message into its JSON template unescaped: keep quotes and backslashes out. */
function templateSafe(message: string): string {
  return message.replace(/["\\]/g, "'");
}

export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const headers = event.headers ?? {};
  // Every value of a repeated parameter: credentials sent twice are refused (credentials.ts).
  const query = event.multiValueQueryStringParameters ?? event.queryStringParameters ?? {};
  try {
    verify ??= cachedAuthenticator();
    const principal = await verify({ headers, query, sourceIp: event.requestContext?.identity?.sourceIp });
    // Refused here with the reason, rather than by the policy below with API Gateway's bare 403.
    if (principal.job) assertJobScope(principal.job, endpointOf(event.methodArn));
    return {
      principalId: String(principal.userId),
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: principal.job ? jobArns(event.methodArn) : apiWideArn(event.methodArn) }],
      },
      context: principalToContext(principal),
      usageIdentifierKey: principal.preferredOrgId,
    };
  } catch (err) {
    const message = err instanceof AppError ? err.message : "Hash doesn't match. Authentication is unavailable; retry shortly.";
    if (!(err instanceof AppError)) logger.error('authorizer failure', { error: err as Error });
    recordAuthFailure();
    return {
      principalId: 'anonymous',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: event.methodArn }] },
      context: { message: templateSafe(message) },
    };
  }
}
