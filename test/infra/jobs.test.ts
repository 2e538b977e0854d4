import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SKUS } from '../../core/shared/catalog';
import { TABLE_SCHEMA } from '../../core/shared/table-schema';
import type { LcsApp } from '../../lib/app';
import { DEFAULT_LEAN_IMAGE, settingsSchema } from '../../lib/config/settings';
import { fargateSize, LEAN_MIN_TASK } from '../../lib/constructs/runner-task';
import { API_BASE_PATH } from '../../lib/stacks/api-group-stack';
import { DISPATCHER_BATCH_SIZE, DISPATCHER_TIMEOUT, OBJECT_ZIP_MEMORY_MB, OBJECT_ZIP_TIMEOUT } from '../../lib/stacks/jobs-stack';
import { LEAN_IMAGE } from '../../runner/lean/image';
import { runnerSettings } from '../../runner/settings';
import { buildApp, type CfnTemplate, envOf, grantsOf, type Json, logicalId, policyOf, propsOf, render, statementsOf, templateOf } from './fixture';

/**
 * The jobs stack: network without NAT, the cluster, one runner task definition per backtest SKU,
 * the queues, the dispatcher and reconciler with exactly the grants they need, alarms.
 */
let lcs: LcsApp;
let jobs: CfnTemplate;
let outputs: Record<string, unknown>;

beforeAll(() => {
  lcs = buildApp({ jobs: { maxReceiveCount: 3, queueAgeAlarmSeconds: 600 } });
  jobs = templateOf(lcs.jobs).json;
  outputs = Object.fromEntries(Object.entries(templateOf(lcs.stateful).json.Outputs ?? {}).map(([k, v]) => [k, v.Value]));
}, 120_000);

const resourcesOf = (t: CfnTemplate, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);
const BACKTEST_SKUS = SKUS.filter((s) => s.kind === 'backtest');
/** Backtests' and optimization points' task sizes: one runner task definition each. */
const RUNNER_SKUS = SKUS.filter((s) => s.kind === 'backtest' || s.kind === 'optimization');
const INDEXES = Object.values(TABLE_SCHEMA.indexes).map((i) => i.name);
const array = (value: unknown) => ([] as unknown[]).concat(value);
/** ECS authorises these on no resource (live deployments register a definition each). */
const TASK_DEFINITION_ACTIONS = ['ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition', 'ecs:DeregisterTaskDefinition'];
/** The properties of the one resource of a type. */
function only(t: CfnTemplate, type: string): Json {
  const found = resourcesOf(t, type);
  expect(found).toHaveLength(1);
  return found[0]![1].Properties ?? {};
}

/** Labels for the stateful resources as the jobs stack sees them (through stack outputs). */
function statefulLabels(): Record<string, string> {
  const s = lcs.stateful;
  return {
    [`<${logicalId(s.table.node.defaultChild!)}.Arn>`]: 'table',
    [`<${logicalId(s.key.node.defaultChild!)}.Arn>`]: 'key',
    [`<${logicalId(s.artifactsBucket.node.defaultChild!)}.Arn>`]: 'bucket:artifacts',
    [`<${logicalId(s.dataBucket.node.defaultChild!)}.Arn>`]: 'bucket:data',
    [`<${logicalId(s.objectsBucket.node.defaultChild!)}.Arn>`]: 'bucket:objects',
    [`<${logicalId(lcs.jobs.queue.node.defaultChild!)}.Arn>`]: 'jobs-queue',
    [`arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/<${logicalId(lcs.jobs.cluster.node.defaultChild!)}>/*`]: 'cluster-tasks',
  };
}

