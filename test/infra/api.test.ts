import type { CfnResource } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { TABLE_SCHEMA } from '../../core/shared/table-schema';
import { routes } from '../../lambdas/api/routes';
import { type RouteDef, routeBindings } from '../../lambdas/api/routes/route-types';
import type { LcsApp } from '../../lib/app';
import { API_BASE_PATH, ROUTE_METHODS } from '../../lib/stacks/api-group-stack';
import { BINARY_MEDIA_TYPES, GATEWAY_RESPONSES } from '../../lib/stacks/api-stack';
import { buildApp, type CfnTemplate, envOf, grantsOf, type Json, logicalId, policyOf, render, statementsOf, templateOf } from './fixture';

/**
 * The API stack and its group stacks, checked against the route table: every route deployed with
 * GET and POST, the right authorisation, its own function, exactly its declared grants.
 */
let lcs: LcsApp;
let root: CfnTemplate;
const nested = new Map<string, CfnTemplate>();

beforeAll(() => {
  lcs = buildApp({ rateLimit: { ratePerSecond: 7, burst: 13, dailyQuota: 1000, dataRead: { ratePerSecond: 300, burst: 600 } } });
  root = templateOf(lcs.api).json;
  for (const [group, stack] of lcs.api.groups) nested.set(group, templateOf(stack).json);
}, 120_000);

const resourcesOf = (t: CfnTemplate, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);
/** The one resource of a type in a template. */
function only(t: CfnTemplate, type: string): { DependsOn?: string[]; Properties: Json } {
  const found = resourcesOf(t, type);
  expect(found).toHaveLength(1);
  const [, resource] = found[0]!;
  return { ...resource, Properties: resource.Properties ?? {} };
}
const INDEXES = Object.values(TABLE_SCHEMA.indexes).map((i) => i.name);

/** Expected grants of a route's function, derived from its declared access (and nothing else). */
function expectedGrants(route: RouteDef): string[] {
  const lines = [
    'logs:CreateLogStream on logs',
    'logs:PutLogEvents on logs',
    'xray:PutTelemetryRecords on *',
    'xray:PutTraceSegments on *',
    'kms:Decrypt on key via dynamodb',
  ];
  for (const action of ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem']) {
    lines.push(`${action} on table`, ...INDEXES.map((i) => `${action} on table/index/${i}`));
  }
  if (route.access.table === 'readWrite') {
    for (const action of ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'ConditionCheckItem']) lines.push(`dynamodb:${action} on table`);
    lines.push('kms:GenerateDataKey on key via dynamodb');
  }
  for (const [bucket, level] of Object.entries(route.access.buckets ?? {})) {
    lines.push(`s3:ListBucket on bucket:${bucket}`, `s3:GetObject on bucket:${bucket}/*`, 'kms:Decrypt on key via s3');
    if (level === 'readWrite') lines.push(`s3:PutObject on bucket:${bucket}/*`, `s3:DeleteObject on bucket:${bucket}/*`, 'kms:GenerateDataKey on key via s3');
  }
  if (route.access.jobs) lines.push('sqs:SendMessage on jobs-queue');
  if (route.access.jobs === 'sendAndStop') lines.push('ecs:StopTask on cluster-tasks');
  if (route.access.syntaxCheck) lines.push('lambda:InvokeFunction on syntax-check');
  if (route.access.objectZips) lines.push('sqs:SendMessage on zip-queue');
  return [...new Set(lines)].sort();
}

/** The jobs stack's outputs, which the live routes' grants reference. */
function jobsOutputs(): Record<string, unknown> {
  return Object.fromEntries(Object.entries(templateOf(lcs.jobs).json.Outputs ?? {}).map(([k, v]) => [k, v.Value]));
}

/** Full path of an API Gateway resource, following ParentId through the group stack and the root. */
function pathOf(resourceRef: unknown, groupTemplate: CfnTemplate, groupResource: Json): string {
  const parts: string[] = [];
  let ref = resourceRef as Json;
  let template = groupTemplate;
  for (;;) {
    if (ref['Fn::GetAtt']) return `/${parts.join('/')}`; // RestApi.RootResourceId
    const id = ref.Ref as string;
    const resource = template.Resources[id];
    if (resource) {
      parts.unshift(resource.Properties?.PathPart as string);
      ref = resource.Properties?.ParentId as Json;
    } else {
      // A parameter of the group stack: follow it to the parent's value.
      const value = (groupResource.Parameters as Json)[id] as Json;
      ref = value;
      template = root;
    }
  }
}

