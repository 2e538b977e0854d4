import type { LiveServices, LiveStartRequest } from '../ports/live-services';
import { config } from '../shared/config';
import { JOB_ENV, LIVE_SECRETS_ENV, RUNNER_CONTAINER } from '../shared/deployment-names';
import { _default, minLength, object, enum as oneOf, pipe, string, transform } from '../shared/zod';
import { subnetIdsVariable, taskDefinitionsVariable } from './ecs-task-runner';

/**
 * Live deployments on ECS (design §8): one service per deployment (desiredCount 1) in the jobs
 * cluster, on a task definition registered for that deployment from the live SKU's base
 * definition. A service cannot override a container's environment, so the deployment's own
 * definition carries the job (`LCS_JOB`) and, through `secrets`, its credentials: ECS's agent
 * reads the secret with the execution role when the task starts, and the task role (what the
 * algorithm could reach) has no access to any secret.
 *
 * `maximumPercent: 100, minimumHealthyPercent: 0`: ECS stops the old task before it starts a
 * replacement, so two copies of one algorithm never trade the same account at once.
 */

export interface EcsLiveSettings {
  clusterArn: string;
  /** Live SKU → the base task definition ARN. */
  taskDefinitions: Record<string, string>;
  subnetIds: string[];
  securityGroupId: string;
  /** Family prefix of the per-deployment definitions: `lcs-<stage>-live-`. */
  familyPrefix: string;
  /** Fargate Spot: off unless the operator opts in (a Spot reclaim stops trading). */
  spot: boolean;
}

const envSchema = object({
  CLUSTER_ARN: string().check(minLength(1)),
  LIVE_TASK_DEFINITIONS: taskDefinitionsVariable,
  SUBNET_IDS: subnetIdsVariable,
  SECURITY_GROUP_ID: _default(string(), ''),
  LCS_LIVE_FAMILY_PREFIX: string().check(minLength(1)),
  LCS_LIVE_SPOT: pipe(
    _default(oneOf(['true', 'false']), 'false'),
    transform((v) => v === 'true'),
  ),
});

