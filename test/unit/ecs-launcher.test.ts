import { clientToken, type EcsLauncherSettings, ecsLauncher, ecsSettingsFromEnv, isCapacityFailure, startedBy } from '../../core/aws/ecs-task-runner';
import type { JobMessage } from '../../core/ports/task-runner';
import { LaunchRefused } from '../../core/ports/task-runner';
import { type Loopback, startLoopback } from '../support/loopback';

/**
 * The ECS launcher against a loopback stand-in for ECS's JSON protocol: the RunTask request the
 * real SDK sends (task definition, capacity provider, idempotency token, network, overrides), the
 * Spot → on-demand fallback, StopTask.
 */
interface RunTaskBody {
  capacityProviderStrategy: { capacityProvider: string }[];
  clientToken: string;
  taskDefinition: string;
  task: string;
  [key: string]: unknown;
}
type Call = { target: string; body: RunTaskBody };
let ecs: Loopback;
const calls: Call[] = [];
/** What the stand-in answers RunTask with, per capacity provider; default: a task. */
let spotAnswer: 'task' | 'capacity' | 'other' = 'task';

const CLUSTER = 'arn:aws:ecs:eu-west-1:123456789012:cluster/lcs-test-jobs';
const settings: EcsLauncherSettings = {
  clusterArn: CLUSTER,
  taskDefinitions: { 'B2-8': 'arn:aws:ecs:eu-west-1:123456789012:task-definition/lcs-test-runner-b2-8:3' },
  subnetIds: ['subnet-a', 'subnet-b'],
  securityGroupId: 'sg-1',
  spot: true,
};

beforeAll(async () => {
  ecs = await startLoopback((req, res) => {
    const target = String(req.headers['x-amz-target']).replace('AmazonEC2ContainerServiceV20141113.', '');
    const body = JSON.parse(req.body) as RunTaskBody;
    calls.push({ target, body });
    res.setHeader('content-type', 'application/x-amz-json-1.1');
    if (target === 'RunTask') {
      const provider = body.capacityProviderStrategy?.[0]?.capacityProvider;
      if (provider === 'FARGATE_SPOT' && spotAnswer !== 'task') {
        const reason =
          spotAnswer === 'capacity' ? 'Capacity is unavailable at this time. Please try again later or in a different availability zone' : 'MISSING';
        res.end(JSON.stringify({ tasks: [], failures: [{ reason, arn: body.taskDefinition }] }));
        return;
      }
      res.end(JSON.stringify({ tasks: [{ taskArn: `arn:aws:ecs:eu-west-1:123456789012:task/lcs-test-jobs/${provider}-${body.clientToken}` }], failures: [] }));
      return;
    }
    if (target === 'StopTask') {
      if (String(body.task).endsWith('/gone')) {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'InvalidParameterException', message: 'The referenced task was not found.' }));
        return;
      }
      res.end(JSON.stringify({ task: { taskArn: body.task, lastStatus: 'STOPPED' } }));
      return;
    }
    res.statusCode = 400;
    res.end(JSON.stringify({ __type: 'UnknownOperationException', message: target }));
  });
});

afterAll(() => ecs.close());

beforeEach(() => {
  calls.length = 0;
  spotAnswer = 'task';
});