describe('network', () => {
  test('public subnets only, no NAT gateway or interface endpoint; every subnet routes to the internet gateway', () => {
    const types = Object.values(jobs.Resources).map((r) => r.Type);
    expect(types).not.toContain('AWS::EC2::NatGateway');
    expect(types).not.toContain('AWS::EC2::VPCEndpoint');
    const subnets = resourcesOf(jobs, 'AWS::EC2::Subnet');
    expect(subnets.length).toBeGreaterThanOrEqual(2);
    const igw = resourcesOf(jobs, 'AWS::EC2::InternetGateway')[0]![0];
    const routes = resourcesOf(jobs, 'AWS::EC2::Route').map(([, r]) => r.Properties as Json);
    const associations = resourcesOf(jobs, 'AWS::EC2::SubnetRouteTableAssociation').map(([, a]) => a.Properties as Json);
    for (const [id, subnet] of subnets) {
      // Tasks get their public IP from RunTask (assignPublicIp), not from the subnet.
      expect(subnet.Properties?.MapPublicIpOnLaunch).toBe(false);
      const table = associations.find((a) => JSON.stringify(a.SubnetId) === JSON.stringify({ Ref: id }))!.RouteTableId;
      const defaultRoute = routes.find((r) => JSON.stringify(r.RouteTableId) === JSON.stringify(table) && r.DestinationCidrBlock === '0.0.0.0/0');
      expect(defaultRoute?.GatewayId).toEqual({ Ref: igw });
    }
  });

  test('the runner security group allows no inbound traffic', () => {
    const groups = resourcesOf(jobs, 'AWS::EC2::SecurityGroup');
    expect(groups).toHaveLength(1);
    expect(groups[0]![1].Properties?.SecurityGroupIngress).toBeUndefined();
    expect(resourcesOf(jobs, 'AWS::EC2::SecurityGroupIngress')).toHaveLength(0);
    expect(groups[0]![1].Properties?.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: '-1' })]);
  });

  test('rejected traffic is flow-logged', () => {
    const flowLog = { Properties: only(jobs, 'AWS::EC2::FlowLog') };
    expect(flowLog.Properties).toMatchObject({ TrafficType: 'REJECT', ResourceType: 'VPC' });
  });
});