describe('routes', () => {
  const byGroup = (route: RouteDef) => {
    const stack = lcs.api.groups.get(route.group)!;
    const template = nested.get(route.group)!;
    const stackResource = root.Resources[logicalId(stack.nestedStackResource!)]!.Properties as Json;
    return { stack, template, stackResource };
  };

  test('one nested stack per route group, and every route is in its group', () => {
    expect([...lcs.api.groups.keys()].sort()).toEqual([...new Set(routes.map((r) => r.group))].sort());
    for (const route of routes) expect(lcs.api.groups.get(route.group)!.functions.has(route.path)).toBe(true);
  });

  test.each(routes.map((r) => [r.path, r] as const))('%s: GET and POST on /api/v2/<path>, authorised as declared, own function', (_path, route) => {
    const { stack, template, stackResource } = byGroup(route);
    const fn = stack.functions.get(route.path)!;
    const fnId = logicalId(fn.function.node.defaultChild!);
    const methods = resourcesOf(template, 'AWS::ApiGateway::Method').filter(([, m]) => JSON.stringify(m.Properties?.Integration).includes(`"${fnId}"`));
    expect(methods.map(([, m]) => m.Properties?.HttpMethod).sort()).toEqual([...ROUTE_METHODS].sort());
    for (const [, method] of methods) {
      const props = method.Properties as Json;
      expect(pathOf(props.ResourceId, template, stackResource)).toBe(`/${API_BASE_PATH}/${route.path}`);
      expect(props.Integration).toMatchObject({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' });
      if (route.role === 'public') {
        expect(props.AuthorizationType).toBe('NONE');
        expect(props.ApiKeyRequired).toBe(false);
        expect(props.AuthorizerId).toBeUndefined();
      } else {
        expect(props.AuthorizationType).toBe('CUSTOM');
        expect(props.ApiKeyRequired).toBe(true);
        // The authorizer id is the root stack's authorizer, passed in as a parameter.
        const param = (props.AuthorizerId as Json).Ref as string;
        expect((stackResource.Parameters as Json)[param]).toEqual({ Ref: logicalId(lcs.api.authorizer.node.defaultChild!) });
      }
    }
    // Invoke permissions: one per method, scoped to that method and path, no test-invoke ones.
    const permissions = resourcesOf(template, 'AWS::Lambda::Permission').filter(([, p]) => JSON.stringify(p.Properties?.FunctionName).includes(`"${fnId}"`));
    expect(permissions.map(([, p]) => render(p.Properties?.SourceArn).split('/').slice(1).join('/')).sort()).toEqual(
      ROUTE_METHODS.map((m) => `*/${m}/${API_BASE_PATH}/${route.path}`).sort(),
    );
  });

  test('every route has its own function', () => {
    const functions = routes.map((r) => lcs.api.groups.get(r.group)!.functions.get(r.path)!.function);
    expect(new Set(functions).size).toBe(routes.length);
  });

  test.each(routes.map((r) => [r.path, r] as const))("%s: the function's role grants exactly the declared access", (_path, route) => {
    const { stack, template } = byGroup(route);
    const fn = stack.functions.get(route.path)!;
    const document = policyOf(template, fn);
    const labels = {
      '<TableArn>': 'table',
      '<KeyArn>': 'key',
      '<ArtifactsBucketArn>': 'bucket:artifacts',
      '<DataBucketArn>': 'bucket:data',
      '<ObjectsBucketArn>': 'bucket:objects',
      [`<${logicalId(fn.logGroup.node.defaultChild!)}.Arn>`]: 'logs',
      '<JobsQueueArn>': 'jobs-queue',
      '<ObjectZipQueueArn>': 'zip-queue',
      'arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/<JobsClusterName>/*': 'cluster-tasks',
      '<SyntaxCheckFunctionArn>': 'syntax-check',
    };
    // Live routes also manage deployments' services and secrets: those grants are checked in
    // test/infra/live.test.ts; their ARNs come from the jobs stack's outputs.
    const live = /^(ecs:|iam:PassRole|secretsmanager:|kms:(GenerateDataKey|Decrypt) on key via secretsmanager)/;
    const grants = grantsOf(document, labels, jobsOutputs()).filter((g) => !(route.access.live && live.test(g)));
    expect(grants).toEqual(expectedGrants(route));
    // Stopping is confined to the jobs cluster by condition as well as by ARN.
    const stop = (document as { Statement: Json[] }).Statement.find((s) => s.Action === 'ecs:StopTask');
    expect(stop?.Condition).toEqual(route.access.jobs === 'sendAndStop' ? { ArnEquals: { 'ecs:cluster': { Ref: 'JobsClusterArn' } } } : undefined);
    // The role has no other policy (no managed policies, no inline policies).
    const role = template.Resources[logicalId(fn.role.node.defaultChild!)]!.Properties as Json;
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.Policies).toBeUndefined();
  });

  test.each(routes.map((r) => [r.path, r] as const))('%s: environment variables match the grants', (_path, route) => {
    const { stack, template } = byGroup(route);
    const fn = stack.functions.get(route.path)!;
    const env = envOf(template, fn);
    expect(env.TABLE_NAME).toEqual({ Ref: 'TableName' });
    expect('ARTIFACTS_BUCKET_NAME' in env).toBe(Boolean(route.access.buckets?.artifacts));
    expect(env.JOBS_QUEUE_URL).toEqual(route.access.jobs ? { Ref: 'JobsQueueUrl' } : undefined);
    expect(env.OBJECT_ZIP_QUEUE_URL).toEqual(route.access.objectZips ? { Ref: 'ObjectZipQueueUrl' } : undefined);
    // Stopping tasks and managing live services both name the cluster.
    expect(env.CLUSTER_ARN).toEqual(route.access.jobs === 'sendAndStop' || route.access.live ? { Ref: 'JobsClusterArn' } : undefined);
    expect(env.LCS_TOKEN_KMS_KEY_ID).toBeUndefined();
    expect(env).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'lean-cloud-server', POWERTOOLS_METRICS_NAMESPACE: 'LeanCloudServer/test', LCS_LOG_LEVEL: 'INFO' });
  });

  test.each(routes.map((r) => [r.path, r] as const))('%s: every variable its handler requires at cold start is set', (_path, route) => {
    const { stack, template } = byGroup(route);
    const env = envOf(template, stack.functions.get(route.path)!);
    for (const name of routeBindings(route.access)) expect([name, env[name]]).toEqual([name, expect.anything()]);
  });

  test('no wildcard actions, and "*" resources only where IAM has no resource type (X-Ray, task definitions), in any policy of the API', () => {
    for (const template of [root, ...nested.values()]) {
      for (const [, policy] of resourcesOf(template, 'AWS::IAM::Policy')) {
        for (const statement of statementsOf(policy)) {
          const actions = ([] as string[]).concat(statement.Action as string[]);
          for (const action of actions) expect(action).not.toMatch(/\*/);
          if (([] as unknown[]).concat(statement.Resource).includes('*')) {
            // X-Ray, and the live routes' task-definition actions, which take no resource in IAM.
            expect(actions.every((a) => a.startsWith('xray:') || /^ecs:(Describe|Register|Deregister)TaskDefinition$/.test(a))).toBe(true);
          }
        }
      }
    }
  });
});