const clientConfig = () => ({ endpoint: ecs.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const launcher = (overrides: Partial<EcsLauncherSettings> = {}) => ecsLauncher(() => ({ ...settings, ...overrides }), clientConfig());
const job: JobMessage = { kind: 'backtest', orgId: 'org1', projectId: 42, backtestId: 'a'.repeat(32), attempt: 1 };

test('RunTask: the SKU task definition on Fargate Spot, public IP in the given subnets, idempotency token, the job as an override', async () => {
  const { taskRef } = await launcher().launch({ job, sku: 'B2-8', token: `${job.backtestId}-1` });
  expect(taskRef).toBe(`arn:aws:ecs:eu-west-1:123456789012:task/lcs-test-jobs/FARGATE_SPOT-${job.backtestId}-1`);
  expect(calls).toHaveLength(1);
  const { target, body } = calls[0]!;
  expect(target).toBe('RunTask');
  expect(body).toMatchObject({
    cluster: CLUSTER,
    taskDefinition: settings.taskDefinitions['B2-8'],
    count: 1,
    capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
    networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a', 'subnet-b'], securityGroups: ['sg-1'], assignPublicIp: 'ENABLED' } },
    clientToken: `${job.backtestId}-1`,
    startedBy: `${job.backtestId}-1`,
    overrides: { containerOverrides: [{ name: 'runner', environment: [{ name: 'LCS_JOB', value: JSON.stringify(job) }] }] },
  });
  expect(body.launchType).toBeUndefined(); // a capacity provider strategy excludes a launch type
  expect(body.tags).toEqual(
    expect.arrayContaining([
      { key: 'lcs:job-kind', value: 'backtest' },
      { key: 'lcs:job-id', value: job.backtestId },
    ]),
  );
});

test('no Spot capacity: falls back to on-demand Fargate with its own token; a repeat finds the same task', async () => {
  spotAnswer = 'capacity';
  const first = await launcher().launch({ job, sku: 'B2-8', token: 'tok-1' });
  expect(calls.map((c) => c.body.capacityProviderStrategy[0]!.capacityProvider)).toEqual(['FARGATE_SPOT', 'FARGATE']);
  expect(calls.map((c) => c.body.clientToken)).toEqual(['tok-1', 'tok-1-od']);
  expect(first.taskRef).toMatch(/\/FARGATE-tok-1-od$/);
  const again = await launcher().launch({ job, sku: 'B2-8', token: 'tok-1' });
  expect(again.taskRef).toBe(first.taskRef);
});

test('a failure other than capacity is not retried on another provider, and is an ordinary (retryable) error', async () => {
  spotAnswer = 'other';
  const failed = launcher().launch({ job, sku: 'B2-8', token: 'tok-2' });
  await expect(failed).rejects.toThrow(/RunTask started no task: FARGATE_SPOT: MISSING/);
  await expect(failed).rejects.not.toBeInstanceOf(LaunchRefused);
  expect(calls).toHaveLength(1);
});

test('Spot off: on-demand Fargate only, with the plain token', async () => {
  await launcher({ spot: false }).launch({ job, sku: 'B2-8', token: 'tok-3' });
  expect(calls.map((c) => [c.body.capacityProviderStrategy[0]!.capacityProvider, c.body.clientToken])).toEqual([['FARGATE', 'tok-3']]);
});

test('an unknown SKU is refused without calling ECS', async () => {
  await expect(launcher().launch({ job, sku: 'B64-512', token: 'tok-4' })).rejects.toBeInstanceOf(LaunchRefused);
  expect(calls).toHaveLength(0);
});

test('StopTask: in the task ARN’s cluster, with the reason; an unknown task is already stopped', async () => {
  const taskArn = 'arn:aws:ecs:eu-west-1:123456789012:task/other-cluster/abc';
  await launcher().stop(taskArn, 'x'.repeat(300));
  expect(calls[0]).toEqual({ target: 'StopTask', body: { cluster: 'other-cluster', task: taskArn, reason: 'x'.repeat(255) } });
  await expect(launcher().stop('arn:aws:ecs:eu-west-1:123456789012:task/lcs-test-jobs/gone', 'delete')).resolves.toBeUndefined();
});

test('tokens, startedBy and capacity failures', () => {
  expect(clientToken('short-token')).toBe('short-token');
  const long = clientToken('x'.repeat(80));
  expect(long).toMatch(/^[0-9a-f]{64}$/);
  expect(clientToken('x'.repeat(80))).toBe(long);
  expect(startedBy(job)).toHaveLength(34);
  expect(startedBy({ kind: 'build', orgId: 'o', projectId: 1, compileId: `${'c'.repeat(40)}`, attempt: 1 }).length).toBeLessThanOrEqual(36);
  expect(isCapacityFailure('RESOURCE:MEMORY')).toBe(true);
  expect(isCapacityFailure('Capacity is unavailable at this time.')).toBe(true);
  expect(isCapacityFailure('MISSING')).toBe(false);
});

test('settings from the environment', () => {
  const env = {
    CLUSTER_ARN: CLUSTER,
    TASK_DEFINITIONS: JSON.stringify(settings.taskDefinitions),
    SUBNET_IDS: 'subnet-a,subnet-b',
    SECURITY_GROUP_ID: 'sg-1',
    LCS_SPOT: 'false',
  };
  expect(ecsSettingsFromEnv(env)).toEqual({ ...settings, spot: false });
  expect(() => ecsSettingsFromEnv({ ...env, TASK_DEFINITIONS: 'not json' })).toThrow(/TASK_DEFINITIONS/);
  expect(() => ecsSettingsFromEnv({})).toThrow(/CLUSTER_ARN/);
});