describe('cluster and task definitions', () => {
  test('Fargate and Fargate Spot capacity providers, Container Insights', () => {
    const cluster = { Properties: only(jobs, 'AWS::ECS::Cluster') };
    expect(cluster.Properties.ClusterName).toBe('lcs-test-jobs');
    expect(cluster.Properties.ClusterSettings).toEqual([{ Name: 'containerInsights', Value: 'enabled' }]);
    const providers = { Properties: only(jobs, 'AWS::ECS::ClusterCapacityProviderAssociations') };
    expect((providers.Properties.CapacityProviders as string[]).sort()).toEqual(['FARGATE', 'FARGATE_SPOT']);
  });

  test('Fargate sizes: the lean-runtime §7 mapping, never below the LEAN floor, always a valid Fargate size', () => {
    const expected: Record<string, [number, number]> = { 'B-MICRO': [1024, 4096], 'B2-8': [2048, 8192], 'B4-12': [4096, 12288], 'B8-16': [8192, 16384] };
    for (const sku of BACKTEST_SKUS) expect(fargateSize(sku)).toEqual({ cpu: expected[sku.sku]![0], memoryMiB: expected[sku.sku]![1] });
    expect(fargateSize({ vcpu: 0.25, ramGb: 0.5 }, { cpu: 0, memoryMiB: 0 })).toEqual({ cpu: 256, memoryMiB: 512 });
    expect(fargateSize({ vcpu: 2, ramGb: 17 })).toEqual({ cpu: 4096, memoryMiB: 17408 });
    expect(fargateSize({ vcpu: 8, ramGb: 17 })).toEqual({ cpu: 8192, memoryMiB: 20480 });
    expect(fargateSize({ vcpu: 0.5, ramGb: 1 })).toEqual({ cpu: LEAN_MIN_TASK.cpu, memoryMiB: LEAN_MIN_TASK.memoryMiB });
    expect(() => fargateSize({ vcpu: 32, ramGb: 64 })).toThrow(/No Fargate task size/);
  });

  test('one task definition per backtest and optimization SKU: size from the SKU table, linux/amd64, 60 GiB, own family', () => {
    const tasks = resourcesOf(jobs, 'AWS::ECS::TaskDefinition').map(([, t]) => t.Properties as Json);
    // Live SKUs have base definitions of their own (test/infra/live.test.ts).
    const live = SKUS.filter((s) => s.kind === 'live').map((s) => `lcs-test-live-runner-${s.sku.toLowerCase()}`);
    expect(tasks.map((t) => t.Family).sort()).toEqual([...RUNNER_SKUS.map((s) => `lcs-test-runner-${s.sku.toLowerCase()}`), ...live].sort());
    for (const sku of RUNNER_SKUS) {
      const task = tasks.find((t) => t.Family === `lcs-test-runner-${sku.sku.toLowerCase()}`)!;
      const size = fargateSize(sku);
      expect(task).toMatchObject({
        Cpu: String(size.cpu),
        Memory: String(size.memoryMiB),
        NetworkMode: 'awsvpc',
        RequiresCompatibilities: ['FARGATE'],
        RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
        EphemeralStorage: { SizeInGiB: 60 },
        TaskRoleArn: { 'Fn::GetAtt': [logicalId(lcs.jobs.runner.taskRole.node.defaultChild!), 'Arn'] },
        ExecutionRoleArn: { 'Fn::GetAtt': [logicalId(lcs.jobs.runner.executionRole.node.defaultChild!), 'Arn'] },
      });
      expect(Number(task.Memory)).toBeGreaterThanOrEqual(sku.ramGb * 1024);
      expect(Number(task.Cpu)).toBeGreaterThanOrEqual(sku.vcpu * 1024);
    }
  });

  test("the runner's settings accept its container's environment, with the job and API URL from their sources", () => {
    const job = { kind: 'backtest', orgId: 'org-1', projectId: 7, backtestId: 'a'.repeat(32), attempt: 1 };
    for (const [, task] of resourcesOf(jobs, 'AWS::ECS::TaskDefinition')) {
      const [container] = (task.Properties as { ContainerDefinitions: Json[] }).ContainerDefinitions as [Json];
      const env = Object.fromEntries((container.Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, render(e.Value, outputs)]));
      const settings = runnerSettings({ ...env, LCS_JOB: JSON.stringify(job), LCS_API_URL: 'https://abc123.execute-api.eu-west-1.amazonaws.com/test/api/v2/' });
      expect(settings.job).toEqual(job);
      // No LEAN command: the runner starts the LEAN image's own launcher, in its folder.
      expect(settings.backtest).toMatchObject({
        leanCommand: LEAN_IMAGE.launcher.command,
        leanCwd: LEAN_IMAGE.launcher.cwd,
        memoryMb: Number((task.Properties as Json).Memory),
      });
    }
  });

  test('the runner container: init process, 120 s stop timeout, CloudWatch logs, the runtime configuration', () => {
    const parameterName = '/lcs-test/api-url';
    for (const [, task] of resourcesOf(jobs, 'AWS::ECS::TaskDefinition')) {
      const [container] = (task.Properties as { ContainerDefinitions: Json[] }).ContainerDefinitions as [Json];
      expect(container).toMatchObject({
        Name: 'runner',
        Essential: true,
        LinuxParameters: { InitProcessEnabled: true },
        StopTimeout: 120,
        LogConfiguration: { LogDriver: 'awslogs', Options: expect.objectContaining({ mode: 'non-blocking' }) },
      });
      const env = Object.fromEntries((container.Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]));
      for (const name of ['TABLE_NAME', 'ARTIFACTS_BUCKET_NAME', 'DATA_BUCKET_NAME', 'OBJECTS_BUCKET_NAME', 'JOBS_QUEUE_URL', 'LCS_TOKEN_KMS_KEY_ID']) {
        expect(env[name]).toBeDefined();
      }
      expect(env.LCS_BACKTEST_MAX_SECONDS).toBe(String(12 * 3600));
      expect(env.LCS_TASK_MEMORY_MB).toBe((task.Properties as Json).Memory);
      expect(env.LCS_JOB).toBeUndefined(); // per task, from the RunTask override
      const secrets = container.Secrets as { Name: string; ValueFrom: unknown }[];
      expect(secrets.map((s) => s.Name)).toEqual(['LCS_API_URL']);
      expect(render(secrets[0]!.ValueFrom)).toBe(`arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter${parameterName}`);
    }
    // The API stack writes that parameter: its URL under /api/v2/.
    const parameter = { Properties: only(templateOf(lcs.api).json, 'AWS::SSM::Parameter') };
    expect(parameter.Properties.Name).toBe(parameterName);
    expect(render(parameter.Properties.Value)).toMatch(new RegExp(`/${API_BASE_PATH}/$`));
  });
});

