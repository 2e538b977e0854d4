import { type EcsLiveSettings, ecsLiveServices, ecsLiveSettingsFromEnv, liveServiceName } from '../../core/aws/ecs-live-services';
import { secretsManagerDeploymentSecrets } from '../../core/aws/secrets-manager-deployment-secrets';
import type { LiveRunnerJob } from '../../core/ports/live-services';
import { type Loopback, startLoopback } from '../support/loopback';

/**
 * The AWS side of live deployments against loopback stand-ins for ECS's and Secrets Manager's JSON
 * protocols: what the real SDK sends to run one deployment as a service (its own definition with
 * the job and the secret, on-demand, never two tasks at once), idempotent starts and removals.
 */
type Body = Record<string, unknown>;
type Call = { target: string; body: Body };

const CLUSTER = 'arn:aws:ecs:eu-west-1:123456789012:cluster/lcs-test-jobs';
const BASE = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/lcs-test-live-l-micro:2';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:lcs-test/live/L-x-AbCdEf';
const settings: EcsLiveSettings = {
  clusterArn: CLUSTER,
  taskDefinitions: { 'L-MICRO': BASE },
  subnetIds: ['subnet-a'],
  securityGroupId: 'sg-1',
  familyPrefix: 'lcs-test-live-',
  spot: false,
};
const job: LiveRunnerJob = { kind: 'live', orgId: 'org1', projectId: 7, deployId: `L-${'ab'.repeat(16)}` };

let aws: Loopback;
const calls: Call[] = [];
/** Services the stand-in knows, by name → status. */
const services = new Map<string, { status: string; taskDefinition: string }>();
let secretExists = false;

function answer(target: string, body: Body): [number, unknown] {
  switch (target) {
    case 'DescribeTaskDefinition':
      return [
        200,
        {
          taskDefinition: {
            taskDefinitionArn: BASE,
            taskRoleArn: 'arn:aws:iam::123456789012:role/task',
            executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
            networkMode: 'awsvpc',
            requiresCompatibilities: ['FARGATE'],
            cpu: '1024',
            memory: '4096',
            containerDefinitions: [
              { name: 'runner', image: 'img', environment: [{ name: 'TABLE_NAME', value: 't' }], secrets: [{ name: 'LCS_API_URL', valueFrom: 'param' }] },
            ],
          },
        },
      ];
    case 'RegisterTaskDefinition':
      return [200, { taskDefinition: { taskDefinitionArn: `arn:aws:ecs:eu-west-1:123456789012:task-definition/${body.family}:1` } }];
    case 'DescribeServices': {
      const name =
        String((body.services as string[])[0])
          .split('/')
          .pop() ?? '';
      const known = services.get(name);
      return [
        200,
        { services: known ? [{ serviceArn: `${CLUSTER.replace(':cluster/', ':service/')}/${name}`, serviceName: name, ...known }] : [], failures: [] },
      ];
    }
    case 'CreateService':
      services.set(String(body.serviceName), { status: 'ACTIVE', taskDefinition: String(body.taskDefinition) });
      return [200, { service: { serviceArn: `${CLUSTER.replace(':cluster/', ':service/')}/${body.serviceName}` } }];
    case 'DeleteService': {
      const name = String(body.service).split('/').pop() ?? '';
      if (!services.has(name)) return [400, { __type: 'ServiceNotFoundException', message: 'Service not found.' }];
      services.delete(name);
      return [200, { service: {} }];
    }
    case 'DeregisterTaskDefinition':
      return [200, { taskDefinition: {} }];
    case 'CreateSecret':
      if (secretExists) return [400, { __type: 'ResourceExistsException', message: 'exists' }];
      secretExists = true;
      return [200, { ARN: SECRET_ARN, Name: body.Name }];
    case 'PutSecretValue':
      return [200, { ARN: SECRET_ARN }];
    case 'DescribeSecret':
      return [200, { ARN: SECRET_ARN }];
    case 'DeleteSecret':
      if (!secretExists) return [400, { __type: 'ResourceNotFoundException', message: 'gone' }];
      secretExists = false;
      return [200, { ARN: SECRET_ARN }];
    default:
      return [400, { __type: 'UnknownOperationException', message: target }];
  }
}

beforeAll(async () => {
  aws = await startLoopback((req, res) => {
    const target = String(req.headers['x-amz-target']).split('.').pop() ?? '';
    const body = JSON.parse(req.body || '{}') as Body;
    calls.push({ target, body });
    const [status, out] = answer(target, body);
    res.statusCode = status;
    res.setHeader('content-type', 'application/x-amz-json-1.1');
    res.end(JSON.stringify(out));
  });
});
afterAll(() => aws.close());
beforeEach(() => {
  calls.length = 0;
  services.clear();
  secretExists = false;
});

