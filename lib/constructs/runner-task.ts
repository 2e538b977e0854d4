import { Aws, Duration, Size, Validations } from 'aws-cdk-lib';
import { DockerImageAsset, Platform } from 'aws-cdk-lib/aws-ecr-assets';
import {
  AwsLogDriverMode,
  ContainerImage,
  CpuArchitecture,
  Secret as EcsSecret,
  FargateTaskDefinition,
  LinuxParameters,
  LogDrivers,
  OperatingSystemFamily,
} from 'aws-cdk-lib/aws-ecs';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IStringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { Sku } from '../../core/shared/catalog';
import { RUNNER_CONTAINER } from '../../core/shared/deployment-names';
import { type BucketName, bucketVariable } from '../../lambdas/api/routes/route-types';
import type { Settings } from '../config/settings';
import { metricsNamespace, removalPolicy, retentionDays, SERVICE_NAME } from '../naming';
import { BUCKET_READ_ACTIONS, BUCKET_WRITE_ACTIONS, type DataRefs, indexArns, type JobsRefs, TABLE_READ_ACTIONS, TABLE_WRITE_ACTIONS } from './api-function';
import { projectRoot } from './bundling';
import { acknowledgeWildcardResources } from './nag-ids';
import { TOKEN_KEY_CONDITION } from './token-key';

/**
 * The runner's task definitions (design §7, lean-runtime §1, §7): one per backtest SKU, all running
 * the same image (`runner/Dockerfile`: the LEAN engine image plus Node and the bundled runner),
 * with one task role and one execution role between them.
 */

/** Fargate's CPU units and the memory (MiB) each allows: [min, max, step]. */
const FARGATE_SIZES: [cpu: number, min: number, max: number, step: number][] = [
  [256, 512, 2048, 512],
  [512, 1024, 4096, 1024],
  [1024, 2048, 8192, 1024],
  [2048, 4096, 16384, 1024],
  [4096, 8192, 30720, 1024],
  [8192, 16384, 61440, 4096],
  [16384, 32768, 122880, 8192],
];

/**
 * Below 1 vCPU the .NET JIT and pythonnet start very slowly, and below a few GB Python algorithms
 * risk running out of memory (lean-runtime §7): no runner task is smaller than this.
 */
export const LEAN_MIN_TASK = { cpu: 1024, memoryMiB: 4096 } as const;

export interface FargateSize {
  cpu: number;
  memoryMiB: number;
}

/** The smallest valid Fargate size with at least the SKU's vCPU and memory (and the LEAN floor). */
export function fargateSize(sku: Pick<Sku, 'vcpu' | 'ramGb'>, floor: FargateSize = LEAN_MIN_TASK): FargateSize {
  const wantCpu = Math.max(Math.ceil(sku.vcpu * 1024), floor.cpu);
  const wantMemory = Math.max(Math.ceil(sku.ramGb * 1024), floor.memoryMiB);
  for (const [cpu, min, max, step] of FARGATE_SIZES) {
    if (cpu < wantCpu || wantMemory > max) continue;
    const memoryMiB = Math.max(min, Math.ceil(wantMemory / step) * step);
    if (memoryMiB <= max) return { cpu, memoryMiB };
  }
  throw new Error(`No Fargate task size has ${sku.vcpu} vCPU and ${sku.ramGb} GB`);
}

