import { Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { IUsagePlan } from 'aws-cdk-lib/aws-apigateway';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { TABLE_SCHEMA } from '../../core/shared/table-schema';
import { type BucketName, bucketVariable, type RouteAccess } from '../../lambdas/api/routes/route-types';
import type { Settings } from '../config/settings';
import { metricsNamespace, removalPolicy, retentionDays, SERVICE_NAME } from '../naming';
import { bundledCode } from './bundling';
import { acknowledgeWildcardResources } from './nag-ids';
import { sdkLayer } from './sdk-layer';
import { TOKEN_KEY_CONDITION } from './token-key';

/**
 * The house Lambda function (style §6.4): one per endpoint, plus the authorizer and the custom
 * resource handlers. Node.js 22 on ARM64, X-Ray active, JSON logs into its own log group with the
 * configured retention, Powertools settings in the environment, bundled by THE esbuild
 * configuration (./bundling.ts).
 *
 * Access is granted only through the `bind*` methods, each of which sets the environment variable
 * the runtime reads AND the exact IAM actions it needs, together: a function never has a variable
 * without its grant, or a grant without its variable. The role is the function's own, with no
 * managed policy: logs go to the function's log group only.
 */

/** Names and ARNs of the stateful resources, as seen from the stack the function lives in. */
export interface DataRefs {
  tableName: string;
  tableArn: string;
  buckets: Record<BucketName, { name: string; arn: string }>;
  /** The customer-managed key of the table, the buckets and the API tokens. */
  keyArn: string;
}

/** The jobs stack's queue and cluster, as seen from the stack the function lives in. */
export interface JobsRefs {
  queueUrl: string;
  queueArn: string;
  clusterArn: string;
  /** Task ARNs read `…:task/<cluster name>/<task id>`. */
  clusterName: string;
}

/** The object/get zip queue (the jobs stack's), as seen from the stack the function lives in. */
export interface ZipQueueRefs {
  queueUrl: string;
  queueArn: string;
}

/** What starting runner tasks takes (the dispatcher): task definitions, network, roles to pass. */
export interface LaunchRefs {
  /** SKU → the task definition (its current ARN and its family). */
  taskDefinitions: Record<string, { arn: string; family: string }>;
  subnetIds: string[];
  securityGroupId: string;
  /** The task role and the execution role: RunTask hands them to ECS. */
  passRoleArns: string[];
  spot: boolean;
}

/** What keeping live deployments running takes (core/aws/ecs-live-services.ts, secrets-manager-deployment-secrets.ts). */
export interface LiveRefs {
  /** Live SKU → its base task definition. */
  taskDefinitions: Record<string, { arn: string; family: string }>;
  subnetIds: string[];
  securityGroupId: string;
  /** The live task role and execution role, handed to ECS with each deployment's definition. */
  passRoleArns: string[];
  spot: boolean;
  /** Family prefix of the per-deployment definitions (`lcs-<stage>-live-`). */
  familyPrefix: string;
  /** Deployment secrets are named `<secretPrefix>/live/<deploy id>`. */
  secretPrefix: string;
  /** The app key: deployment secrets are encrypted with it. */
  keyArn: string;
  /** Which of email and SMS the live runners send (`LCS_NOTIFY_CHANNELS`, e.g. `email,sms`; empty: neither). */
  notifyChannels: string;
}

/** The syntax-check function (lambdas/workers/syntax-check.handler.ts), as seen from the stack the caller lives in. */
export interface SyntaxCheckRefs {
  functionName: string;
  functionArn: string;
}

/** Tasks of one cluster (ECS has no resource-level "tasks of cluster X" other than this pattern). */
export function clusterTasksArn(clusterName: string): string {
  return `arn:${Aws.PARTITION}:ecs:${Aws.REGION}:${Aws.ACCOUNT_ID}:task/${clusterName}/*`;
}

/** Every revision of a task definition family. */
export function taskFamilyArn(family: string): string {
  return `arn:${Aws.PARTITION}:ecs:${Aws.REGION}:${Aws.ACCOUNT_ID}:task-definition/${family}:*`;
}

export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'] as const;
/** Writes, including what TransactWriteItems checks per item (Put/Update/Delete/ConditionCheck). */
export const TABLE_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
] as const;
/** ListBucket covers ListObjectsV2 (prefix deletes) and HeadBucket (health). */
export const BUCKET_READ_ACTIONS = { bucket: ['s3:ListBucket'], objects: ['s3:GetObject'] } as const;
export const BUCKET_WRITE_ACTIONS = { objects: ['s3:PutObject', 's3:DeleteObject'] } as const;