describe('functions', () => {
  const allFunctions = () =>
    [root, ...nested.values()].flatMap((t) =>
      resourcesOf(t, 'AWS::Lambda::Function').filter(
        ([, f]) => !String((f.Properties as Json).Description ?? '').startsWith('AWS CDK resource provider framework'),
      ),
    );

  test('house defaults: Node.js 22 on ARM64, X-Ray, JSON logs in its own group, 29 s', () => {
    const functions = allFunctions();
    expect(functions.length).toBe(routes.length + 5); // + authorizer + first admin + the real-time authorizer, routes and publisher (websocket.test.ts)
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } },
      });
      // Lambda's own level filter would drop the EMF metric lines (they carry no level): the logger filters instead.
      expect(fn.Properties?.LoggingConfig).not.toHaveProperty('ApplicationLogLevel');
      const env = (fn.Properties?.Environment as { Variables: Json } | undefined)?.Variables;
      expect(env).toBeDefined();
      expect(env?.NODE_OPTIONS).toBe('--enable-source-maps');
    }
    for (const route of routes) {
      const fn = lcs.api.groups.get(route.group)!.functions.get(route.path)!;
      const props = nested.get(route.group)!.Resources[logicalId(fn.function.node.defaultChild!)]!.Properties;
      expect(props).toMatchObject({ MemorySize: 256, Timeout: 29 });
    }
  });

  test('log groups keep logs for the configured retention', () => {
    for (const template of [root, ...nested.values()]) {
      for (const [, group] of resourcesOf(template, 'AWS::Logs::LogGroup')) expect(group.Properties?.RetentionInDays).toBe(30);
    }
  });
});

