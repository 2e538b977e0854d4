import { CfnOutput, Duration, Lazy, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  ApiKeySourceType,
  AuthorizationType,
  type CfnAuthorizer,
  type CfnUsagePlan,
  Deployment,
  EndpointType,
  type GatewayResponse,
  type IResource,
  LogGroupLogDestination,
  MethodLoggingLevel,
  MockIntegration,
  PassthroughBehavior,
  Period,
  RequestAuthorizer,
  ResponseType,
  RestApi,
  Stage,
  UsagePlan,
} from 'aws-cdk-lib/aws-apigateway';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct, IConstruct } from 'constructs';
import { routes as routeTable } from '../../lambdas/api/routes';
import type { RouteDef, RouteGroup } from '../../lambdas/api/routes/route-types';
import type { Settings } from '../config/settings';
import { ApiFunction, type DataRefs } from '../constructs/api-function';
import { FirstAdmin } from '../constructs/first-admin';
import { RealtimeApi } from '../constructs/realtime-api';
import { pascal, prefix, removalPolicy, retentionDays } from '../naming';
import { API_BASE_PATH, ApiGroupStack, ROUTE_METHODS } from './api-group-stack';
import { apiUrlParameterName, type JobsStack } from './jobs-stack';
import type { JwtIssuer, StatefulStack } from './stateful-stack';

export const AUTHORIZER_ENTRY = 'lambdas/auth/authorizer.handler.ts';
/** Bodies that arrive base64-encoded (lean-cli's project upload is multipart). */
export const BINARY_MEDIA_TYPES = ['multipart/form-data', 'application/octet-stream'];

/**
 * Gateway responses in the QuantConnect envelope (contract §1.4). lean-cli reads only 2xx bodies,
 * prints "invalid credentials" for an error starting "Hash doesn't match." and takes HTTP 500 to
 * mean invalid credentials: authentication failures are HTTP 200, and nothing here answers 500.
 * `errors` is the JSON text inside the errors array ($context variables are substituted; the
 * authorizer's messages contain no double quotes or backslashes).
 */
export interface GatewayResponseSpec {
  type: ResponseType;
  /** Omitted: the response keeps API Gateway's own status code. */
  statusCode?: string;
  errors: string;
}

const quoted = (text: string) => JSON.stringify(text);

export const GATEWAY_RESPONSES: readonly GatewayResponseSpec[] = [
  // The authorizer's Deny: its context.message starts "Hash doesn't match." (lambdas/auth).
  { type: ResponseType.ACCESS_DENIED, statusCode: '200', errors: quoted('$context.authorizer.message') },
  { type: ResponseType.UNAUTHORIZED, statusCode: '200', errors: quoted("Hash doesn't match. No credentials were sent.") },
  // Authenticated, but the organisation has no API key on the usage plan (created by lcs admin / the first-admin resource).
  {
    type: ResponseType.INVALID_API_KEY,
    statusCode: '200',
    errors: quoted("This organization is not enabled on this server's usage plan (no API key for it); ask the server's administrator to add it."),
  },
  { type: ResponseType.THROTTLED, statusCode: '429', errors: quoted('Too many requests: the rate limit was exceeded; retry shortly.') },
  { type: ResponseType.QUOTA_EXCEEDED, statusCode: '429', errors: quoted("The organization's daily request quota is used up; it resets at 00:00 UTC.") },
  // The authorizer crashed or timed out: 503, so lean-cli retries instead of reporting bad credentials.
  { type: ResponseType.AUTHORIZER_FAILURE, statusCode: '503', errors: quoted('Authentication is unavailable; retry shortly. Request id: $context.requestId') },
  {
    type: ResponseType.AUTHORIZER_CONFIGURATION_ERROR,
    statusCode: '503',
    errors: quoted('Authentication is misconfigured on this server. Request id: $context.requestId'),
  },
  { type: ResponseType.API_CONFIGURATION_ERROR, statusCode: '503', errors: quoted('The API is misconfigured on this server. Request id: $context.requestId') },
  // No such resource or method (an endpoint this server does not implement): 404 as in local mode.
  { type: ResponseType.MISSING_AUTHENTICATION_TOKEN, statusCode: '404', errors: quoted('Unknown endpoint: $context.httpMethod $context.path') },
  // 413 is what lean-cli turns into "uploaded files exceed the size limit".
  { type: ResponseType.REQUEST_TOO_LARGE, statusCode: '413', errors: quoted("The request is larger than API Gateway's 10 MB limit.") },
  { type: ResponseType.DEFAULT_4XX, errors: '$context.error.messageString' },
  { type: ResponseType.DEFAULT_5XX, errors: `$context.error.messageString, ${quoted('Request id: $context.requestId')}` },
];