export type DynamoAction = (typeof TABLE_READ_ACTIONS)[number] | (typeof TABLE_WRITE_ACTIONS)[number];
/** A route access profile, or an explicit list for special functions (the authorizer). */
export type TableAccess = 'read' | 'readWrite' | readonly DynamoAction[];

/** The table's index ARNs, from the shared key schema (no `index/*` wildcard). */
export function indexArns(tableArn: string): string[] {
  return Object.values(TABLE_SCHEMA.indexes).map((index) => `${tableArn}/index/${index.name}`);
}

const viaService = (service: string) => ({ StringEquals: { 'kms:ViaService': `${service}.${Aws.REGION}.amazonaws.com` } });

export interface ApiFunctionProps {
  /** Handler file, relative to the project root (e.g. `lambdas/api/projects/read-projects.handler.ts`). */
  entry: string;
  settings: Settings;
  description?: string;
  /** @default 256 */
  memorySize?: number;
  /** @default 29 seconds (API Gateway's integration limit) */
  timeout?: Duration;
}

export class ApiFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  private readonly bound = new Set<string>();

  constructor(scope: Construct, id: string, props: ApiFunctionProps) {
    super(scope, id);
    const { settings } = props;
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Lean Cloud Server ${settings.stage}: ${props.description ?? props.entry}`.slice(0, 1000),
    });
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: retentionDays(settings.logRetentionDays),
      removalPolicy: removalPolicy(settings),
    });
    this.logGroup.grantWrite(this.role);
    this.function = new NodejsFunction(this, 'Function', {
      code: bundledCode(props.entry),
      // The AWS SDK at our pinned versions, not the runtime's (./sdk-layer.ts).
      layers: [sdkLayer(this)],
      handler: 'index.handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(29),
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      // No Lambda-side application log level: Lambda drops JSON lines without a `level` field below
      // INFO, and the EMF metric lines have none, so WARN or ERROR would silence every metric and
      // alarm. The logger filters its own lines at LCS_LOG_LEVEL instead.
      description: props.description,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: metricsNamespace(settings),
        LCS_LOG_LEVEL: settings.logLevel,
        LCS_AUDIT_RETENTION_DAYS: String(settings.auditRetentionDays),
      },
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Only X-Ray (active tracing) is granted on "*": xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'The project targets nodejs22.x on purpose (design: Node 22 everywhere, same as local mode and the esbuild target); a runtime upgrade is a deliberate change of all three.',
    });
  }

  /**
   * LCS_AI_MODEL_ID + bedrock:InvokeModel on that one foundation model (the Converse API is
   * authorised by InvokeModel): the AI tools' model, when the operator enables them.
   */
  bindBedrockModel(modelId: string): this {
    this.once('bedrock');
    this.allow(['bedrock:InvokeModel'], [`arn:${Aws.PARTITION}:bedrock:${Aws.REGION}::foundation-model/${modelId}`]);
    this.function.addEnvironment('LCS_AI_MODEL_ID', modelId);
    return this;
  }

  /**
   * SYNTAX_CHECK_FUNCTION_NAME + lambda:InvokeFunction on that one function (unqualified): the
   * Python syntax check of compile/create and ai/tools/syntax-check (core/aws/lambda-syntax-checker.ts).
   */
  bindSyntaxChecker(checker: SyntaxCheckRefs): this {
    this.once('syntax-check');
    this.allow(['lambda:InvokeFunction'], [checker.functionArn]);
    this.function.addEnvironment('SYNTAX_CHECK_FUNCTION_NAME', checker.functionName);
    return this;
  }

  /** Non-resource configuration (no grant involved). */
  addEnvironment(name: string, value: string): this {
    this.function.addEnvironment(name, value);
    return this;
  }

  private once(what: string): void {
    if (this.bound.has(what)) throw new Error(`${this.node.path}: ${what} is bound twice`);
    this.bound.add(what);
  }

  private allow(actions: readonly string[], resources: string[], conditions?: Record<string, unknown>): void {
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: [...actions], resources, ...(conditions ? { conditions } : {}) }));
  }

  /** TABLE_NAME + the table actions on the table and its indexes (+ the key, through DynamoDB only). */
  bindTable(data: DataRefs, access: TableAccess): this {
    this.once('table');
    const readWrite = access === 'readWrite';
    const actions = access === 'read' ? TABLE_READ_ACTIONS : readWrite ? [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS] : access;
    const reads = actions.filter((a) => (TABLE_READ_ACTIONS as readonly string[]).includes(a));
    const writes = actions.filter((a) => !(TABLE_READ_ACTIONS as readonly string[]).includes(a));
    if (reads.length) this.allow(reads, [data.tableArn, ...indexArns(data.tableArn)]);
    // Writes address items, never an index.
    if (writes.length) this.allow(writes, [data.tableArn]);
    this.allow(readWrite ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'], [data.keyArn], viaService('dynamodb'));
    this.function.addEnvironment('TABLE_NAME', data.tableName);
    return this;
  }

  /** `<NAME>_BUCKET_NAME` + object access in that bucket (+ the key, through S3 only). */
  bindBucket(name: BucketName, data: DataRefs, access: 'read' | 'readWrite'): this {
    this.once(`bucket:${name}`);
    const bucket = data.buckets[name];
    const objects = `${bucket.arn}/*`;
    this.allow(BUCKET_READ_ACTIONS.bucket, [bucket.arn]);
    this.allow(access === 'readWrite' ? [...BUCKET_READ_ACTIONS.objects, ...BUCKET_WRITE_ACTIONS.objects] : BUCKET_READ_ACTIONS.objects, [objects]);
    this.allow(access === 'readWrite' ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'], [data.keyArn], viaService('s3'));
    this.function.addEnvironment(bucketVariable(name), bucket.name);
    return this;
  }

  /** Everything a route declares in the route table. */
  bindRouteAccess(access: RouteAccess, data: DataRefs, jobs?: JobsRefs, live?: LiveRefs, syntaxCheck?: SyntaxCheckRefs, zips?: ZipQueueRefs): this {
    this.bindTable(data, access.table);
    for (const [name, level] of Object.entries(access.buckets ?? {}) as [BucketName, 'read' | 'readWrite'][]) {
      this.bindBucket(name, data, level);
    }
    if (access.jobs) {
      if (!jobs) throw new Error(`${this.node.path}: the route declares jobs access, but no jobs stack was given`);
      this.bindJobs(jobs, access.jobs);
    }
    if (access.live) {
      if (!jobs || !live) throw new Error(`${this.node.path}: the route manages live deployments, but no jobs stack was given`);
      this.bindLiveServices(jobs, { ...live, keyArn: data.keyArn });
    }
    if (access.syntaxCheck) {
      if (!syntaxCheck) throw new Error(`${this.node.path}: the route invokes the syntax check, but no syntax-check function was given`);
      this.bindSyntaxChecker(syntaxCheck);
    }
    if (access.objectZips) {
      if (!zips) throw new Error(`${this.node.path}: the route queues zip jobs, but no zip queue was given`);
      this.bindZipQueue(zips);
    }
    return this;
  }

  /** OBJECT_ZIP_QUEUE_URL + sending to the object/get zip queue (SQS-managed encryption: no key grant). */
  bindZipQueue(zips: ZipQueueRefs): this {
    this.once('zip-queue');
    this.allow(['sqs:SendMessage'], [zips.queueArn]);
    this.function.addEnvironment('OBJECT_ZIP_QUEUE_URL', zips.queueUrl);
    return this;
  }

  /**
   * `<NAME>_BUCKET_NAME` + reading every object of the bucket, and writing (including aborting a
   * multipart upload) only under `writePrefix` (+ the key, through S3 only): the zip worker reads
   * the object store and writes its zips under `jobs/`.
   */
  bindBucketWritingUnder(name: BucketName, data: DataRefs, writePrefix: string): this {
    this.once(`bucket:${name}`);
    const bucket = data.buckets[name];
    // ListBucket lets a missing object answer 404 (NoSuchKey) instead of 403.
    this.allow(BUCKET_READ_ACTIONS.bucket, [bucket.arn]);
    this.allow(BUCKET_READ_ACTIONS.objects, [`${bucket.arn}/*`]);
    this.allow(['s3:PutObject', 's3:AbortMultipartUpload'], [`${bucket.arn}/${writePrefix}*`]);
    this.allow(['kms:Decrypt', 'kms:GenerateDataKey'], [data.keyArn], viaService('s3'));
    this.function.addEnvironment(bucketVariable(name), bucket.name);
    return this;
  }

  /**
   * execute-api:ManageConnections on one WebSocket API stage's connections only
   * (`<api>/<stage>/POST/@connections/*`: posting to a connection), + WEBSOCKET_CALLBACK_URL when
   * given (the publisher; the route handler reads its own from each event). What
   * core/aws/api-gateway-connections.ts needs.
   */
  bindWebSocketConnections(connections: { apiId: string; stageName: string; callbackUrl?: string }): this {
    this.once('websocket-connections');
    const arn = Stack.of(this).formatArn({ service: 'execute-api', resource: connections.apiId, resourceName: `${connections.stageName}/POST/@connections/*` });
    this.allow(['execute-api:ManageConnections'], [arn]);
    acknowledgeWildcardResources(
      this,
      [arn],
      'Posting to a client is authorised per connection id, which API Gateway assigns at run time: the grant names this one API and stage, POST on @connections only.',
    );
    if (connections.callbackUrl) this.function.addEnvironment('WEBSOCKET_CALLBACK_URL', connections.callbackUrl);
    return this;
  }

  /**
   * Reading the table's stream, what a DynamoDB event source mapping needs of the function's role:
   * the stream's records and shards, and ListStreams (authorised on the table's streams). The key
   * the stream is encrypted with is granted by bindTable (kms:Decrypt through DynamoDB).
   */
  bindTableStream(data: DataRefs, streamArn: string): this {
    this.once('table-stream');
    if (!this.bound.has('table')) throw new Error(`${this.node.path}: bind the table before its stream (the key grant comes with it)`);
    this.allow(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'], [streamArn]);
    const streams = `${data.tableArn}/stream/*`;
    this.allow(['dynamodb:ListStreams'], [streams]);
    acknowledgeWildcardResources(
      this,
      [streams],
      "ListStreams is authorised on the table's streams as a whole; the records themselves are read from this one stream ARN only.",
    );
    return this;
  }

  /**
   * JOBS_QUEUE_URL + sending to the jobs queue (SQS-managed encryption: no key grant). `sendAndStop`
   * adds CLUSTER_ARN + stopping tasks of the jobs cluster (deleting or aborting a running job).
   */
  bindJobs(jobs: JobsRefs, access: 'send' | 'sendAndStop'): this {
    this.once('jobs');
    this.allow(['sqs:SendMessage'], [jobs.queueArn]);
    this.function.addEnvironment('JOBS_QUEUE_URL', jobs.queueUrl);
    if (access === 'sendAndStop') this.allowStopTasks(jobs);
    return this;
  }

  /**
   * CLUSTER_ARN, TASK_DEFINITIONS (SKU → ARN), SUBNET_IDS, SECURITY_GROUP_ID, LCS_SPOT + starting
   * (RunTask, tagging at launch), stopping tasks of the jobs cluster and passing exactly the
   * task's two roles to ECS: what core/aws/ecs-task-runner.ts needs.
   */
  bindTaskLauncher(jobs: JobsRefs, launch: LaunchRefs): this {
    this.once('task-launcher');
    const inCluster = { ArnEquals: { 'ecs:cluster': jobs.clusterArn } };
    const families = Object.values(launch.taskDefinitions).map((t) => taskFamilyArn(t.family));
    this.allow(['ecs:RunTask'], families, inCluster);
    // RunTask with tags is authorised as ecs:TagResource on the new task, at creation only.
    this.allow(['ecs:TagResource'], [clusterTasksArn(jobs.clusterName)], { StringEquals: { 'ecs:CreateAction': 'RunTask' } });
    this.allow(['iam:PassRole'], launch.passRoleArns, { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    if (!this.bound.has('stop-tasks')) this.allowStopTasks(jobs);
    const stack = Stack.of(this);
    this.function.addEnvironment(
      'TASK_DEFINITIONS',
      stack.toJsonString(Object.fromEntries(Object.entries(launch.taskDefinitions).map(([sku, t]) => [sku, t.arn]))),
    );
    this.function.addEnvironment('SUBNET_IDS', launch.subnetIds.join(','));
    this.function.addEnvironment('SECURITY_GROUP_ID', launch.securityGroupId);
    this.function.addEnvironment('LCS_SPOT', String(launch.spot));
    acknowledgeWildcardResources(
      this,
      families,
      'RunTask on every revision of one runner task definition family: a deployment registers a new revision while messages are in flight.',
    );
    return this;
  }

  /**
   * The live-services variables + creating, describing and deleting the `live-*` services of the
   * jobs cluster, registering each deployment's task definition from the live families, passing
   * the live roles, and the deployment secrets (`<prefix>/live/*`, the app key via Secrets Manager).
   */
  bindLiveServices(jobs: JobsRefs, live: LiveRefs): this {
    this.once('live-services');
    const arn = (service: string, resource: string) => `arn:${Aws.PARTITION}:${service}:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
    const services = arn('ecs', `service/${jobs.clusterName}/live-*`);
    const definitions = arn('ecs', `task-definition/${live.familyPrefix}*:*`);
    const secrets = arn('secretsmanager', `secret:${live.secretPrefix}/live/*`);
    this.allow(['ecs:CreateService', 'ecs:DescribeServices', 'ecs:UpdateService', 'ecs:DeleteService'], [services], {
      ArnEquals: { 'ecs:cluster': jobs.clusterArn },
    });
    // Describe/Register/DeregisterTaskDefinition accept no resource-level permission.
    this.allow(['ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition', 'ecs:DeregisterTaskDefinition'], ['*']);
    this.allow(['ecs:TagResource'], [definitions], { StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' } });
    this.allow(['ecs:TagResource'], [services], { StringEquals: { 'ecs:CreateAction': 'CreateService' } });
    this.allow(['iam:PassRole'], live.passRoleArns, { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    this.allow(
      [
        'secretsmanager:CreateSecret',
        'secretsmanager:PutSecretValue',
        'secretsmanager:DescribeSecret',
        'secretsmanager:DeleteSecret',
        'secretsmanager:TagResource',
      ],
      [secrets],
    );
    this.allow(['kms:GenerateDataKey', 'kms:Decrypt'], [live.keyArn], viaService('secretsmanager'));
    const stack = Stack.of(this);
    this.function.addEnvironment('CLUSTER_ARN', jobs.clusterArn);
    this.function.addEnvironment(
      'LIVE_TASK_DEFINITIONS',
      stack.toJsonString(Object.fromEntries(Object.entries(live.taskDefinitions).map(([sku, t]) => [sku, t.arn]))),
    );
    this.function.addEnvironment('SUBNET_IDS', live.subnetIds.join(','));
    this.function.addEnvironment('SECURITY_GROUP_ID', live.securityGroupId);
    this.function.addEnvironment('LCS_LIVE_SPOT', String(live.spot));
    this.function.addEnvironment('LCS_LIVE_FAMILY_PREFIX', live.familyPrefix);
    this.function.addEnvironment('LCS_LIVE_SECRET_PREFIX', live.secretPrefix);
    this.function.addEnvironment('LCS_LIVE_SECRET_KEY_ID', live.keyArn);
    // live/create refuses email and SMS targets the runners cannot send.
    this.function.addEnvironment('LCS_NOTIFY_CHANNELS', live.notifyChannels);
    acknowledgeWildcardResources(
      this,
      [services, definitions, secrets, '*'],
      'Live deployments are created at run time: one live-<deploy id> service of the jobs cluster (cluster condition), one task definition family and one secret per deployment under fixed name prefixes; the task-definition actions take no resource.',
    );
    return this;
  }

  private allowStopTasks(jobs: JobsRefs): void {
    this.once('stop-tasks');
    const tasks = clusterTasksArn(jobs.clusterName);
    this.allow(['ecs:StopTask'], [tasks], { ArnEquals: { 'ecs:cluster': jobs.clusterArn } });
    this.function.addEnvironment('CLUSTER_ARN', jobs.clusterArn);
    acknowledgeWildcardResources(
      this,
      [tasks],
      'Task ids are generated by ECS at launch; the grant covers only tasks of the jobs cluster (resource pattern plus ecs:cluster condition).',
    );
  }

  /**
   * LCS_TOKEN_KMS_KEY_ID + direct use of the key for API tokens: `decrypt` verifies (the
   * authorizer), `encrypt` issues (the first-admin custom resource).
   */
  bindTokenKey(data: DataRefs, use: 'decrypt' | 'encrypt'): this {
    this.once('token-key');
    this.allow([use === 'decrypt' ? 'kms:Decrypt' : 'kms:Encrypt'], [data.keyArn], TOKEN_KEY_CONDITION);
    this.function.addEnvironment('LCS_TOKEN_KMS_KEY_ID', data.keyArn);
    return this;
  }

  /**
   * `envName` = the secret's ARN + reading and writing its value (a CMK-encrypted secret needs
   * kms:GenerateDataKey to write and kms:Decrypt to read, through Secrets Manager only).
   */
  bindSecret(envName: string, secret: ISecret, keyArn: string): this {
    this.once(`secret:${envName}`);
    this.allow(['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'], [secret.secretArn]);
    this.allow(['kms:Decrypt', 'kms:GenerateDataKey'], [keyArn], viaService('secretsmanager'));
    this.function.addEnvironment(envName, secret.secretArn);
    return this;
  }

  /**
   * USAGE_PLAN_ID + attaching per-organisation API keys to that plan: find keys (GET /apikeys),
   * create one (POST /apikeys), put it on the plan (POST /usageplans/{id}/keys).
   */
  bindUsagePlanKeys(usagePlan: IUsagePlan): this {
    this.once('usage-plan');
    const apigateway = (path: string) => `arn:${Aws.PARTITION}:apigateway:${Aws.REGION}::${path}`;
    this.allow(['apigateway:GET', 'apigateway:POST'], [apigateway('/apikeys')]);
    this.allow(['apigateway:POST'], [apigateway(`/usageplans/${usagePlan.usagePlanId}/keys`)]);
    this.function.addEnvironment('USAGE_PLAN_ID', usagePlan.usagePlanId);
    return this;
  }
}