describe('authorizer', () => {
  test('REQUEST authorizer without identity sources and without API Gateway caching', () => {
    const authorizer = only(root, 'AWS::ApiGateway::Authorizer');
    expect(authorizer.Properties).toMatchObject({ Type: 'REQUEST', AuthorizerResultTtlInSeconds: 0 });
    expect(authorizer.Properties.IdentitySource).toBeUndefined();
    expect(render(authorizer.Properties.AuthorizerUri)).toContain(`<${logicalId(lcs.api.authorizerFunction.function.node.defaultChild!)}.Arn>`);
  });

  test('grants: table GetItem/Query/UpdateItem, KMS Decrypt; env from the auth settings', () => {
    const statefulOutputs = Object.fromEntries(Object.entries(templateOf(lcs.stateful).json.Outputs ?? {}).map(([k, v]) => [k, v.Value]));
    const fn = lcs.api.authorizerFunction;
    const document = policyOf(root, fn);
    const labels = {
      [`<${logicalId(lcs.stateful.table.node.defaultChild!)}.Arn>`]: 'table',
      [`<${logicalId(lcs.stateful.key.node.defaultChild!)}.Arn>`]: 'key',
      [`<${logicalId(fn.logGroup.node.defaultChild!)}.Arn>`]: 'logs',
    };
    expect(grantsOf(document, labels, statefulOutputs)).toEqual(
      [
        'logs:CreateLogStream on logs',
        'logs:PutLogEvents on logs',
        'xray:PutTelemetryRecords on *',
        'xray:PutTraceSegments on *',
        'dynamodb:GetItem on table',
        'dynamodb:Query on table',
        ...INDEXES.flatMap((i) => [`dynamodb:GetItem on table/index/${i}`, `dynamodb:Query on table/index/${i}`]),
        'dynamodb:UpdateItem on table',
        'kms:Decrypt on key via dynamodb',
        'kms:Decrypt on key for purpose=lcs-api-token',
      ].sort(),
    );
    const env = envOf(root, fn);
    expect(env).toMatchObject({
      LCS_HASH_MAX_AGE_SECONDS: '7200',
      LCS_HASH_MAX_AHEAD_SECONDS: '300',
      LCS_BASIC_AUTH: 'false',
      LCS_JWT_USER_CLAIM: 'email',
      LCS_AUTH_CACHE_SECONDS: '60',
    });
    expect(env.LCS_TOKEN_KMS_KEY_ID).toBeDefined();
    expect(env.TABLE_NAME).toBeDefined();
    // Default issuer: the stack's Cognito user pool, whichever of its clients (lcs's, the console's) signed the user in.
    expect(render(env.LCS_JWT_ISSUER, statefulOutputs)).toContain(logicalId(lcs.stateful.userPool!.node.defaultChild!));
    expect(env.LCS_JWT_AUDIENCE).toBeUndefined();
  });
});