describe('queues', () => {
  const queues = () => resourcesOf(jobs, 'AWS::SQS::Queue');
  const deadLetterTargets = () =>
    queues()
      .map(([, q]) => (q.Properties?.RedrivePolicy as Json | undefined)?.deadLetterTargetArn)
      .filter(Boolean)
      .map((arn) => JSON.stringify(arn));

  test('every queue that is not itself a dead-letter destination has one', () => {
    const targets = new Set(deadLetterTargets());
    const failures = logicalId(lcs.jobs.reconcilerFailures.node.defaultChild!);
    for (const [id, queue] of queues()) {
      const isTarget = targets.has(JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] })) || id === failures;
      expect(isTarget ? 'dead-letter queue' : queue.Properties?.RedrivePolicy).toBeDefined();
      if (!isTarget) expect(queue.Properties?.RedrivePolicy).toMatchObject({ maxReceiveCount: 3 });
    }
    // The jobs queue's and the zip queue's.
    expect(targets.size).toBe(2);
  });

  test('encrypted, TLS only', () => {
    const policies = resourcesOf(jobs, 'AWS::SQS::QueuePolicy').map(([, p]) => p);
    for (const [id, queue] of queues()) {
      expect(queue.Properties?.SqsManagedSseEnabled).toBe(true);
      const policy = policies.find((p) => JSON.stringify(p.Properties?.Queues) === JSON.stringify([{ Ref: id }]))!;
      expect(statementsOf(policy)).toEqual(
        expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      );
    }
  });

  test('jobs queue: visibility ≥ 6 × the dispatcher timeout; dead letters kept 14 days', () => {
    const queue = propsOf(jobs, lcs.jobs.queue);
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(DISPATCHER_TIMEOUT.toSeconds() * 6);
    expect(propsOf(jobs, lcs.jobs.deadLetters).MessageRetentionPeriod).toBe(14 * 24 * 3600);
    expect(propsOf(jobs, lcs.jobs.dispatcher.function).Timeout).toBe(DISPATCHER_TIMEOUT.toSeconds());
  });
});