export function envelopeTemplate(spec: GatewayResponseSpec): string {
  return `{"success": false, "errors": [${spec.errors}]}`;
}

const NOT_UNDER_V2 = '{"success": false, "errors": ["Not found: the API is served under /api/v2/"]}';

/**
 * Access log line: who called what, the outcome and the latencies, one JSON object per request.
 * `$context.path` has no query string, so the `?authorization=` credential form is never logged.
 */
const ACCESS_LOG = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    extendedRequestId: '$context.extendedRequestId',
    requestTimeEpoch: '$context.requestTimeEpoch',
    ip: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    method: '$context.httpMethod',
    path: '$context.path',
    resourcePath: '$context.resourcePath',
    status: '$context.status',
    responseLength: '$context.responseLength',
    latencyMs: '$context.responseLatency',
    integrationLatencyMs: '$context.integrationLatency',
    authorizerLatencyMs: '$context.authorizer.integrationLatency',
    authorizerStatus: '$context.authorizer.status',
    principalId: '$context.authorizer.principalId',
    apiKeyId: '$context.identity.apiKeyId',
    errorType: '$context.error.responseType',
    error: '$context.error.message',
    xrayTraceId: '$context.xrayTraceId',
  }),
);

/** Resource paths (under /api/v2) that routes of more than one group pass through: created here, shared. */
export function sharedResourcePaths(routes: readonly RouteDef[]): string[] {
  const groups = new Map<string, Set<RouteGroup>>();
  for (const route of routes) {
    const segments = route.path.split('/');
    for (let i = 1; i <= segments.length; i++) {
      const path = segments.slice(0, i).join('/');
      groups.set(path, (groups.get(path) ?? new Set()).add(route.group));
    }
  }
  return [...groups]
    .filter(([, g]) => g.size > 1)
    .map(([path]) => path)
    .sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
}

/** A construct's resource as it will be written in its own stack's template. */
function cloudFormationOf(construct: IConstruct): unknown {
  const resource = (construct.node.defaultChild ?? construct) as unknown as { _toCloudFormation(): unknown };
  return Stack.of(construct).resolve(resource._toCloudFormation());
}

/** The authorizer's view of the deployment's authentication settings (core/shared/config.ts). */
export function authorizerEnvironment(settings: Settings, jwt: JwtIssuer): Record<string, string> {
  const { auth } = settings;
  return {
    LCS_HASH_MAX_AGE_SECONDS: String(auth.hashMaxAgeSeconds),
    LCS_HASH_MAX_AHEAD_SECONDS: String(auth.hashMaxAheadSeconds),
    LCS_BASIC_AUTH: String(auth.basicAuth),
    LCS_JWT_ISSUER: jwt.issuer,
    ...(jwt.audience ? { LCS_JWT_AUDIENCE: jwt.audience } : {}),
    ...(jwt.jwksUrl ? { LCS_JWT_JWKS_URL: jwt.jwksUrl } : {}),
    LCS_JWT_USER_CLAIM: auth.jwtUserClaim,
    LCS_JWT_REQUIRE_EMAIL_VERIFIED: String(auth.jwtRequireEmailVerified),
    // Per authorizer instance (its memory); API Gateway's throttling and the optional WAF rule bound the rest.
    LCS_AUTH_FAILURES_BURST: String(auth.failureBurst),
    LCS_AUTH_FAILURES_PER_MINUTE: String(auth.failuresPerMinute),
    // Seconds an accepted credential may be trusted in memory (the local server's LCS_AUTH_CACHE_SECONDS).
    LCS_AUTH_CACHE_SECONDS: String(auth.authorizerCacheSeconds),
  };
}