describe('gateway responses', () => {
  const responses = () => resourcesOf(root, 'AWS::ApiGateway::GatewayResponse').map(([, r]) => r.Properties as Json);
  const find = (type: string) => responses().find((r) => r.ResponseType === type)!;
  const body = (r: Json) => JSON.parse(((r.ResponseTemplates as Json)['application/json'] as string).replace('$context.error.messageString', '"x"'));

  test('authorization failures: HTTP 200 with the QuantConnect envelope', () => {
    const denied = find('ACCESS_DENIED');
    expect(denied.StatusCode).toBe('200');
    expect(body(denied)).toEqual({ success: false, errors: ['$context.authorizer.message'] });
    const unauthorized = find('UNAUTHORIZED');
    expect(unauthorized.StatusCode).toBe('200');
    expect(body(unauthorized)).toEqual({ success: false, errors: ["Hash doesn't match. No credentials were sent."] });
  });

  test('throttling is 429, every response is a JSON envelope, none is HTTP 500', () => {
    expect(find('THROTTLED').StatusCode).toBe('429');
    expect(find('QUOTA_EXCEEDED').StatusCode).toBe('429');
    for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX']) expect(find(type)).toBeDefined();
    expect(responses()).toHaveLength(GATEWAY_RESPONSES.length);
    for (const response of responses()) {
      expect(body(response)).toMatchObject({ success: false, errors: expect.any(Array) });
      expect((response.ResponseParameters as Json)['gatewayresponse.header.Content-Type']).toBe("'application/json'");
      expect(response.StatusCode).not.toBe('500');
    }
  });
});

describe('REST API, deployment, stage, usage plan', () => {
  test('regional, API keys from the authorizer, binary media types', () => {
    const api = only(root, 'AWS::ApiGateway::RestApi');
    expect(api.Properties).toMatchObject({
      EndpointConfiguration: { Types: ['REGIONAL'] },
      ApiKeySourceType: 'AUTHORIZER',
      BinaryMediaTypes: BINARY_MEDIA_TYPES,
    });
  });

  test('the deployment waits for every group stack', () => {
    const deployment = only(root, 'AWS::ApiGateway::Deployment');
    for (const stack of lcs.api.groups.values()) expect(deployment.DependsOn).toContain(logicalId(stack.nestedStackResource!));
  });

  test('stage: name from settings, X-Ray, JSON access logs, error logging, stage throttle', () => {
    const { template } = templateOf(lcs.api);
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'test',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"') },
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          ThrottlingRateLimit: 500,
          ThrottlingBurstLimit: 1000,
        }),
      ],
    });
  });

  test("usage plan with the settings' per-organisation throttle and quota", () => {
    const { template } = templateOf(lcs.api);
    template.resourceCountIs('AWS::ApiGateway::UsagePlan', 1);
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 7, BurstLimit: 13 },
      Quota: { Limit: 1000, Period: 'DAY' },
      ApiStages: [Match.objectLike({ ApiId: { Ref: logicalId(lcs.api.restApi.node.defaultChild!) } })],
    });
  });

  test("data/read has its own throttle on the plan (LEAN's data loading, issue 20 item 14), both methods", () => {
    const { template } = templateOf(lcs.api);
    const own = { RateLimit: 300, BurstLimit: 600 };
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      ApiStages: [Match.objectLike({ Throttle: Object.fromEntries(ROUTE_METHODS.map((verb) => [`/${API_BASE_PATH}/data/read/${verb}`, own])) })],
    });
    // Only data/read: every other method keeps the plan's per-organisation throttle.
    const plan = Object.values(template.findResources('AWS::ApiGateway::UsagePlan'))[0] as { Properties: { ApiStages: { Throttle: object }[] } };
    expect(Object.keys(plan.Properties.ApiStages[0]?.Throttle ?? {})).toHaveLength(ROUTE_METHODS.length);
  });

  test('no quota when the daily quota is 0; data/read keeps its default own throttle', () => {
    const other = buildApp();
    const { template } = templateOf(other.api);
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', { Throttle: { RateLimit: 50, BurstLimit: 100 }, Quota: Match.absent() });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      ApiStages: [Match.objectLike({ Throttle: Match.objectLike({ [`/${API_BASE_PATH}/data/read/POST`]: { RateLimit: 250, BurstLimit: 500 } }) })],
    });
  }, 120_000);

  test('outputs for the admin tooling', () => {
    // `PublishOutput…` are CDK's cross-stack exports for the monitoring stack, not admin outputs.
    expect(
      Object.keys(root.Outputs ?? {})
        .filter((k) => !k.startsWith('PublishOutput'))
        .sort(),
    ).toEqual(
      [
        'ApiUrl',
        'ArtifactsBucketName',
        'DataBucketName',
        'ObjectsBucketName',
        'FirstAdminSecretName',
        'KmsKeyId',
        'RestApiId',
        'TableName',
        'UsagePlanId',
        'UserPoolClientId',
        'UserPoolId',
        'WebSocketUrl',
      ].sort(),
    );
    expect(render(root.Outputs!.ApiUrl!.Value)).toMatch(/^https:\/\/<.+>\.execute-api\.<AWS::Region>\.<AWS::URLSuffix>\/<.+>\/api\/v2\/$/);
  });

  test('a change to one method, or to the authorizer, is a new deployment (the methods sit in nested stacks CDK does not fingerprint)', () => {
    const id = (t: CfnTemplate) => resourcesOf(t, 'AWS::ApiGateway::Deployment').map(([key]) => key)[0];
    const changed = buildApp();
    const method = changed.api.groups.get('projects')!.methods.get('projects/read')![0]!;
    (method.node.defaultChild as CfnResource).addPropertyOverride('ApiKeyRequired', false);
    expect(id(templateOf(changed.api).json)).not.toBe(id(root));
    const cached = buildApp();
    (cached.api.authorizer.node.defaultChild as CfnResource).addPropertyOverride('AuthorizerResultTtlInSeconds', 300);
    expect(id(templateOf(cached.api).json)).not.toBe(id(root));
    // And nothing else moves it: the same app synthesizes the same deployment.
    expect(id(templateOf(buildApp().api).json)).toBe(id(root));
  }, 240_000);

  test('a change to the route table is a new deployment', () => {
    const fewer = buildApp({}, { routes: routes.filter((r) => r.path !== 'lean/environments/read') });
    const id = (t: CfnTemplate) => resourcesOf(t, 'AWS::ApiGateway::Deployment').map(([key]) => key)[0];
    expect(id(templateOf(fewer.api).json)).toMatch(/^Deployment/);
    expect(id(templateOf(fewer.api).json)).not.toBe(id(root));
  }, 120_000);
});