describe('object/get zip worker', () => {
  const zipQueueId = () => logicalId(lcs.jobs.zipQueue.node.defaultChild!);

  test('consumes its own queue one job at a time, reports a failed record, and dead-letters after maxReceiveCount', () => {
    const mappings = resourcesOf(jobs, 'AWS::Lambda::EventSourceMapping')
      .map(([, m]) => m.Properties as Json)
      .filter((m) => JSON.stringify(m.EventSourceArn) === JSON.stringify({ 'Fn::GetAtt': [zipQueueId(), 'Arn'] }));
    expect(mappings).toEqual([
      expect.objectContaining({
        FunctionName: { Ref: logicalId(lcs.jobs.zipWorker.function.node.defaultChild!) },
        BatchSize: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      }),
    ]);
    const queue = propsOf(jobs, lcs.jobs.zipQueue);
    expect(queue.RedrivePolicy).toMatchObject({
      deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(lcs.jobs.zipDeadLetters.node.defaultChild!), 'Arn'] },
      maxReceiveCount: 3,
    });
    // Lambda refuses a queue whose visibility is shorter than the function's timeout; twice, so a slow build is not delivered again.
    expect(queue.VisibilityTimeout).toBe(OBJECT_ZIP_TIMEOUT.toSeconds() * 2);
    expect(propsOf(jobs, lcs.jobs.zipDeadLetters).MessageRetentionPeriod).toBe(14 * 24 * 3600);
  });

  test('sized for the download limits: a full vCPU for deflate, a 10-minute timeout', () => {
    expect(propsOf(jobs, lcs.jobs.zipWorker.function)).toMatchObject({
      MemorySize: OBJECT_ZIP_MEMORY_MB,
      Timeout: OBJECT_ZIP_TIMEOUT.toSeconds(),
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
    });
    expect(OBJECT_ZIP_MEMORY_MB).toBe(1769);
    expect(OBJECT_ZIP_TIMEOUT.toSeconds()).toBe(600);
    const env = envOf(jobs, lcs.jobs.zipWorker);
    expect(env.LCS_JOB_MAX_RECEIVES).toBe('3');
    expect(
      Object.keys(env)
        .filter((k) => k === 'TABLE_NAME' || k.endsWith('_BUCKET_NAME') || k.endsWith('_URL'))
        .sort(),
    ).toEqual(['OBJECTS_BUCKET_NAME', 'TABLE_NAME']);
  });

  test('grants exactly: the job item (get, update), read the objects bucket, write only under jobs/, consume its queue, its logs', () => {
    const labels = {
      ...statefulLabels(),
      [`<${logicalId(lcs.jobs.zipWorker.logGroup.node.defaultChild!)}.Arn>`]: 'logs',
      [`<${zipQueueId()}.Arn>`]: 'zip-queue',
    };
    expect(grantsOf(policyOf(jobs, lcs.jobs.zipWorker), labels, outputs)).toEqual(
      [
        'dynamodb:GetItem on table',
        ...INDEXES.map((i) => `dynamodb:GetItem on table/index/${i}`),
        'dynamodb:UpdateItem on table',
        'kms:Decrypt on key via dynamodb',
        'kms:Decrypt on key via s3',
        'kms:GenerateDataKey on key via s3',
        'logs:CreateLogStream on logs',
        'logs:PutLogEvents on logs',
        's3:AbortMultipartUpload on bucket:objects/jobs/*',
        's3:GetObject on bucket:objects/*',
        's3:ListBucket on bucket:objects',
        's3:PutObject on bucket:objects/jobs/*',
        // The event source mapping's, on its own queue only.
        ...['ChangeMessageVisibility', 'DeleteMessage', 'GetQueueAttributes', 'GetQueueUrl', 'ReceiveMessage'].map((a) => `sqs:${a} on zip-queue`),
        'xray:PutTelemetryRecords on *',
        'xray:PutTraceSegments on *',
      ].sort(),
    );
  });

  test('an alarm on its dead-letter queue', () => {
    const alarms = resourcesOf(jobs, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties as Json);
    const dlq = alarms.find((a) => JSON.stringify(a.Dimensions).includes(logicalId(lcs.jobs.zipDeadLetters.node.defaultChild!)));
    expect(dlq).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
  });
});