/** Task definition family of a SKU: `lcs-<stage>-runner-b2-8`. */
export function runnerFamily(prefix: string, sku: string): string {
  return `${prefix}-runner-${sku.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;
}

export interface RunnerTaskProps {
  settings: Settings;
  /** `lcs-<stage>`. */
  prefix: string;
  skus: readonly Sku[];
  data: DataRefs;
  jobs: Pick<JobsRefs, 'queueUrl' | 'queueArn'>;
  /** Holds the API's base URL (`…/api/v2/`); written by the API stack, read by ECS at task start. */
  apiUrlParameter: IStringParameter;
  /**
   * What the tasks run: backtest and build jobs (one task each), or live deployments (one
   * service each, whose execution role also reads the deployment's secret at task start).
   */
  purpose?: 'jobs' | 'live';
  /** The runner image, when another RunnerTask already builds it (one image for all tasks). */
  image?: DockerImageAsset;
}

export class RunnerTask extends Construct {
  readonly taskRole: Role;
  readonly executionRole: Role;
  readonly logGroup: LogGroup;
  readonly image: DockerImageAsset;
  /** SKU → its task definition. */
  readonly taskDefinitions = new Map<string, FargateTaskDefinition>();
  /** SKU → the Fargate size it runs on. */
  readonly sizes = new Map<string, FargateSize>();

  constructor(scope: Construct, id: string, props: RunnerTaskProps) {
    super(scope, id);
    const { settings, data } = props;
    const live = props.purpose === 'live';

    this.taskRole = new Role(this, 'TaskRole', {
      assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `Lean Cloud Server ${settings.stage}: ${live ? 'live runner tasks (deployment state, results, object store, market data)' : 'runner tasks (job state, results, object store, market data)'}`,
    });
    this.grantRunnerAccess(data, props.jobs);

    this.executionRole = new Role(this, 'ExecutionRole', {
      assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `Lean Cloud Server ${settings.stage}: ECS pulls the runner image, writes its logs, reads the API URL parameter${live ? ' and the deployment secret' : ''}`,
    });

    this.logGroup = new LogGroup(this, 'Logs', { retention: retentionDays(settings.logRetentionDays), removalPolicy: removalPolicy(settings) });

    // Built and pushed by `cdk deploy` only (synth hashes the context, no Docker engine needed).
    // The context is the repository root, cut down by /.dockerignore to what the build reads.
    this.image =
      props.image ??
      new DockerImageAsset(this, 'Image', {
        directory: projectRoot(),
        file: 'runner/Dockerfile',
        platform: Platform.LINUX_AMD64,
        buildArgs: { LEAN_IMAGE: settings.jobs.leanImage },
      });
    this.image.repository.grantPull(this.executionRole);
    Validations.of(this.executionRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ecr:GetAuthorizationToken (pulling the runner image) supports no resource-level permissions; every other grant of this role names its resource.',
    });

    // The runner checks these at start (runner/settings.ts, core/shared/config.ts) and stops on a malformed one.
    const environment: Record<string, string> = {
      TABLE_NAME: data.tableName,
      ...Object.fromEntries((Object.keys(data.buckets) as BucketName[]).map((name) => [bucketVariable(name), data.buckets[name].name])),
      JOBS_QUEUE_URL: props.jobs.queueUrl,
      LCS_TOKEN_KMS_KEY_ID: data.keyArn,
      LCS_BACKTEST_MAX_SECONDS: String(settings.jobs.backtestMaxSeconds),
      AWS_REGION: Aws.REGION,
      LCS_LOG_LEVEL: settings.logLevel,
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: metricsNamespace(settings),
    };

    for (const sku of props.skus) {
      const size = fargateSize(sku);
      this.sizes.set(sku.sku, size);
      const family = runnerFamily(props.prefix, sku.sku);
      const task = new FargateTaskDefinition(this, `Task${sku.sku.replace(/[^A-Za-z0-9]/g, '')}`, {
        family,
        cpu: size.cpu,
        memoryLimitMiB: size.memoryMiB,
        ephemeralStorageGiB: settings.jobs.ephemeralStorageGiB,
        runtimePlatform: { cpuArchitecture: CpuArchitecture.X86_64, operatingSystemFamily: OperatingSystemFamily.LINUX },
        taskRole: this.taskRole,
        executionRole: this.executionRole,
      });
      task.addContainer(RUNNER_CONTAINER, {
        containerName: RUNNER_CONTAINER,
        image: ContainerImage.fromDockerImageAsset(this.image),
        essential: true,
        // The runner is PID 1's child: tini reaps LEAN's orphaned processes and forwards SIGTERM.
        linuxParameters: new LinuxParameters(this, `Linux${sku.sku.replace(/[^A-Za-z0-9]/g, '')}`, { initProcessEnabled: true }),
        // Fargate's maximum: the runner forwards SIGINT to LEAN and uploads what it has (live: LEAN's final files).
        stopTimeout: Duration.seconds(120),
        // The runner names the limit in an out-of-memory error.
        environment: { ...environment, LCS_TASK_MEMORY_MB: String(size.memoryMiB) },
        secrets: { LCS_API_URL: EcsSecret.fromSsmParameter(props.apiUrlParameter) },
        logging: LogDrivers.awsLogs({
          logGroup: this.logGroup,
          streamPrefix: family,
          // LEAN logs a lot: a slow log stream must never stall the engine.
          mode: AwsLogDriverMode.NON_BLOCKING,
          maxBufferSize: Size.mebibytes(25),
        }),
      });
      Validations.of(task).acknowledge({
        id: 'AwsSolutions-ECS2',
        reason:
          'The environment holds resource names and limits only (table, buckets, queue URL, key id); the one secret-like value, the API URL, comes from SSM, and job data arrives per task.',
      });
      this.taskDefinitions.set(sku.sku, task);
    }
  }

  /**
   * The execution role reads the deployment secrets (`<prefix>/live/*`) when ECS starts a live
   * task and injects the one its definition names; the task role, which the algorithm could reach,
   * gets no secret access at all. Secrets are encrypted with the app key, decrypted through
   * Secrets Manager only.
   */
  grantLiveSecrets(secretArnPattern: string, keyArn: string): void {
    this.executionRole.addToPrincipalPolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secretArnPattern] }));
    this.executionRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Aws.REGION}.amazonaws.com` } },
      }),
    );
    acknowledgeWildcardResources(
      this.executionRole,
      [secretArnPattern],
      'Each live deployment has its own secret, created at deploy time under this name prefix; ECS reads only the one a deployment’s task definition names.',
    );
  }

  /**
   * Email and SMS notifications of live deployments (docs/live.md): the runner sends them with the
   * task role. Email: `ses:SendEmail` on the one verified identity, with the sender address as the
   * only allowed `From`. SMS: SNS `Publish` straight to a phone number names no resource (no
   * topic), so it is granted on `*`; publishing to any topic is denied, so the grant reaches phone
   * numbers only. Answers the runners' `LCS_NOTIFY_CHANNELS` (what `live/create` accepts).
   */
  grantNotifications(notifications: { emailFrom?: string; emailIdentity?: string; sms: boolean }): string {
    const channels: string[] = [];
    const env = (name: string, value: string) => {
      for (const task of this.taskDefinitions.values()) task.defaultContainer?.addEnvironment(name, value);
    };
    if (notifications.emailFrom) {
      const identity = notifications.emailIdentity ?? notifications.emailFrom;
      this.taskRole.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['ses:SendEmail'],
          resources: [`arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:identity/${identity}`],
          conditions: { StringEquals: { 'ses:FromAddress': notifications.emailFrom } },
        }),
      );
      env('LCS_EMAIL_FROM', notifications.emailFrom);
      channels.push('email');
    }
    if (notifications.sms) {
      this.taskRole.addToPrincipalPolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] }));
      this.taskRole.addToPrincipalPolicy(new PolicyStatement({ effect: Effect.DENY, actions: ['sns:Publish'], resources: [`arn:${Aws.PARTITION}:sns:*:*:*`] }));
      Validations.of(this.taskRole).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'SNS Publish to a phone number (SMS notifications of live deployments) has no resource ARN and must be granted on *; a Deny on every topic ARN keeps the grant to phone numbers.',
      });
      env('LCS_SMS', 'true');
      channels.push('sms');
    }
    return channels.join(',');
  }

  /**
   * Exactly what the runner does: job state in the table, compile snapshots and results in the
   * artifacts bucket, the organisation's object store, market data (read), the job's own API
   * credential (encrypted with the key), and re-queueing a job.
   */
  private grantRunnerAccess(data: DataRefs, jobs: Pick<JobsRefs, 'queueArn'>): void {
    const allow = (actions: readonly string[], resources: string[], conditions?: Record<string, unknown>) =>
      this.taskRole.addToPrincipalPolicy(new PolicyStatement({ actions: [...actions], resources, ...(conditions ? { conditions } : {}) }));
    const via = (service: string) => ({ StringEquals: { 'kms:ViaService': `${service}.${Aws.REGION}.amazonaws.com` } });

    allow(TABLE_READ_ACTIONS, [data.tableArn, ...indexArns(data.tableArn)]);
    allow(TABLE_WRITE_ACTIONS, [data.tableArn]);
    allow(['kms:Decrypt', 'kms:GenerateDataKey'], [data.keyArn], via('dynamodb'));

    const access: Record<BucketName, 'read' | 'readWrite'> = { artifacts: 'readWrite', objects: 'readWrite', data: 'read' };
    for (const [name, level] of Object.entries(access) as [BucketName, 'read' | 'readWrite'][]) {
      const bucket = data.buckets[name];
      allow(BUCKET_READ_ACTIONS.bucket, [bucket.arn]);
      allow(level === 'readWrite' ? [...BUCKET_READ_ACTIONS.objects, ...BUCKET_WRITE_ACTIONS.objects] : BUCKET_READ_ACTIONS.objects, [`${bucket.arn}/*`]);
      acknowledgeWildcardResources(
        this.taskRole,
        [`${bucket.arn}/*`],
        `The runner ${level === 'read' ? 'reads' : 'reads and writes'} ${name}-bucket objects under per-organisation and per-job key prefixes decided at run time; only object actions are granted on <bucket>/*.`,
      );
    }
    allow(['kms:Decrypt', 'kms:GenerateDataKey'], [data.keyArn], via('s3'));
    // The runner mints each job's credential (LEAN's api-access-token), stored encrypted with the
    // key: it encrypts only, so it can no longer decrypt any user's API token (issue 12 item 4).
    allow(['kms:Encrypt'], [data.keyArn], TOKEN_KEY_CONDITION);
    allow(['sqs:SendMessage'], [jobs.queueArn]);
  }
}