const clientConfig = () => ({ endpoint: aws.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const live = (overrides: Partial<EcsLiveSettings> = {}) => ecsLiveServices(() => ({ ...settings, ...overrides }), clientConfig());
const body = (target: string) => calls.find((c) => c.target === target)?.body as Body;

test('start: a definition of its own with the job and the secret, then one on-demand service that never runs two tasks at once', async () => {
  const { serviceRef } = await live().start({ job, sku: 'L-MICRO', secretRef: SECRET_ARN });
  expect(serviceRef).toBe(`arn:aws:ecs:eu-west-1:123456789012:service/lcs-test-jobs/${liveServiceName(job.deployId)}`);
  expect(calls.map((c) => c.target)).toEqual(['DescribeServices', 'DescribeTaskDefinition', 'RegisterTaskDefinition', 'CreateService']);

  const registered = body('RegisterTaskDefinition');
  expect(registered.family).toBe(`lcs-test-live-l-${'ab'.repeat(16)}`);
  expect(registered).toMatchObject({
    taskRoleArn: 'arn:aws:iam::123456789012:role/task',
    executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
    cpu: '1024',
  });
  const [runner] = registered.containerDefinitions as { environment: { name: string; value: string }[]; secrets: { name: string; valueFrom: string }[] }[];
  expect(JSON.parse(runner!.environment.find((e) => e.name === 'LCS_JOB')!.value)).toEqual(job);
  expect(runner!.environment.find((e) => e.name === 'TABLE_NAME')).toBeDefined();
  // The credentials travel by reference: ECS resolves it at task start with the execution role.
  expect(runner!.secrets).toEqual([
    { name: 'LCS_API_URL', valueFrom: 'param' },
    { name: 'LCS_LIVE_SECRETS', valueFrom: SECRET_ARN },
  ]);

  const created = body('CreateService');
  expect(created).toMatchObject({
    cluster: CLUSTER,
    serviceName: liveServiceName(job.deployId),
    desiredCount: 1,
    capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }],
    deploymentConfiguration: { maximumPercent: 100, minimumHealthyPercent: 0 },
    networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a'], securityGroups: ['sg-1'], assignPublicIp: 'ENABLED' } },
  });
  expect(JSON.stringify(calls)).not.toContain('password');
});

test('start is idempotent per deployment, Spot only when opted in, and an unknown SKU is refused', async () => {
  await live({ spot: true }).start({ job, sku: 'L-MICRO' });
  expect(body('CreateService').capacityProviderStrategy).toEqual([{ capacityProvider: 'FARGATE_SPOT', weight: 1 }]);
  const [runner] = body('RegisterTaskDefinition').containerDefinitions as { secrets: { name: string }[] }[];
  expect(runner!.secrets.map((s) => s.name)).toEqual(['LCS_API_URL']);
  calls.length = 0;
  const again = await live().start({ job, sku: 'L-MICRO' });
  expect(again.serviceRef).toContain(liveServiceName(job.deployId));
  expect(calls.map((c) => c.target)).toEqual(['DescribeServices']);
  await expect(live().start({ job: { ...job, deployId: `L-${'cd'.repeat(16)}` }, sku: 'L2-4' })).rejects.toThrow(/no live task definition for node type L2-4/);
});

test('remove deletes the service and its definition, and is safe to repeat', async () => {
  const { serviceRef } = await live().start({ job, sku: 'L-MICRO' });
  calls.length = 0;
  await live().remove(serviceRef, 'stopped by the user');
  expect(calls.map((c) => c.target)).toEqual(['DescribeServices', 'DeleteService', 'DeregisterTaskDefinition']);
  expect(body('DeleteService')).toMatchObject({ cluster: CLUSTER, force: true });
  calls.length = 0;
  await live().remove(serviceRef, 'again');
  expect(calls.map((c) => c.target)).toEqual(['DescribeServices']);
});

test('deployment secrets: created with the app key and tagged, a retried create reuses the secret, removal forces deletion and repeats safely', async () => {
  const secrets = secretsManagerDeploymentSecrets(() => ({ prefix: 'lcs-test', kmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/k' }), clientConfig());
  const ref = await secrets.create(job.deployId, { 'ib-password': 's3cret' });
  expect(ref).toBe(SECRET_ARN);
  expect(body('CreateSecret')).toMatchObject({
    Name: `lcs-test/live/${job.deployId}`,
    KmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/k',
    Tags: [{ Key: 'lcs:deploy-id', Value: job.deployId }],
  });
  expect(JSON.parse(String(body('CreateSecret').SecretString))).toEqual({ 'ib-password': 's3cret' });
  calls.length = 0;
  expect(await secrets.create(job.deployId, { 'ib-password': 'other' })).toBe(SECRET_ARN);
  expect(calls.map((c) => c.target)).toEqual(['CreateSecret', 'PutSecretValue', 'DescribeSecret']);
  await secrets.remove(ref);
  expect(body('DeleteSecret')).toMatchObject({ SecretId: SECRET_ARN, ForceDeleteWithoutRecovery: true });
  await expect(secrets.remove(ref)).resolves.toBeUndefined();
});

test('settings from the environment: on-demand unless opted in, and a malformed map is named', () => {
  const env = { CLUSTER_ARN: CLUSTER, LIVE_TASK_DEFINITIONS: JSON.stringify({ 'L-MICRO': BASE }), LCS_LIVE_FAMILY_PREFIX: 'lcs-test-live-' };
  expect(ecsLiveSettingsFromEnv(env)).toMatchObject({ spot: false, taskDefinitions: { 'L-MICRO': BASE } });
  expect(() => ecsLiveSettingsFromEnv({ ...env, LIVE_TASK_DEFINITIONS: '[' })).toThrow(/LIVE_TASK_DEFINITIONS/);
});