describe('dispatcher', () => {
  test('consumes the jobs queue in small batches and reports failed records one by one', () => {
    const dispatcherId = logicalId(lcs.jobs.dispatcher.function.node.defaultChild!);
    const mappings = resourcesOf(jobs, 'AWS::Lambda::EventSourceMapping')
      .map(([, m]) => m.Properties as Json)
      .filter((m) => JSON.stringify(m.FunctionName) === JSON.stringify({ Ref: dispatcherId }));
    expect(mappings).toHaveLength(1);
    expect(mappings[0]).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [logicalId(lcs.jobs.queue.node.defaultChild!), 'Arn'] },
      FunctionName: { Ref: logicalId(lcs.jobs.dispatcher.function.node.defaultChild!) },
      BatchSize: DISPATCHER_BATCH_SIZE,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(propsOf(jobs, lcs.jobs.dispatcher.function)).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'] });
  });

  test('environment: the launcher settings, the queue, the table', () => {
    const env = envOf(jobs, lcs.jobs.dispatcher);
    const definitions = render(env.TASK_DEFINITIONS);
    for (const [sku, task] of lcs.jobs.runner.taskDefinitions) expect(definitions).toContain(`"${sku}":"<${logicalId(task.node.defaultChild!)}>"`);
    expect(render(env.CLUSTER_ARN)).toBe(`<${logicalId(lcs.jobs.cluster.node.defaultChild!)}.Arn>`);
    expect(render(env.SUBNET_IDS).split(',')).toEqual(lcs.jobs.vpc.publicSubnets.map((s) => `<${logicalId(s.node.defaultChild!)}>`));
    expect(render(env.SECURITY_GROUP_ID)).toBe(`<${logicalId(lcs.jobs.securityGroup.node.defaultChild!)}.GroupId>`);
    expect(env.LCS_SPOT).toBe('true');
    // It fails a job on the delivery the queue dead-letters next: the queue's maxReceiveCount.
    expect(env.LCS_JOB_MAX_RECEIVES).toBe('3');
    expect(render(env.JOBS_QUEUE_URL)).toBe(`<${logicalId(lcs.jobs.queue.node.defaultChild!)}>`);
    expect(env.TABLE_NAME).toBeDefined();
  });

  test('grants: the table, RunTask on the runner families in this cluster, PassRole of the runner roles only, send, stop', () => {
    const document = policyOf(jobs, lcs.jobs.dispatcher);
    const families = RUNNER_SKUS.map((s) => `arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task-definition/lcs-test-runner-${s.sku.toLowerCase()}:*`);
    // The backtest runner's two roles for RunTask, the live runner's two for its services.
    const roles = [lcs.jobs.runner.taskRole, lcs.jobs.runner.executionRole, lcs.jobs.liveRunner.taskRole, lcs.jobs.liveRunner.executionRole].map(
      (r) => `<${logicalId(r.node.defaultChild!)}.Arn>`,
    );
    const labels = { ...statefulLabels(), [`<${logicalId(lcs.jobs.dispatcher.logGroup.node.defaultChild!)}.Arn>`]: 'logs' };
    const grants = grantsOf(document, labels, outputs);
    expect(grants.filter((g) => g.startsWith('ecs:RunTask')).sort()).toEqual(families.map((f) => `ecs:RunTask on ${f}`).sort());
    expect(grants.filter((g) => g.startsWith('iam:PassRole')).sort()).toEqual(roles.map((r) => `iam:PassRole on ${r}`).sort());
    expect(grants).toEqual(
      expect.arrayContaining([
        'sqs:SendMessage on jobs-queue',
        'ecs:StopTask on cluster-tasks',
        'ecs:TagResource on cluster-tasks',
        'dynamodb:PutItem on table',
        'dynamodb:UpdateItem on table',
        ...INDEXES.map((i) => `dynamodb:Query on table/index/${i}`),
      ]),
    );
    // On S3 only the artifacts bucket (an optimization point's result summary); nothing else on ECS
    // or IAM than jobs and the live-* services (test/infra/live.test.ts).
    expect(grants.filter((g) => /^s3:/.test(g) && !/ on bucket:artifacts/.test(g))).toEqual([]);
    const liveGrants = grants.filter((g) => /^ecs:\w+Services? on .*\/live-\*$/.test(g) || /^ecs:\w+TaskDefinition on \*$/.test(g));
    expect(liveGrants).toHaveLength(7);
    expect(
      grants.filter((g) => /^(iam|ecs):/.test(g) && !/^(ecs:RunTask|ecs:StopTask|ecs:TagResource|iam:PassRole) /.test(g) && !liveGrants.includes(g)),
    ).toEqual([]);
    const statements = (document as { Statement: Json[] }).Statement;
    const cluster = { 'Fn::GetAtt': [logicalId(lcs.jobs.cluster.node.defaultChild!), 'Arn'] };
    expect(statements.find((s) => s.Action === 'ecs:RunTask')?.Condition).toEqual({ ArnEquals: { 'ecs:cluster': cluster } });
    expect(statements.find((s) => s.Action === 'ecs:StopTask')?.Condition).toEqual({ ArnEquals: { 'ecs:cluster': cluster } });
    expect(statements.find((s) => s.Action === 'iam:PassRole')?.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
  });

  test('Spot can be turned off', () => {
    const onDemand = buildApp({ jobs: { spot: false } });
    expect(envOf(templateOf(onDemand.jobs).json, onDemand.jobs.dispatcher).LCS_SPOT).toBe('false');
  }, 120_000);
});

