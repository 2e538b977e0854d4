import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { auditRepository } from '../../core/data/identity/audit-repository';
import { assertJobScope } from '../../core/domain/identity/job-credential';
import type { DeploymentSecrets, LiveServices } from '../../core/ports/live-services';
import type { TaskLauncher } from '../../core/ports/task-runner';
import { requireBindings } from '../../core/shared/config';
import { type Envelope, envelopeJson, errorEnvelope, okEnvelope, type Payload } from '../../core/shared/envelope';
import { AppError, AuthError } from '../../core/shared/errors';
import { logger } from '../../core/shared/logger';
import { recordRequest } from '../../core/shared/metrics';
import { type Principal, principalFromContext } from '../../core/shared/principal';
import type * as z from '../../core/shared/zod';
import { type RouteDef, routeBindings } from './routes/route-types';
import { parseParams } from './schema';
import { requestParams } from './transport';

/**
 * The one request pipeline (design §4). Every endpoint is `apiHandler(route, run)`: `run` gets the
 * validated input and the caller; parsing, validation, the envelope, error mapping and the audit
 * event happen here and nowhere else. The handler runs unchanged behind API Gateway and in the
 * local server, which builds the same proxy event.
 */
export interface AuditNote {
  orgId?: string;
  target?: string;
  detail?: Record<string, unknown>;
}

export interface CallContext {
  route: RouteDef;
  principal: Principal;
  requestId: string;
  sourceIp: string;
  /** The handler names what it changed; the pipeline records it after success. */
  audit: AuditNote;
}

export type RouteRun<S extends z.ZodMiniType> = (input: z.output<S>, ctx: CallContext) => Promise<Payload | undefined>;

/**
 * What an endpoint needs from where it runs, besides storage: the task runner that stops runner
 * tasks (ECS in AWS, child processes in local mode). Injected, never looked up: a handler that
 * needs it is built with `apiHandlerWithPorts` and AWS defaults; the local server rebinds every
 * handler to its own ports with `withPorts`.
 */
export interface ApiPorts {
  tasks(): Promise<TaskLauncher>;
  /** Live runners and their secrets (design §8): ECS services and Secrets Manager in AWS, supervised children locally. */
  live(): Promise<{ services: LiveServices; secrets: DeploymentSecrets }>;
}

type LambdaHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** A Lambda handler that can be rebound to other ports (the local server's). */
export type ApiLambda = LambdaHandler & { withPorts(ports: ApiPorts): LambdaHandler };

interface State {
  ctx?: CallContext;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

function respond(body: Envelope): APIGatewayProxyResult {
  return { statusCode: 200, headers: JSON_HEADERS, body: envelopeJson(body) };
}

/** Public routes run without a caller: a principal with no memberships can reach nothing. */
const ANONYMOUS: Principal = { userId: 0, authMethod: 'api-key', credentialId: '', memberships: [] };

function envelopeErrors(route: RouteDef): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: async (request) => {
      const err = request.error;
      recordRequest(route.path, err instanceof AppError ? err.category : 'internal');
      if (err instanceof AppError) {
        request.response = respond(errorEnvelope(err.details, err.payload));
        return;
      }
      // Anything unexpected: logged in full with the request id; the client gets the id only.
      const requestId = request.context?.awsRequestId ?? 'unknown';
      logger.error('unhandled error', { requestId, path: request.event?.path, error: err as Error });
      request.response = respond(errorEnvelope([`Internal error. Request id: ${requestId}`]));
    },
  };
}

/** An endpoint that needs nothing from its environment but storage. */
export function apiHandler<S extends z.ZodMiniType>(route: RouteDef<S>, run: RouteRun<S>): ApiLambda {
  const handler = pipeline(route, run);
  return Object.assign(handler, { withPorts: () => handler });
}

/** An endpoint that uses ports; `defaults` are AWS's, loaded on first use. */
export function apiHandlerWithPorts<S extends z.ZodMiniType>(
  route: RouteDef<S>,
  defaults: ApiPorts,
  run: (input: z.output<S>, ctx: CallContext, ports: ApiPorts) => Promise<Payload | undefined>,
): ApiLambda {
  const bind = (ports: ApiPorts) => pipeline(route, (input, ctx) => run(input, ctx, ports));
  return Object.assign(bind(defaults), { withPorts: bind });
}

function pipeline<S extends z.ZodMiniType>(route: RouteDef<S>, run: RouteRun<S>): LambdaHandler {
  // Module init of the handler file: a function deployed without a resource its route declares
  // fails its cold start, naming the variable, instead of its first request reaching for it.
  requireBindings(routeBindings(route.access));
  const states = new WeakMap<object, State>();
  const core = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    const principal = route.role === 'public' ? ANONYMOUS : principalFromContext(event.requestContext?.authorizer);
    // Behind API Gateway the authorizer already refused; this guards a misconfigured integration.
    if (!principal) throw new AuthError('No authenticated caller.');
    if (principal.job) assertJobScope(principal.job, route.path);
    const parsed = parseParams(route.schema, await requestParams(event));
    if (!parsed.ok) {
      recordRequest(route.path, 'invalid');
      return respond(errorEnvelope(parsed.errors));
    }
    // A job credential (LEAN's) reaches only its job's endpoints, organisation and project.
    if (principal.job) assertJobScope(principal.job, route.path, parsed.data ?? {});
    const ctx: CallContext = {
      route,
      principal,
      requestId: context.awsRequestId,
      sourceIp: event.requestContext?.identity?.sourceIp ?? '',
      audit: {},
    };
    states.set(event, { ctx });
    const payload = await run(parsed.data, ctx);
    recordRequest(route.path, 'ok');
    return respond(okEnvelope(payload ?? {}));
  };

  const auditEvents: MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> = {
    after: async (request) => {
      const ctx = states.get(request.event)?.ctx;
      if (!route.mutating || !ctx) return;
      const orgId = ctx.audit.orgId ?? ctx.principal.preferredOrgId;
      if (!orgId) return;
      try {
        await auditRepository.record({
          orgId,
          at: new Date().toISOString(),
          requestId: ctx.requestId,
          userId: ctx.principal.userId,
          authMethod: ctx.principal.authMethod,
          credentialId: ctx.principal.credentialId,
          action: route.path,
          target: ctx.audit.target,
          sourceIp: ctx.sourceIp,
          detail: ctx.audit.detail,
        });
      } catch (error) {
        // The change is already made; failing the call now would mislead the client.
        logger.error('audit write failed', { requestId: ctx.requestId, action: route.path, error: error as Error });
      }
    },
  };

  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>({ timeoutEarlyInMillis: 0 }).use(auditEvents).use(envelopeErrors(route)).handler(core);
}
