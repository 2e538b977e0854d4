import { Aws, CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { type Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { FlowLogDestination, FlowLogTrafficType, IpAddresses, SecurityGroup, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Cluster, ContainerInsights } from 'aws-cdk-lib/aws-ecs';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { SKUS } from '../../core/shared/catalog';
import type { Settings } from '../config/settings';
import { ApiFunction, type JobsRefs, type LaunchRefs, type LiveRefs, type SyntaxCheckRefs, type ZipQueueRefs } from '../constructs/api-function';
import { acknowledgeWildcardResources } from '../constructs/nag-ids';
import { RunnerTask } from '../constructs/runner-task';
import { metricsNamespace, prefix, removalPolicy, retentionDays, SERVICE_NAME } from '../naming';
import type { StatefulStack } from './stateful-stack';

export const DISPATCHER_ENTRY = 'lambdas/workers/dispatcher.handler.ts';
export const RECONCILER_ENTRY = 'lambdas/workers/reconciler.handler.ts';
export const SYNTAX_CHECK_ENTRY = 'lambdas/workers/syntax-check.handler.ts';
/** SQS advises a visibility timeout of at least six times the consumer's timeout. */
export const DISPATCHER_TIMEOUT = Duration.seconds(60);
export const DISPATCHER_BATCH_SIZE = 5;

export const OBJECT_ZIP_ENTRY = 'lambdas/workers/object-zip.handler.ts';
/**
 * The object/get zip worker, sized for the download limits (LCS_OBJECT_DOWNLOAD_MAX_BYTES 2 GiB,
 * _MAX_OBJECTS 10,000; docs/api.md). Memory: the worker streams, so it needs ~60 MB above the
 * runtime whatever the objects' sizes (measured: 120 MB of incompressible data grew the process
 * by 42 MB, heap 24 MB; upload parts 3 × 5 MiB, 1 MB of zip output, 8 small objects of ≤ 1 MB
 * read ahead);
 * 1769 MB buys one full vCPU, which deflate needs (Lambda's CPU scales with memory): native zlib
 * deflates incompressible data at ~40 MB/s on one core; the whole worker used 57 ms of CPU per
 * MB on a busy shared core (test/integration/object-zip.test.ts), so 2 GiB takes about 2 minutes
 * of CPU, S3 reads and part uploads overlapping it. Timeout: 10 minutes, at least 3× the slowest case expected (2 GiB at
 * 10 MB/s ≈ 3.5 minutes; 10,000 small objects, 8 requests in flight at ~20 ms ≈ 25 s); lean-cli
 * itself polls for 5 minutes.
 */
export const OBJECT_ZIP_MEMORY_MB = 1769;
export const OBJECT_ZIP_TIMEOUT = Duration.minutes(10);

/** The SKUs that run as backtest tasks: one task definition each. */
export const BACKTEST_SKUS = SKUS.filter((s) => s.kind === 'backtest');
/** An optimization's points are backtests on these task sizes (its `nodeType`). */
export const OPTIMIZATION_SKUS = SKUS.filter((s) => s.kind === 'optimization');

/** The SKUs that run live deployments: one base task definition each, copied per deployment. */
export const LIVE_SKUS = SKUS.filter((s) => s.kind === 'live');

/** Family prefix of each deployment's own task definition (core/aws/ecs-live-services.ts). */
export function liveFamilyPrefix(prefix: string): string {
  return `${prefix}-live-`;
}

/**
 * The SSM parameter holding the API's base URL (`…/api/v2/`), LEAN's `api-url`. The API stack
 * writes it and the runner tasks read it (an ECS secret): a CloudFormation reference would make
 * the jobs and API stacks depend on each other.
 */
export function apiUrlParameterName(settings: Settings): string {
  return `/${prefix(settings)}/api-url`;
}

export interface JobsStackProps extends StackProps {
  settings: Settings;
  stateful: StatefulStack;
}

/**
 * Jobs on ECS Fargate (design §2, §7): a VPC with public subnets only (no NAT gateway: tasks get
 * a public IP and a security group with egress only), the cluster with Fargate and Fargate Spot,
 * one runner task definition per backtest SKU, the jobs queue and its dead-letter queue, the
 * dispatcher (queue → RunTask) and the reconciler (task stopped → job state), and alarms.
 */
export class JobsStack extends Stack {
  readonly vpc: Vpc;
  readonly securityGroup: SecurityGroup;
  readonly cluster: Cluster;
  readonly queue: Queue;
  readonly deadLetters: Queue;
  /** Reconciler invocations that failed every retry (and events EventBridge could not deliver). */
  readonly reconcilerFailures: Queue;
  readonly runner: RunnerTask;
  /** object/get zip jobs, one message each, and those that failed every delivery. */
  readonly zipQueue: Queue;
  readonly zipDeadLetters: Queue;
  readonly zipWorker: ApiFunction;
  /** Live SKUs' base task definitions, roles and logs: each deployment runs as a service on its own copy. */
  readonly liveRunner: RunnerTask;
  /** What managing live deployments takes (the live routes and the dispatcher bind it). */
  readonly live: LiveRefs;
  readonly dispatcher: ApiFunction;
  readonly reconciler: ApiFunction;
  /** The Python syntax check with its grammar, invoked synchronously by compile/create and ai/tools/syntax-check. */
  readonly syntaxCheck: ApiFunction;
  readonly taskStopped: Rule;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: JobsStackProps) {
    super(scope, id, props);
    const { settings, stateful } = props;
    const name = prefix(settings);
    const data = stateful.dataRefs();

    this.vpc = new Vpc(this, 'Vpc', {
      ipAddresses: IpAddresses.cidr('10.80.0.0/16'),
      maxAzs: 3,
      natGateways: 0,
      // Public subnets only: a NAT gateway would cost more per month than most backtests.
      subnetConfiguration: [{ name: 'Runners', subnetType: SubnetType.PUBLIC, cidrMask: 20, mapPublicIpOnLaunch: false }],
    });
    const flowLogs = new LogGroup(this, 'FlowLogs', { retention: retentionDays(settings.logRetentionDays), removalPolicy: removalPolicy(settings) });
    // Rejected traffic only: nothing should reach the runners, and accepted egress is high volume.
    this.vpc.addFlowLog('RejectedTraffic', { destination: FlowLogDestination.toCloudWatchLogs(flowLogs), trafficType: FlowLogTrafficType.REJECT });

    this.securityGroup = new SecurityGroup(this, 'RunnerSecurityGroup', {
      vpc: this.vpc,
      description: `Lean Cloud Server ${settings.stage}: runner tasks (egress only: AWS APIs, the API, PyPI/NuGet)`,
      allowAllOutbound: true,
    });

    this.cluster = new Cluster(this, 'Cluster', {
      clusterName: `${name}-jobs`,
      vpc: this.vpc,
      enableFargateCapacityProviders: true,
      containerInsightsV2: ContainerInsights.ENABLED,
    });

    this.deadLetters = new Queue(this, 'JobsDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'JobsQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(DISPATCHER_TIMEOUT.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: settings.jobs.maxReceiveCount },
    });
    const jobs: JobsRefs = {
      queueUrl: this.queue.queueUrl,
      queueArn: this.queue.queueArn,
      clusterArn: this.cluster.clusterArn,
      clusterName: this.cluster.clusterName,
    };

    const apiUrlParameter = StringParameter.fromStringParameterName(this, 'ApiUrl', apiUrlParameterName(settings));
    this.runner = new RunnerTask(this, 'Runner', { settings, prefix: name, skus: [...BACKTEST_SKUS, ...OPTIMIZATION_SKUS], data, jobs, apiUrlParameter });

    const launch: LaunchRefs = {
      taskDefinitions: Object.fromEntries([...this.runner.taskDefinitions].map(([sku, task]) => [sku, { arn: task.taskDefinitionArn, family: task.family }])),
      subnetIds: this.vpc.publicSubnets.map((s) => s.subnetId),
      securityGroupId: this.securityGroup.securityGroupId,
      passRoleArns: [this.runner.taskRole.roleArn, this.runner.executionRole.roleArn],
      spot: settings.jobs.spot,
    };
    this.liveRunner = new RunnerTask(this, 'LiveRunner', {
      settings,
      prefix: `${name}-live`,
      skus: LIVE_SKUS,
      data,
      jobs,
      apiUrlParameter,
      purpose: 'live',
      image: this.runner.image,
    });
    const secretPrefix = name;
    const notifyChannels = this.liveRunner.grantNotifications(settings.live.notifications);
    this.liveRunner.grantLiveSecrets(`arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:secret:${secretPrefix}/live/*`, data.keyArn);
    this.live = {
      taskDefinitions: Object.fromEntries(
        [...this.liveRunner.taskDefinitions].map(([sku, task]) => [sku, { arn: task.taskDefinitionArn, family: task.family }]),
      ),
      subnetIds: launch.subnetIds,
      securityGroupId: launch.securityGroupId,
      passRoleArns: [this.liveRunner.taskRole.roleArn, this.liveRunner.executionRole.roleArn],
      spot: settings.live.spot,
      familyPrefix: liveFamilyPrefix(name),
      secretPrefix,
      keyArn: data.keyArn,
      notifyChannels,
    };
    const live = this.live;
    this.dispatcher = new ApiFunction(this, 'Dispatcher', {
      entry: DISPATCHER_ENTRY,
      settings,
      description: 'Jobs queue consumer: takes a node slot and starts the runner task',
      timeout: DISPATCHER_TIMEOUT,
    })
      .bindTable(data, 'readWrite')
      .bindJobs(jobs, 'send')
      .bindTaskLauncher(jobs, launch)
      // The live routes start and stop deployments; the dispatcher retires those that ended on their own.
      .bindLiveServices(jobs, live)
      // A "job finished" message hands a point's end to its optimization: the dispatcher reads the
      // result summary (target, constraints), keeps an ended optimization's read answer whole, and
      // removes the results of a point an abort orphaned.
      .bindBucket('artifacts', data, 'readWrite');
    acknowledgeWildcardResources(
      this.dispatcher.role,
      [`${data.buckets.artifacts.arn}/*`],
      "The dispatcher reads an optimization point's result summary and chart, and removes the results of a point an abort orphaned, under per-project key prefixes decided at run time; only object actions are granted on <bucket>/*.",
    );
    // The dispatcher fails a job on its last delivery, so it must know which one that is.
    this.dispatcher.function.addEnvironment('LCS_JOB_MAX_RECEIVES', String(settings.jobs.maxReceiveCount));
    this.dispatcher.function.addEventSource(
      new SqsEventSource(this.queue, { batchSize: DISPATCHER_BATCH_SIZE, reportBatchItemFailures: true, maxBatchingWindow: Duration.seconds(0) }),
    );

    this.zipDeadLetters = new Queue(this, 'ObjectZipDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.zipQueue = new Queue(this, 'ObjectZipQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // At least the worker's timeout (Lambda requires it); twice, so a slow build is not delivered again while it runs.
      visibilityTimeout: Duration.seconds(OBJECT_ZIP_TIMEOUT.toSeconds() * 2),
      deadLetterQueue: { queue: this.zipDeadLetters, maxReceiveCount: settings.jobs.maxReceiveCount },
    });
    this.zipWorker = new ApiFunction(this, 'ObjectZipWorker', {
      entry: OBJECT_ZIP_ENTRY,
      settings,
      description: 'object/get zip queue consumer: streams the objects into a zip (multipart upload under jobs/)',
      memorySize: OBJECT_ZIP_MEMORY_MB,
      timeout: OBJECT_ZIP_TIMEOUT,
    })
      .bindTable(data, ['dynamodb:GetItem', 'dynamodb:UpdateItem'])
      .bindBucketWritingUnder('objects', data, 'jobs/');
    acknowledgeWildcardResources(
      this.zipWorker.role,
      [`${data.buckets.objects.arn}/*`, `${data.buckets.objects.arn}/jobs/*`],
      "The zip worker reads any organisation's objects (keys decided at run time, each job's own organisation only) and writes only zips under jobs/; object actions only.",
    );
    // The worker fails a job on its last delivery, so it must know which one that is.
    this.zipWorker.function.addEnvironment('LCS_JOB_MAX_RECEIVES', String(settings.jobs.maxReceiveCount));
    this.zipWorker.function.addEventSource(
      new SqsEventSource(this.zipQueue, { batchSize: 1, reportBatchItemFailures: true, maxBatchingWindow: Duration.seconds(0) }),
    );

    this.reconcilerFailures = new Queue(this, 'ReconcilerFailures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.reconcilerFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter destination (failed reconciler invocations and undeliverable task events); nothing consumes it automatically.',
    });
    this.reconciler = new ApiFunction(this, 'Reconciler', {
      entry: RECONCILER_ENTRY,
      settings,
      description: 'ECS task stopped: fails or retries the job of a runner task that died',
      timeout: Duration.seconds(60),
    })
      .bindTable(data, 'readWrite')
      .bindJobs(jobs, 'send');
    this.reconciler.function.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(this.reconcilerFailures) });

    this.taskStopped = new Rule(this, 'TaskStopped', {
      description: `Lean Cloud Server ${settings.stage}: runner task stopped → reconciler`,
      eventPattern: {
        source: ['aws.ecs'],
        detailType: ['ECS Task State Change'],
        detail: { clusterArn: [this.cluster.clusterArn], lastStatus: ['STOPPED'] },
      },
      targets: [new LambdaFunction(this.reconciler.function, { retryAttempts: 8, maxEventAge: Duration.hours(6), deadLetterQueue: this.reconcilerFailures })],
    });

    const minute = Duration.minutes(1);
    const alarm = (make: () => Alarm) => this.alarms.push(make());
    alarm(() =>
      this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: minute, statistic: 'Maximum' }).createAlarm(this, 'JobsDeadLettersAlarm', {
        alarmDescription: `Lean Cloud Server ${settings.stage}: job messages in the dead-letter queue (a job could not be dispatched ${settings.jobs.maxReceiveCount} times); see docs/jobs.md`,
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    alarm(() =>
      this.queue.metricApproximateAgeOfOldestMessage({ period: minute, statistic: 'Maximum' }).createAlarm(this, 'JobsQueueAgeAlarm', {
        alarmDescription: `Lean Cloud Server ${settings.stage}: a job message waited more than ${settings.jobs.queueAgeAlarmSeconds} s (no free node for long, or the dispatcher failing)`,
        threshold: settings.jobs.queueAgeAlarmSeconds,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    alarm(() =>
      this.zipDeadLetters.metricApproximateNumberOfMessagesVisible({ period: minute, statistic: 'Maximum' }).createAlarm(this, 'ObjectZipDeadLettersAlarm', {
        alarmDescription: `Lean Cloud Server ${settings.stage}: object/get zip jobs failed ${settings.jobs.maxReceiveCount} deliveries (their downloads answer an error); the zip worker's log says why`,
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    alarm(() =>
      this.reconcilerFailures.metricApproximateNumberOfMessagesVisible({ period: minute, statistic: 'Maximum' }).createAlarm(this, 'ReconcilerFailuresAlarm', {
        alarmDescription: `Lean Cloud Server ${settings.stage}: a stopped runner task could not be reconciled (its job may show as running); see docs/jobs.md`,
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    alarm(() =>
      new Metric({
        namespace: metricsNamespace(settings),
        metricName: 'TaskDeaths',
        dimensionsMap: { service: SERVICE_NAME },
        statistic: 'Sum',
        period: Duration.minutes(5),
      }).createAlarm(this, 'TaskDeathsAlarm', {
        alarmDescription: `Lean Cloud Server ${settings.stage}: runner tasks died under their jobs (out of memory, crash, Spot reclaim); the reconciler log says which`,
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    // One alarm across all deployments each (design §8): the live watchdog publishes the oldest
    // heartbeat among running deployments; the reconciler counts live tasks that died under ECS.
    const liveMetric = (metricName: string, statistic: string) =>
      new Metric({ namespace: metricsNamespace(settings), metricName, dimensionsMap: { service: SERVICE_NAME }, statistic, period: minute });
    alarm(() =>
      liveMetric('LiveHeartbeatAgeSeconds', 'Maximum').createAlarm(this, 'LiveStaleHeartbeatAlarm', {
        alarmDescription: `Lean Cloud Server ${settings.stage}: a running live deployment published nothing for more than ${settings.live.staleHeartbeatSeconds} s (LEAN hung, or its runner cannot reach the table); docs/live.md`,
        threshold: settings.live.staleHeartbeatSeconds,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    alarm(() =>
      liveMetric('LiveRestarts', 'Sum').createAlarm(this, 'LiveRestartsAlarm', {
        alarmDescription: `Lean Cloud Server ${settings.stage}: a live algorithm crashed or its task died and was restarted; live/read and the deployment's logs say why`,
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    // The Python syntax check (~100 KB of grammar) in a function of its own, so the API functions
    // that need it stay small (design §7); only the routes declaring `syntaxCheck` may invoke it.
    // It gets files and answers errors: no table, bucket or queue.
    this.syntaxCheck = new ApiFunction(this, 'SyntaxCheck', {
      entry: SYNTAX_CHECK_ENTRY,
      settings,
      description: 'Python syntax check for compile/create and ai/tools/syntax-check (invoked synchronously)',
      // More memory is more CPU: the parse is CPU-bound and an API call waits for it.
      memorySize: 1024,
      timeout: Duration.seconds(20),
    });

    new CfnOutput(this, 'JobsQueueUrl', { value: this.queue.queueUrl, description: 'Jobs queue (compile builds, backtests)' });
    new CfnOutput(this, 'JobsDeadLetterQueueUrl', { value: this.deadLetters.queueUrl, description: 'Job messages that failed every delivery' });
    new CfnOutput(this, 'ClusterName', { value: this.cluster.clusterName, description: 'ECS cluster of the runner tasks' });
    new CfnOutput(this, 'RunnerLogGroup', { value: this.runner.logGroup.logGroupName, description: 'Runner task logs (LEAN output)' });
    new CfnOutput(this, 'LiveRunnerLogGroup', { value: this.liveRunner.logGroup.logGroupName, description: 'Live deployment logs (LEAN live output)' });
  }

  /** The syntax-check function as the functions that invoke it reference it. */
  syntaxCheckRefs(): SyntaxCheckRefs {
    return { functionName: this.syntaxCheck.function.functionName, functionArn: this.syntaxCheck.function.functionArn };
  }

  /** The zip queue as object/get's function references it. */
  zipQueueRefs(): ZipQueueRefs {
    return { queueUrl: this.zipQueue.queueUrl, queueArn: this.zipQueue.queueArn };
  }

  /** The queue and cluster as functions of other stacks reference them. */
  jobsRefs(): JobsRefs {
    return { queueUrl: this.queue.queueUrl, queueArn: this.queue.queueArn, clusterArn: this.cluster.clusterArn, clusterName: this.cluster.clusterName };
  }
}