describe('reconciler', () => {
  test('EventBridge: STOPPED task state changes of this cluster only → the reconciler', () => {
    const rule = { Properties: only(jobs, 'AWS::Events::Rule') };
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.ecs'],
      'detail-type': ['ECS Task State Change'],
      detail: { clusterArn: [{ 'Fn::GetAtt': [logicalId(lcs.jobs.cluster.node.defaultChild!), 'Arn'] }], lastStatus: ['STOPPED'] },
    });
    const [target] = rule.Properties.Targets as [Json];
    expect(target.Arn).toEqual({ 'Fn::GetAtt': [logicalId(lcs.jobs.reconciler.function.node.defaultChild!), 'Arn'] });
    expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [logicalId(lcs.jobs.reconcilerFailures.node.defaultChild!), 'Arn'] } });
  });

  test('grants: the table and sending to the queue, no ECS, no S3', () => {
    const labels = { ...statefulLabels(), [`<${logicalId(lcs.jobs.reconciler.logGroup.node.defaultChild!)}.Arn>`]: 'logs' };
    const grants = grantsOf(policyOf(jobs, lcs.jobs.reconciler), labels, outputs);
    expect(grants).toEqual(expect.arrayContaining(['sqs:SendMessage on jobs-queue', 'dynamodb:UpdateItem on table', 'dynamodb:GetItem on table']));
    expect(grants.filter((g) => /^(s3|ecs|iam):/.test(g))).toEqual([]);
    expect(envOf(jobs, lcs.jobs.reconciler).JOBS_QUEUE_URL).toBeDefined();
  });
});