export interface ApiStackProps extends StackProps {
  settings: Settings;
  stateful: StatefulStack;
  /** The jobs queue and cluster: routes that declare `access.jobs` send to it (and stop tasks). */
  jobs: JobsStack;
  /** @default the route table (lambdas/api/routes/index.ts) */
  routes?: readonly RouteDef[];
}

/**
 * The REST API (design §2): a regional RestApi with access logs and X-Ray, the REQUEST authorizer,
 * gateway responses in the QuantConnect envelope, one nested stack of endpoint functions per route
 * group, the deployment and stage, the per-organisation usage plan, and the first admin.
 */
export class ApiStack extends Stack {
  readonly restApi: RestApi;
  readonly stage: Stage;
  readonly deployment: Deployment;
  readonly usagePlan: UsagePlan;
  readonly authorizer: RequestAuthorizer;
  readonly authorizerFunction: ApiFunction;
  readonly groups = new Map<RouteGroup, ApiGroupStack>();
  readonly gatewayResponses: GatewayResponse[] = [];
  readonly firstAdmin: FirstAdmin;
  readonly accessLogs: LogGroup;
  /** Real-time updates: the WebSocket API, its authorizer, routes and publisher (docs/realtime.md). */
  readonly realtime: RealtimeApi;
  /** The API base URL for the runner tasks (LEAN's api-url), read by ECS when a task starts. */
  readonly apiUrlParameter: StringParameter;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { settings, stateful } = props;
    const routes = props.routes ?? routeTable;
    const name = prefix(settings);
    const data: DataRefs = stateful.dataRefs();

    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: retentionDays(settings.logRetentionDays), removalPolicy: removalPolicy(settings) });

    this.restApi = new RestApi(this, 'RestApi', {
      restApiName: name,
      description: `Lean Cloud Server ${settings.stage}: QuantConnect REST API v2`,
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      // Deployed below, after every nested stack's methods exist.
      deploy: false,
      // Execution and access logging need the account's API Gateway CloudWatch role. It is an
      // account-wide setting other APIs may rely on, so it outlives this stack.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      // The authorizer names the organisation's API key (its value is the organisation id).
      apiKeySourceType: ApiKeySourceType.AUTHORIZER,
      binaryMediaTypes: BINARY_MEDIA_TYPES,
    });
    Validations.of(this.restApi).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: "The account-level API Gateway logging role uses AWS's AmazonAPIGatewayPushToCloudWatchLogs, the policy made for exactly this service role.",
    });
    Validations.of(this.restApi).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        "Each endpoint's function validates its input with the route's zod schema and answers HTTP 200 with the QuantConnect envelope (contract §1.4); API Gateway validation would answer 400 with its own body.",
    });
    if (settings.authFailureWaf) {
      throw new Error('authFailureWaf: the WAF rate rule on failed authentication is not implemented yet; set it to false.');
    }
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'Per-organisation usage plans and a stage throttle limit traffic; the optional WAF (authFailureWaf) is off in this deployment to keep idle cost near zero.',
    });
    // Every method authenticates with the REQUEST authorizer (QuantConnect hash, API key + secret,
    // Bearer JWT from Cognito or another issuer, Basic): a Cognito authorizer cannot verify the
    // hash LEAN and lean-cli send.
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-COG4',
      reason:
        'Methods use the REQUEST Lambda authorizer, which also verifies Cognito JWTs; a Cognito authorizer cannot verify the QuantConnect hash LEAN and lean-cli send.',
    });

    // "/" answers like the local server outside /api/v2 (a RestApi also needs one method of its own).
    const rootMethod = this.restApi.root.addMethod(
      'ANY',
      new MockIntegration({
        passthroughBehavior: PassthroughBehavior.NEVER,
        requestTemplates: { 'application/json': '{"statusCode": 404}' },
        integrationResponses: [
          {
            statusCode: '404',
            responseTemplates: { 'application/json': NOT_UNDER_V2 },
            responseParameters: { 'method.response.header.Content-Type': "'application/json'" },
          },
        ],
      }),
      {
        authorizationType: AuthorizationType.NONE,
        methodResponses: [{ statusCode: '404', responseParameters: { 'method.response.header.Content-Type': true } }],
      },
    );
    Validations.of(rootMethod).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'A fixed 404 pointing to /api/v2/ (mock integration): no data, nothing to authorise.',
    });

    for (const spec of GATEWAY_RESPONSES) {
      this.gatewayResponses.push(
        this.restApi.addGatewayResponse(`Response${pascal(spec.type.responseType)}`, {
          type: spec.type,
          ...(spec.statusCode ? { statusCode: spec.statusCode } : {}),
          responseHeaders: { 'Content-Type': "'application/json'", 'Cache-Control': "'no-store'" },
          templates: { 'application/json': envelopeTemplate(spec) },
        }),
      );
    }

    // The authorizer.
    this.authorizerFunction = new ApiFunction(this, 'AuthorizerFn', {
      entry: AUTHORIZER_ENTRY,
      settings,
      description: 'REQUEST authorizer: QuantConnect hash, API key + secret, Bearer JWT, Basic',
      // On every request's path: more memory is more CPU for hashing and KMS round trips.
      memorySize: 512,
      timeout: Duration.seconds(10),
    })
      // Loads the user (Query), the API key (GetItem), records its last use (UpdateItem).
      .bindTable(data, ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'])
      .bindTokenKey(data, 'decrypt');
    for (const [key, value] of Object.entries(authorizerEnvironment(settings, stateful.jwt))) this.authorizerFunction.addEnvironment(key, value);

    // Clients authenticate with different headers: Authorization + Timestamp (QuantConnect hash),
    // X-API-Key + X-API-Secret, Authorization: Bearer/Basic, or the ?authorization=&timestamp=
    // query form. API Gateway answers 401 without calling a REQUEST authorizer when any declared
    // identity source is missing, so none is declared; without identity sources API Gateway
    // cannot cache results, hence TTL 0. Caching is the authorizer function's job: it keeps
    // decrypted API tokens in memory (LCS_TOKEN_CACHE_SECONDS), and verified credentials in the
    // same cache as the local server (lambdas/auth/credential-cache.ts: keyed on a hash of the
    // credentials, at most LCS_AUTH_CACHE_SECONDS = settings.auth.authorizerCacheSeconds, never
    // past the QuantConnect hash window), so revocations and the window apply exactly as in local
    // mode.
    this.authorizer = new RequestAuthorizer(this, 'Authorizer', {
      authorizerName: `${name}-authorizer`,
      handler: this.authorizerFunction.function,
      identitySources: [],
      resultsCacheTtl: Duration.seconds(0),
    });
    (this.authorizer.node.defaultChild as CfnAuthorizer).addPropertyDeletionOverride('IdentitySource');

    // /api/v2 and any resource several groups share live here; the rest in the group stacks.
    const v2 = this.restApi.root.resourceForPath(API_BASE_PATH);
    const shared: Record<string, string> = {};
    const sharedResources: IResource[] = [];
    for (const path of sharedResourcePaths(routes)) {
      const resource = v2.resourceForPath(path);
      shared[path] = resource.resourceId;
      sharedResources.push(resource);
    }

    // The jobs stack's syntax-check function, for the groups whose routes invoke it.
    const syntaxCheck = props.jobs.syntaxCheckRefs();

    const groupNames = [...new Set(routes.map((r) => r.group))];
    for (const group of groupNames) {
      this.groups.set(
        group,
        new ApiGroupStack(this, `${pascal(group)}Routes`, {
          description: `Lean Cloud Server ${settings.stage}: ${group} endpoints`,
          group,
          routes: routes.filter((r) => r.group === group),
          settings,
          restApiId: this.restApi.restApiId,
          rootResourceId: this.restApi.restApiRootResourceId,
          v2ResourceId: v2.resourceId,
          sharedResources: shared,
          authorizer: this.authorizer,
          data,
          jobs: props.jobs.jobsRefs(),
          ...(routes.some((r) => r.group === group && r.access.objectZips) ? { zips: props.jobs.zipQueueRefs() } : {}),
          ...(routes.some((r) => r.group === group && r.access.live) ? { live: props.jobs.live } : {}),
          ...(routes.some((r) => r.group === group && r.access.syntaxCheck) ? { syntaxCheck } : {}),
        }),
      );
    }

    // The deployment snapshots every method, so it waits for all of them, and gets a new logical
    // id (a new deployment) whenever what it snapshots changes.
    this.deployment = new Deployment(this, 'Deployment', { api: this.restApi, description: `${name} (managed by CloudFormation)` });
    for (const dependency of [...this.groups.values(), rootMethod, this.authorizer, ...sharedResources, ...this.gatewayResponses]) {
      this.deployment.node.addDependency(dependency);
    }
    this.deployment.addToLogicalId({
      routes: routes.map((r) => ({ path: r.path, group: r.group, role: r.role, entry: r.entry })),
      responses: GATEWAY_RESPONSES.map((s) => ({ type: s.type.responseType, statusCode: s.statusCode, body: envelopeTemplate(s) })),
      binary: BINARY_MEDIA_TYPES,
      root: NOT_UNDER_V2,
    });
    // The methods live in nested stacks on an imported RestApi, which CDK does not fingerprint:
    // without this, a changed integration, option or authorizer would deploy, and the stage would
    // keep serving the old snapshot. Resolved at synthesis, after cross-stack references are wired.
    const snapshotted: IConstruct[] = [
      rootMethod,
      this.authorizer,
      ...this.gatewayResponses,
      ...[...this.groups.values()].flatMap((g) => [...g.methods.values()].flat()),
    ];
    this.deployment.addToLogicalId(Lazy.any({ produce: () => snapshotted.map(cloudFormationOf) }));

    this.stage = new Stage(this, 'Stage', {
      deployment: this.deployment,
      stageName: settings.stage,
      description: `Lean Cloud Server ${settings.stage}`,
      tracingEnabled: true,
      accessLogDestination: new LogGroupLogDestination(this.accessLogs),
      accessLogFormat: ACCESS_LOG,
      // Errors only, and never request or response bodies (credentials, project code).
      loggingLevel: MethodLoggingLevel.ERROR,
      dataTraceEnabled: false,
      metricsEnabled: false,
      throttlingRateLimit: settings.apiThrottle.ratePerSecond,
      throttlingBurstLimit: settings.apiThrottle.burst,
    });
    this.restApi.deploymentStage = this.stage;
    // API Gateway writes execution logs (errors only) to a group of this name, which it would create
    // itself without retention; created here first, it keeps the configured retention.
    const executionLogs = new LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.restApi.restApiId}/${settings.stage}`,
      retention: retentionDays(settings.logRetentionDays),
      removalPolicy: removalPolicy(settings),
    });
    this.stage.node.addDependency(executionLogs);

    // Per-organisation limits: the authorizer returns the organisation id as usage identifier,
    // which selects that organisation's API key (value = organisation id) on this plan.
    const { rateLimit } = settings;
    this.usagePlan = new UsagePlan(this, 'UsagePlan', {
      name,
      description: `Lean Cloud Server ${settings.stage}: per-organisation rate limits (one API key per organisation, value = organisation id)`,
      apiStages: [{ api: this.restApi, stage: this.stage }],
      throttle: { rateLimit: rateLimit.ratePerSecond, burstLimit: rateLimit.burst },
      ...(rateLimit.dailyQuota > 0 ? { quota: { limit: rateLimit.dailyQuota, period: Period.DAY } } : {}),
    });
    // data/read's own per-organisation limit (issue 20 item 14): LEAN fetches every data file it
    // lacks with one data/read and treats a 429 as a missing file, so a backtest loading data
    // must not be held to the general limit. A method throttle overrides the plan's for that
    // method. Set on the CloudFormation resource: the methods live in the group stacks, and
    // UsagePlan's typed `throttle` takes Method objects of this RestApi only.
    (this.usagePlan.node.defaultChild as CfnUsagePlan).addPropertyOverride(
      'ApiStages.0.Throttle',
      Object.fromEntries(
        ROUTE_METHODS.map((verb) => [
          `/${API_BASE_PATH}/data/read/${verb}`,
          { RateLimit: rateLimit.dataRead.ratePerSecond, BurstLimit: rateLimit.dataRead.burst },
        ]),
      ),
    );

    this.realtime = new RealtimeApi(this, 'Realtime', {
      settings,
      data,
      tableStreamArn: stateful.tableStreamArn,
      authEnvironment: authorizerEnvironment(settings, stateful.jwt),
    });
    // Its stage logs through the account's API Gateway CloudWatch role, which the REST API sets.
    const account = this.restApi.node.tryFindChild('Account');
    if (account) this.realtime.stage.node.addDependency(account);

    this.firstAdmin = new FirstAdmin(this, 'FirstAdmin', { settings, data, key: stateful.key, usagePlan: this.usagePlan });

    const apiUrl = `${this.stage.urlForPath('/')}${API_BASE_PATH}/`;
    this.apiUrlParameter = new StringParameter(this, 'ApiUrlParameter', {
      parameterName: apiUrlParameterName(settings),
      stringValue: apiUrl,
      description: `Lean Cloud Server ${settings.stage}: the API base URL, LEAN's api-url in runner tasks`,
    });

    const output = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    output('ApiUrl', apiUrl, "The API base URL (lean-cli's and LEAN's api-url)");
    output('RestApiId', this.restApi.restApiId, 'REST API id');
    output('WebSocketUrl', this.realtime.url, 'Real-time updates: the WebSocket API (docs/realtime.md)');
    output('UsagePlanId', this.usagePlan.usagePlanId, "Usage plan that organisations' API keys are attached to");
    output('TableName', stateful.table.tableName, 'DynamoDB table');
    output('ArtifactsBucketName', stateful.artifactsBucket.bucketName, 'Artifacts bucket');
    output('DataBucketName', stateful.dataBucket.bucketName, 'Market data bucket (lcs data push)');
    output('ObjectsBucketName', stateful.objectsBucket.bucketName, 'Object store bucket');
    output('KmsKeyId', stateful.key.keyId, 'KMS key of the table, the buckets and API tokens');
    output('FirstAdminSecretName', this.firstAdmin.secret.secretName, "Secret holding the first admin's API token");
    if (stateful.userPool && stateful.userPoolClient) {
      output('UserPoolId', stateful.userPool.userPoolId, 'Cognito user pool (Bearer JWT issuer)');
      output('UserPoolClientId', stateful.userPoolClient.userPoolClientId, 'Cognito app client for SRP sign-in (lcs, scripts)');
    }
  }
}
