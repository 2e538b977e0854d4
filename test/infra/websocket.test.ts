import { Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { TABLE_SCHEMA } from '../../core/shared/table-schema';
import type { LcsApp } from '../../lib/app';
import { authorizerEnvironment } from '../../lib/stacks/api-stack';
import { buildApp, type CfnTemplate, envOf, grantsOf, type Json, logicalId, policyOf, render, templateOf } from './fixture';

/**
 * Real-time updates in AWS (lib/constructs/realtime-api.ts, docs/realtime.md): the WebSocket API's
 * $connect authorizer runs the REST verification, the routes and the publisher post only to this
 * API's connections, the publisher is fed by the table's stream filtered to backtests and live
 * deployments, the stage logs and throttles like the REST stage, and cdk-nag has nothing to say.
 */
let lcs: LcsApp;
let root: CfnTemplate;
let stateful: CfnTemplate;
let statefulOutputs: Record<string, unknown>;

beforeAll(() => {
  lcs = buildApp({ apiThrottle: { ratePerSecond: 21, burst: 42 } });
  root = templateOf(lcs.api).json;
  stateful = templateOf(lcs.stateful).json;
  statefulOutputs = Object.fromEntries(Object.entries(stateful.Outputs ?? {}).map(([k, v]) => [k, v.Value]));
}, 120_000);

const ofType = (t: CfnTemplate, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);
function only(t: CfnTemplate, type: string): Json {
  const found = ofType(t, type);
  expect(found).toHaveLength(1);
  return found[0]![1].Properties ?? {};
}
const INDEXES = Object.values(TABLE_SCHEMA.indexes).map((i) => i.name);
const apiRef = () => `<${logicalId(lcs.api.realtime.api.node.defaultChild!)}>`;

function labelsFor(fn: { logGroup: { node: { defaultChild?: unknown } } }): Record<string, string> {
  return {
    [`<${logicalId(lcs.stateful.table.node.defaultChild!)}.Arn>`]: 'table',
    [`<${logicalId(lcs.stateful.table.node.defaultChild!)}.StreamArn>`]: 'stream',
    [`<${logicalId(lcs.stateful.key.node.defaultChild!)}.Arn>`]: 'key',
    [`<${logicalId(lcs.stateful.artifactsBucket.node.defaultChild!)}.Arn>`]: 'artifacts',
    [`<${logicalId(fn.logGroup.node.defaultChild as never)}.Arn>`]: 'logs',
    [`arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:${apiRef()}`]: 'api',
  };
}

const BASE = ['logs:CreateLogStream on logs', 'logs:PutLogEvents on logs', 'xray:PutTelemetryRecords on *', 'xray:PutTraceSegments on *'];

test('the table streams both images of every change', () => {
  const table = ofType(stateful, 'AWS::DynamoDB::Table')[0]![1].Properties as Json;
  expect(table.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
});

test('a WebSocket API whose $connect route alone carries the Lambda REQUEST authorizer, with no identity sources', () => {
  expect(only(root, 'AWS::ApiGatewayV2::Api')).toMatchObject({ ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' });
  const authorizer = only(root, 'AWS::ApiGatewayV2::Authorizer');
  expect(authorizer).toMatchObject({ AuthorizerType: 'REQUEST' });
  expect(authorizer.IdentitySource).toBeUndefined();
  expect(render(authorizer.AuthorizerUri)).toContain(`<${logicalId(lcs.api.realtime.authorizerFunction.function.node.defaultChild!)}.Arn>`);
  const routes = Object.fromEntries(ofType(root, 'AWS::ApiGatewayV2::Route').map(([, r]) => [r.Properties?.RouteKey, r.Properties ?? {}]));
  expect(Object.keys(routes).sort()).toEqual(['$connect', '$default', '$disconnect']);
  expect(routes.$connect).toMatchObject({ AuthorizationType: 'CUSTOM' });
  expect(routes.$default?.AuthorizationType ?? 'NONE').toBe('NONE');
  // Only API Gateway may invoke the authorizer, for this API.
  const permissions = ofType(root, 'AWS::Lambda::Permission').map(([, r]) => r.Properties ?? {});
  const toAuthorizer = permissions.filter((p) => render(p.FunctionName).includes(logicalId(lcs.api.realtime.authorizerFunction.function.node.defaultChild!)));
  expect(toAuthorizer.length).toBeGreaterThan(0);
  for (const p of toAuthorizer) {
    expect(p.Principal).toBe('apigateway.amazonaws.com');
    expect(render(p.SourceArn)).toContain(apiRef());
  }
});

test('the authorizer verifies like the REST one: same grants, same authentication settings', () => {
  const fn = lcs.api.realtime.authorizerFunction;
  expect(grantsOf(policyOf(root, fn), labelsFor(fn), statefulOutputs)).toEqual(
    [
      ...BASE,
      'dynamodb:GetItem on table',
      'dynamodb:Query on table',
      ...INDEXES.flatMap((i) => [`dynamodb:GetItem on table/index/${i}`, `dynamodb:Query on table/index/${i}`]),
      'dynamodb:UpdateItem on table',
      'kms:Decrypt on key via dynamodb',
      'kms:Decrypt on key for purpose=lcs-api-token',
    ].sort(),
  );
  const env = envOf(root, fn);
  const rest = envOf(root, lcs.api.authorizerFunction);
  const names = Object.keys(authorizerEnvironment(lcs.settings, lcs.stateful.jwt));
  expect(names.length).toBeGreaterThan(5);
  for (const name of names) expect(env[name]).toEqual(rest[name]);
});

test("ManageConnections only on this API's stage, POST to @connections, for the routes and the publisher; nothing else may post", () => {
  const stage = lcs.settings.stage;
  const connections = `execute-api:ManageConnections on api/${stage}/POST/@connections/*`;
  const routes = lcs.api.realtime.connectionFunction;
  expect(grantsOf(policyOf(root, routes), labelsFor(routes), statefulOutputs)).toEqual(
    [
      ...BASE,
      connections,
      'dynamodb:GetItem on table',
      'dynamodb:Query on table',
      ...INDEXES.flatMap((i) => [`dynamodb:GetItem on table/index/${i}`, `dynamodb:Query on table/index/${i}`]),
      'dynamodb:PutItem on table',
      'dynamodb:DeleteItem on table',
      'dynamodb:BatchWriteItem on table',
      'kms:Decrypt on key via dynamodb',
    ].sort(),
  );
  const publisher = lcs.api.realtime.publisherFunction;
  expect(grantsOf(policyOf(root, publisher), labelsFor(publisher), statefulOutputs)).toEqual(
    [
      ...BASE,
      connections,
      'dynamodb:GetItem on table',
      'dynamodb:Query on table',
      ...INDEXES.flatMap((i) => [`dynamodb:GetItem on table/index/${i}`, `dynamodb:Query on table/index/${i}`]),
      'dynamodb:DeleteItem on table',
      'dynamodb:BatchWriteItem on table',
      'kms:Decrypt on key via dynamodb',
      'dynamodb:DescribeStream on stream',
      'dynamodb:GetRecords on stream',
      'dynamodb:GetShardIterator on stream',
      'dynamodb:ListStreams on table/stream/*',
      's3:ListBucket on artifacts',
      's3:GetObject on artifacts/*',
      'kms:Decrypt on key via s3',
    ].sort(),
  );
  expect(envOf(root, publisher).WEBSOCKET_CALLBACK_URL).toBeDefined();
  // No other function of any stack is granted ManageConnections.
  const everyPolicy = lcs.app.node
    .findAll()
    .filter((c): c is Stack => Stack.isStack(c))
    .flatMap((s) => ofType(templateOf(s).json, 'AWS::IAM::Policy').map(([id, r]) => ({ id, text: JSON.stringify(r.Properties) })));
  const posting = everyPolicy.filter((p) => p.text.includes('execute-api:ManageConnections')).map((p) => p.id);
  expect(posting.sort()).toEqual(
    [routes, publisher]
      .map((fn) => logicalId(fn.role.node.tryFindChild('DefaultPolicy')!.node.defaultChild ?? fn.role.node.tryFindChild('DefaultPolicy')!))
      .sort(),
  );
});

test('the publisher reads the stream, filtered to backtest and live items, with bounded retries', () => {
  const mapping = only(root, 'AWS::Lambda::EventSourceMapping');
  expect(render(mapping.EventSourceArn, statefulOutputs)).toBe(`<${logicalId(lcs.stateful.table.node.defaultChild!)}.StreamArn>`);
  expect(mapping).toMatchObject({
    StartingPosition: 'LATEST',
    MaximumRetryAttempts: 2,
    BisectBatchOnFunctionError: true,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
  });
  const patterns = (mapping.FilterCriteria as { Filters: { Pattern: string }[] }).Filters.map((f) => JSON.parse(f.Pattern));
  expect(patterns.map((p) => p.dynamodb.Keys.SK.S[0].prefix).sort()).toEqual(['BACKTEST#', 'LIVE#']);
  for (const p of patterns) expect(p.eventName).toEqual(['INSERT', 'MODIFY']);
});

test('the stage logs errors and access lines (never bodies) and throttles like the REST stage; its URL is an output', () => {
  const stage = only(root, 'AWS::ApiGatewayV2::Stage');
  expect(stage).toMatchObject({
    StageName: lcs.settings.stage,
    AutoDeploy: true,
    DefaultRouteSettings: { LoggingLevel: 'ERROR', DataTraceEnabled: false, ThrottlingRateLimit: 21, ThrottlingBurstLimit: 42 },
  });
  const format = JSON.parse((stage.AccessLogSettings as { Format: string }).Format) as Record<string, string>;
  expect(Object.values(format)).not.toContain('$context.requestOverride');
  expect(JSON.stringify(format)).not.toMatch(/querystring|body/i);
  expect(render((stage.AccessLogSettings as Json).DestinationArn)).toContain(logicalId(lcs.api.realtime.accessLogs.node.defaultChild!));
  expect(render(root.Outputs?.WebSocketUrl?.Value)).toMatch(/^wss:\/\//);
});

test('cdk-nag AwsSolutions: nothing unacknowledged in the real-time construct', () => {
  const nagged = buildApp({}, {});
  nagged.app.synth();
  const report = new AwsSolutionsChecks().validateScope(nagged.api.realtime);
  expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
});