describe('runner roles', () => {
  const policyDocument = (role: { node: { tryFindChild(id: string): unknown } }) =>
    propsOf(jobs, role.node.tryFindChild('DefaultPolicy') as never).PolicyDocument as { Statement: Json[] };

  test('task role: exactly the table, the three buckets at their levels, the key and the queue', () => {
    const grants = grantsOf(policyDocument(lcs.jobs.runner.taskRole), statefulLabels(), outputs);
    const expected = [
      ...['GetItem', 'Query', 'BatchGetItem'].flatMap((a) => [`dynamodb:${a} on table`, ...INDEXES.map((i) => `dynamodb:${a} on table/index/${i}`)]),
      ...['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'ConditionCheckItem'].map((a) => `dynamodb:${a} on table`),
      'kms:Decrypt on key via dynamodb',
      'kms:GenerateDataKey on key via dynamodb',
      ...['artifacts', 'objects'].flatMap((b) => [
        `s3:ListBucket on bucket:${b}`,
        `s3:GetObject on bucket:${b}/*`,
        `s3:PutObject on bucket:${b}/*`,
        `s3:DeleteObject on bucket:${b}/*`,
      ]),
      's3:ListBucket on bucket:data',
      's3:GetObject on bucket:data/*',
      'kms:Decrypt on key via s3',
      'kms:GenerateDataKey on key via s3',
      'kms:Encrypt on key for purpose=lcs-api-token',
      'sqs:SendMessage on jobs-queue',
    ];
    expect(grants).toEqual([...new Set(expected)].sort());
  });

  test('no wildcard actions in any policy of the stack; "*" resources only where the action has no resource type', () => {
    for (const [, policy] of resourcesOf(jobs, 'AWS::IAM::Policy')) {
      for (const statement of statementsOf(policy)) {
        const actions = array(statement.Action) as string[];
        for (const action of actions) expect(action).not.toMatch(/\*/);
        if (array(statement.Resource).includes('*')) {
          expect(
            actions.every((a) => ['ecr:GetAuthorizationToken', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords', ...TASK_DEFINITION_ACTIONS].includes(a)),
          ).toBe(true);
        }
      }
    }
  });

  test('execution role: pull the image, write the log group, read the API URL parameter', () => {
    const actions = policyDocument(lcs.jobs.runner.executionRole).Statement.flatMap((s) => array(s.Action) as string[]);
    for (const action of actions) expect(action).toMatch(/^(ecr|logs|ssm):/);
    expect(actions).toEqual(expect.arrayContaining(['ecr:BatchGetImage', 'ecr:GetAuthorizationToken', 'logs:PutLogEvents', 'ssm:GetParameters']));
  });
});

describe('alarms and outputs', () => {
  test('dead letters > 0, oldest message age over the configured threshold, reconciler failures > 0', () => {
    const alarms = resourcesOf(jobs, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties as Json);
    const byMetric = (metric: string, queue: { node: { defaultChild?: unknown } }) =>
      alarms.find((a) => a.MetricName === metric && JSON.stringify(a.Dimensions).includes(logicalId(queue.node.defaultChild as never)));
    expect(byMetric('ApproximateNumberOfMessagesVisible', lcs.jobs.deadLetters)).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    expect(byMetric('ApproximateAgeOfOldestMessage', lcs.jobs.queue)).toMatchObject({ Threshold: 600, ComparisonOperator: 'GreaterThanThreshold' });
    expect(byMetric('ApproximateNumberOfMessagesVisible', lcs.jobs.reconcilerFailures)).toMatchObject({ Threshold: 0 });
  });

  test('task deaths (the metric the reconciler emits) alarm on the first one, in the stage namespace', () => {
    const alarms = resourcesOf(jobs, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties as Json);
    const functions = resourcesOf(jobs, 'AWS::Lambda::Function').map(([, f]) => f.Properties as Json);
    const ours = functions.map((f) => (f.Environment as { Variables?: Record<string, unknown> })?.Variables ?? {}).filter((v) => v.POWERTOOLS_SERVICE_NAME);
    const namespaces = new Set(ours.map((v) => v.POWERTOOLS_METRICS_NAMESPACE));
    // The reconciler (and every jobs function of ours) publishes where the alarm looks.
    expect(ours.length).toBeGreaterThanOrEqual(2);
    expect([...namespaces]).toEqual(['LeanCloudServer/test']);
    expect(alarms.find((a) => a.MetricName === 'TaskDeaths')).toMatchObject({
      Namespace: 'LeanCloudServer/test',
      Dimensions: [{ Name: 'service', Value: 'lean-cloud-server' }],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  test('JobsQueueUrl and ClusterName', () => {
    expect(render(jobs.Outputs?.JobsQueueUrl?.Value)).toBe(`<${logicalId(lcs.jobs.queue.node.defaultChild!)}>`);
    expect(render(jobs.Outputs?.ClusterName?.Value)).toBe(`<${logicalId(lcs.jobs.cluster.node.defaultChild!)}>`);
  });

  test('the API depends on the jobs stack, the jobs stack on the stateful stack', () => {
    expect(lcs.api.dependencies).toContain(lcs.jobs);
    expect(lcs.jobs.dependencies).toContain(lcs.stateful);
    expect(lcs.jobs.dependencies).not.toContain(lcs.api);
  });
});

describe('settings', () => {
  test('the LEAN image must be pinned by digest; an ECR mirror is accepted', () => {
    expect(settingsSchema.parse({}).jobs).toMatchObject({ spot: true, maxReceiveCount: 5, ephemeralStorageGiB: 60, leanImage: DEFAULT_LEAN_IMAGE });
    expect(() => settingsSchema.parse({ jobs: { leanImage: 'quantconnect/lean:latest' } })).toThrow(/pinned by digest/);
    const mirror = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/quantconnect/lean@sha256:${'a'.repeat(64)}`;
    expect(settingsSchema.parse({ jobs: { leanImage: mirror } }).jobs.leanImage).toBe(mirror);
    expect(() => settingsSchema.parse({ jobs: { ephemeralStorageGiB: 20 } })).toThrow();
  });

  test('the image is built from runner/Dockerfile with the configured LEAN image, for linux/amd64', () => {
    const mirror = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/quantconnect/lean@sha256:${'b'.repeat(64)}`;
    const other = buildApp({ jobs: { leanImage: mirror } });
    // The asset manifest `cdk deploy` builds from (synth itself builds nothing).
    const assembly = other.app.synth();
    const file = join(assembly.directory, `${other.jobs.artifactId}.assets.json`);
    const images = Object.values((JSON.parse(readFileSync(file, 'utf8')) as { dockerImages: Record<string, { source: Json }> }).dockerImages);
    expect(images).toHaveLength(1);
    const manifest = images[0]!.source;
    expect(manifest).toMatchObject({ dockerFile: 'runner/Dockerfile', dockerBuildArgs: { LEAN_IMAGE: mirror }, platform: 'linux/amd64' });
  }, 120_000);
});