describe('first admin', () => {
  test('custom resource with the settings, handler env and exact grants', () => {
    const { template } = templateOf(lcs.api);
    template.hasResourceProperties('Custom::LcsFirstAdmin', { Email: 'admin@example.com', Name: 'Administrator', Organization: 'Default Organization' });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: Match.anyValue() });

    const statefulOutputs = Object.fromEntries(Object.entries(templateOf(lcs.stateful).json.Outputs ?? {}).map(([k, v]) => [k, v.Value]));
    const admin = lcs.api.firstAdmin;
    const fn = admin.handler;
    const env = envOf(root, fn);
    for (const name of [
      'TABLE_NAME',
      'LCS_TOKEN_KMS_KEY_ID',
      'FIRST_ADMIN_SECRET_ARN',
      'USAGE_PLAN_ID',
      'FIRST_ADMIN_EMAIL',
      'FIRST_ADMIN_NAME',
      'FIRST_ADMIN_ORGANIZATION',
    ]) {
      expect(env[name]).toBeDefined();
    }
    const secretId = logicalId(admin.secret.node.defaultChild!);
    const planId = logicalId(lcs.api.usagePlan.node.defaultChild!);
    const document = policyOf(root, fn);
    const labels = {
      [`<${logicalId(lcs.stateful.table.node.defaultChild!)}.Arn>`]: 'table',
      [`<${logicalId(lcs.stateful.key.node.defaultChild!)}.Arn>`]: 'key',
      [`<${logicalId(fn.logGroup.node.defaultChild!)}.Arn>`]: 'logs',
      [`<${secretId}>`]: 'secret',
      [`<${planId}>`]: 'plan',
      'arn:<AWS::Partition>:apigateway:<AWS::Region>::': 'apigateway:',
    };
    const tableGrants = expectedGrants({ access: { table: 'readWrite' } } as RouteDef);
    expect(grantsOf(document, labels, statefulOutputs)).toEqual(
      [
        ...tableGrants,
        'kms:Encrypt on key for purpose=lcs-api-token',
        'secretsmanager:GetSecretValue on secret',
        'secretsmanager:PutSecretValue on secret',
        'kms:Decrypt on key via secretsmanager',
        'kms:GenerateDataKey on key via secretsmanager',
        'apigateway:GET on apigateway:/apikeys',
        'apigateway:POST on apigateway:/apikeys',
        'apigateway:POST on apigateway:/usageplans/plan/keys',
      ].sort(),
    );
  });
});