export function ecsLiveSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): EcsLiveSettings {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`ECS live configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const d = parsed.data;
  return {
    clusterArn: d.CLUSTER_ARN,
    taskDefinitions: d.LIVE_TASK_DEFINITIONS,
    subnetIds: d.SUBNET_IDS,
    securityGroupId: d.SECURITY_GROUP_ID,
    familyPrefix: d.LCS_LIVE_FAMILY_PREFIX,
    spot: d.LCS_LIVE_SPOT,
  };
}

/** The deployment's service name (ECS allows letters, digits, `-` and `_`, up to 255). */
export function liveServiceName(deployId: string): string {
  return `live-${deployId}`;
}

/** The deployment's task definition family: `lcs-<stage>-live-l-<hex>`. */
export function liveFamily(prefix: string, deployId: string): string {
  return `${prefix}${deployId.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;
}

type EcsSdk = typeof import('@aws-sdk/client-ecs');
type EcsClient = import('@aws-sdk/client-ecs').ECSClient;

/** ECS's answer when a service or definition is already gone: removing it again is done. */
function isGone(err: unknown): boolean {
  const name = (err as Error).name;
  return (
    name === 'ServiceNotFoundException' ||
    name === 'ServiceNotActiveException' ||
    (name === 'ClientException' && /not found|inactive/i.test((err as Error).message))
  );
}

export function ecsLiveServices(
  settings: () => EcsLiveSettings = ecsLiveSettingsFromEnv,
  clientConfig?: import('@aws-sdk/client-ecs').ECSClientConfig,
): LiveServices {
  let loaded: Promise<{ client: EcsClient; sdk: EcsSdk }> | undefined;
  const ecs = () => {
    loaded ??= import('@aws-sdk/client-ecs').then((sdk) => ({ sdk, client: new sdk.ECSClient(clientConfig ?? { region: config().AWS_REGION }) }));
    return loaded;
  };

  /** The deployment's own revision of the SKU's definition: the base plus the job and its secret. */
  async function registerDefinition(request: LiveStartRequest, s: EcsLiveSettings): Promise<string> {
    const { client, sdk } = await ecs();
    const base = s.taskDefinitions[request.sku];
    if (!base) throw new Error(`This server has no live task definition for node type ${request.sku}.`);
    const { taskDefinition: def } = await client.send(new sdk.DescribeTaskDefinitionCommand({ taskDefinition: base }));
    if (!def?.containerDefinitions?.length) throw new Error(`The live task definition ${base} has no containers.`);
    const { job } = request;
    const containers = def.containerDefinitions.map((c) => {
      if (c.name !== RUNNER_CONTAINER) return c;
      return {
        ...c,
        environment: [...(c.environment ?? []).filter((e) => e.name !== JOB_ENV), { name: JOB_ENV, value: JSON.stringify(job) }],
        secrets: [
          ...(c.secrets ?? []).filter((e) => e.name !== LIVE_SECRETS_ENV),
          ...(request.secretRef ? [{ name: LIVE_SECRETS_ENV, valueFrom: request.secretRef }] : []),
        ],
      };
    });
    const out = await client.send(
      new sdk.RegisterTaskDefinitionCommand({
        family: liveFamily(s.familyPrefix, job.deployId),
        taskRoleArn: def.taskRoleArn,
        executionRoleArn: def.executionRoleArn,
        networkMode: def.networkMode,
        requiresCompatibilities: def.requiresCompatibilities,
        cpu: def.cpu,
        memory: def.memory,
        runtimePlatform: def.runtimePlatform,
        ephemeralStorage: def.ephemeralStorage,
        containerDefinitions: containers,
        tags: [
          { key: 'lcs:deploy-id', value: job.deployId },
          { key: 'lcs:project-id', value: String(job.projectId) },
        ],
      }),
    );
    const arn = out.taskDefinition?.taskDefinitionArn;
    if (!arn) throw new Error('RegisterTaskDefinition answered without a definition');
    return arn;
  }

  async function describe(serviceName: string, clusterArn: string) {
    const { client, sdk } = await ecs();
    const out = await client.send(new sdk.DescribeServicesCommand({ cluster: clusterArn, services: [serviceName] }));
    return out.services?.find((x) => x.status !== 'INACTIVE');
  }

  return {
    async start(request) {
      const s = settings();
      const serviceName = liveServiceName(request.job.deployId);
      // Idempotent: a retried deploy finds the service the first attempt created.
      const existing = await describe(serviceName, s.clusterArn);
      if (existing?.status === 'ACTIVE' && existing.serviceArn) return { serviceRef: existing.serviceArn };
      if (existing)
        throw new Error(`The previous service of deployment ${request.job.deployId} is still being removed (${existing.status}); try again shortly.`);
      const taskDefinition = await registerDefinition(request, s);
      const { client, sdk } = await ecs();
      const out = await client.send(
        new sdk.CreateServiceCommand({
          cluster: s.clusterArn,
          serviceName,
          taskDefinition,
          desiredCount: 1,
          capacityProviderStrategy: [{ capacityProvider: s.spot ? 'FARGATE_SPOT' : 'FARGATE', weight: 1 }],
          platformVersion: 'LATEST',
          networkConfiguration: { awsvpcConfiguration: { subnets: s.subnetIds, securityGroups: [s.securityGroupId], assignPublicIp: 'ENABLED' } },
          deploymentConfiguration: { maximumPercent: 100, minimumHealthyPercent: 0 },
          enableECSManagedTags: true,
          propagateTags: 'SERVICE',
          clientToken: request.job.deployId.slice(0, 64),
          tags: [
            { key: 'lcs:job-kind', value: 'live' },
            { key: 'lcs:deploy-id', value: request.job.deployId },
            { key: 'lcs:project-id', value: String(request.job.projectId) },
          ],
        }),
      );
      const arn = out.service?.serviceArn;
      if (!arn) throw new Error('CreateService answered without a service');
      return { serviceRef: arn };
    },

    async remove(serviceRef) {
      const s = settings();
      const { client, sdk } = await ecs();
      const service = await describe(serviceRef, s.clusterArn).catch((err: unknown) => {
        if (isGone(err)) return undefined;
        throw err;
      });
      if (!service) return;
      try {
        // force: deletes at once and stops the task, whose runner got SIGTERM and has the stop timeout to finish.
        await client.send(new sdk.DeleteServiceCommand({ cluster: s.clusterArn, service: serviceRef, force: true }));
      } catch (err) {
        if (!isGone(err)) throw err;
      }
      if (service.taskDefinition) {
        try {
          await client.send(new sdk.DeregisterTaskDefinitionCommand({ taskDefinition: service.taskDefinition }));
        } catch (err) {
          if (!isGone(err)) throw err;
        }
      }
    },
  };
}
