import { Duration, Validations } from 'aws-cdk-lib';
import { type CfnAuthorizer, type CfnStage, WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { CfnEventSourceMapping, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Settings } from '../config/settings';
import { prefix, removalPolicy, retentionDays } from '../naming';
import { ApiFunction, type DataRefs } from './api-function';
import { acknowledgeWildcardResources } from './nag-ids';

export const SOCKET_AUTHORIZER_ENTRY = 'lambdas/auth/socket-authorizer.handler.ts';
export const CONNECTION_ENTRY = 'lambdas/realtime/connection.handler.ts';
export const PUBLISHER_ENTRY = 'lambdas/realtime/publisher.handler.ts';

/** The table items the publisher is invoked for: backtests and live deployments (core/data/table/keys.ts). */
export const PUBLISHED_SORT_KEY_PREFIXES = ['BACKTEST#', 'LIVE#'] as const;

/**
 * One access log line per connection event; never the query string (the credentials are there).
 */
const ACCESS_LOG = JSON.stringify({
  requestId: '$context.requestId',
  requestTimeEpoch: '$context.requestTimeEpoch',
  ip: '$context.identity.sourceIp',
  eventType: '$context.eventType',
  routeKey: '$context.routeKey',
  connectionId: '$context.connectionId',
  status: '$context.status',
  principalId: '$context.authorizer.principalId',
  authorizerError: '$context.authorizer.error',
  integrationLatencyMs: '$context.integrationLatency',
  error: '$context.error.message',
});

export interface RealtimeApiProps {
  settings: Settings;
  data: DataRefs;
  /** The table's stream (NEW_AND_OLD_IMAGES). */
  tableStreamArn: string;
  /** The REST authorizer's environment (api-stack.ts authorizerEnvironment): one set of authentication settings. */
  authEnvironment: Record<string, string>;
}

/**
 * Real-time updates in AWS (docs/realtime.md): an API Gateway WebSocket API whose $connect is
 * authorised by the REST authorizer's verification (credentials as query parameters), whose routes
 * keep connections and subscriptions in the table, and a publisher fed by the table's stream.
 *
 * Why the stream rather than the publish path: backtests and live deployments are written by the
 * runner (directly, with its task role), the dispatcher, the reconciler and the API's stop calls.
 * The stream sees every one of those writes with no change to any writer, and only the two
 * functions here may post to connections, each on this API's stage only. Lambda polls DynamoDB
 * streams at no charge, so an idle deployment pays nothing for it.
 */
export class RealtimeApi extends Construct {
  readonly api: WebSocketApi;
  readonly stage: WebSocketStage;
  readonly authorizerFunction: ApiFunction;
  readonly connectionFunction: ApiFunction;
  readonly publisherFunction: ApiFunction;
  readonly accessLogs: LogGroup;
  readonly eventSource: CfnEventSourceMapping;

  constructor(scope: Construct, id: string, props: RealtimeApiProps) {
    super(scope, id);
    const { settings, data } = props;
    const name = `${prefix(settings)}-realtime`;

    this.authorizerFunction = new ApiFunction(this, 'AuthorizerFn', {
      entry: SOCKET_AUTHORIZER_ENTRY,
      settings,
      description: 'WebSocket $connect authorizer: QuantConnect hash or Bearer JWT as query parameters',
      memorySize: 512,
      timeout: Duration.seconds(10),
    })
      // As the REST authorizer: loads the user (Query), the API key (GetItem), records its last use (UpdateItem).
      .bindTable(data, ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'])
      .bindTokenKey(data, 'decrypt');
    for (const [key, value] of Object.entries(props.authEnvironment)) this.authorizerFunction.addEnvironment(key, value);

    this.connectionFunction = new ApiFunction(this, 'ConnectionFn', {
      entry: CONNECTION_ENTRY,
      settings,
      description: 'WebSocket routes: $connect, $disconnect, subscribe/unsubscribe messages',
      timeout: Duration.seconds(10),
    })
      // Connection and subscription items (put, delete, batch), project and backtest reads for the access check.
      .bindTable(data, ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']);

    this.publisherFunction = new ApiFunction(this, 'PublisherFn', {
      entry: PUBLISHER_ENTRY,
      settings,
      description: "Real-time publisher: the table's backtest and live changes to their subscribers",
      timeout: Duration.seconds(60),
    })
      // Subscribers (Query), and the removal of connections found gone (Delete, BatchWrite).
      .bindTable(data, ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'])
      .bindTableStream(data, props.tableStreamArn)
      // A live deployment's new log lines and orders.
      .bindBucket('artifacts', data, 'read');
    acknowledgeWildcardResources(
      this.publisherFunction,
      [`${data.buckets.artifacts.arn}/*`],
      "The publisher reads a live deployment's log and orders under its project's prefix, decided at run time; only s3:GetObject is granted on <bucket>/*.",
    );

    const authorizer = new WebSocketLambdaAuthorizer('Authorizer', this.authorizerFunction.function, {
      authorizerName: `${name}-authorizer`,
      // Declared identity sources would make API Gateway refuse a handshake missing any of them
      // without calling the authorizer; the credentials come in one of two forms.
      identitySource: [],
    });
    const integration = (id: string) => new WebSocketLambdaIntegration(id, this.connectionFunction.function);
    this.api = new WebSocketApi(this, 'Api', {
      apiName: name,
      description: `Lean Cloud Server ${settings.stage}: real-time updates (docs/realtime.md)`,
      connectRouteOptions: { integration: integration('ConnectIntegration'), authorizer },
      disconnectRouteOptions: { integration: integration('DisconnectIntegration') },
      defaultRouteOptions: { integration: integration('MessageIntegration') },
    });
    const cfnAuthorizer = this.api.node.findAll().find((c) => (c as CfnAuthorizer).cfnResourceType === 'AWS::ApiGatewayV2::Authorizer') as
      | CfnAuthorizer
      | undefined;
    cfnAuthorizer?.addPropertyDeletionOverride('IdentitySource');
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'A WebSocket API authorises the connection once, on $connect (the Lambda authorizer here); $disconnect and $default run on that authorised connection, and each subscription is checked against the project like a REST read.',
    });

    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: retentionDays(settings.logRetentionDays), removalPolicy: removalPolicy(settings) });
    this.stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: settings.stage,
      autoDeploy: true,
      description: `Lean Cloud Server ${settings.stage}: real-time updates`,
      throttle: { rateLimit: settings.apiThrottle.ratePerSecond, burstLimit: settings.apiThrottle.burst },
    });
    const cfnStage = this.stage.node.defaultChild as CfnStage;
    cfnStage.accessLogSettings = { destinationArn: this.accessLogs.logGroupArn, format: ACCESS_LOG };
    // Errors only, and never message bodies (they name projects; the handshake carries credentials).
    cfnStage.addPropertyOverride('DefaultRouteSettings.LoggingLevel', 'ERROR');
    cfnStage.addPropertyOverride('DefaultRouteSettings.DataTraceEnabled', false);
    // API Gateway would create the execution log group itself, without retention.
    const executionLogs = new LogGroup(this, 'ExecutionLogs', {
      logGroupName: `/aws/apigateway/${this.api.apiId}/${settings.stage}`,
      retention: retentionDays(settings.logRetentionDays),
      removalPolicy: removalPolicy(settings),
    });
    this.stage.node.addDependency(executionLogs);

    const connections = { apiId: this.api.apiId, stageName: settings.stage };
    this.connectionFunction.bindWebSocketConnections(connections);
    this.publisherFunction.bindWebSocketConnections({ ...connections, callbackUrl: this.stage.callbackUrl });

    // Only backtest and live items invoke the publisher (a filter costs nothing; an invocation does).
    this.eventSource = new CfnEventSourceMapping(this, 'TableChanges', {
      functionName: this.publisherFunction.function.functionName,
      eventSourceArn: props.tableStreamArn,
      startingPosition: StartingPosition.LATEST,
      batchSize: 100,
      maximumBatchingWindowInSeconds: 0,
      // A pushed update is worth little late: a failing record is retried twice, then skipped.
      maximumRetryAttempts: 2,
      maximumRecordAgeInSeconds: 300,
      bisectBatchOnFunctionError: true,
      functionResponseTypes: ['ReportBatchItemFailures'],
      filterCriteria: {
        filters: PUBLISHED_SORT_KEY_PREFIXES.map((skPrefix) => ({
          pattern: JSON.stringify({ eventName: ['INSERT', 'MODIFY'], dynamodb: { Keys: { SK: { S: [{ prefix: skPrefix }] } } } }),
        })),
      },
    });
    // The mapping checks the role's stream permissions when it is created.
    this.eventSource.node.addDependency(this.publisherFunction.role);
  }

  /** wss://…/<stage>: what a client connects to. */
  get url(): string {
    return this.stage.url;
  }
}
