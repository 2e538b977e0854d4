import { createHash } from 'node:crypto';
import type { JobMessage, LaunchRequest, LaunchResult, TaskLauncher } from '../ports/task-runner';
import { LaunchRefused } from '../ports/task-runner';
import { config } from '../shared/config';
import { JOB_ENV, RUNNER_CONTAINER } from '../shared/deployment-names';
// Names, not `* as z`: this module is loaded by import() (lambdas/api/aws-ports.ts), and a bundled module
// loaded that way carries the whole namespace it star-imports (all of zod/mini, every locale).
import { _default, minLength, NEVER, object, enum as oneOf, pipe, record, string, transform } from '../shared/zod';

/**
 * The runner launcher on ECS Fargate (design §7): one RunTask per job, on the task definition of
 * the job's SKU, in the jobs stack's public subnets (no NAT: the task gets a public IP and only
 * egress). The ECS SDK loads on first use: only the dispatcher and the stop paths need it.
 */

/** What the jobs stack tells the launcher (environment variables of the dispatcher and API functions). */
export interface EcsLauncherSettings {
  clusterArn: string;
  /** SKU → task definition ARN. */
  taskDefinitions: Record<string, string>;
  subnetIds: string[];
  securityGroupId: string;
  /** Start on Fargate Spot first, on-demand Fargate when Spot has no capacity. */
  spot: boolean;
}

/** A variable holding a JSON object of SKU → task definition ARN (jobs and live deployments alike). */
export const taskDefinitionsVariable = pipe(
  _default(string(), '{}'),
  transform((text, ctx) => {
    try {
      return record(string(), string()).parse(JSON.parse(text));
    } catch {
      ctx.issues.push({ code: 'custom', message: 'not a JSON object of SKU → task definition ARN', input: text });
      return NEVER;
    }
  }),
);

/** A variable holding comma-separated subnet ids. */
export const subnetIdsVariable = pipe(
  _default(string(), ''),
  transform((text) => text.split(',').filter(Boolean)),
);

const envSchema = object({
  CLUSTER_ARN: string().check(minLength(1)),
  TASK_DEFINITIONS: taskDefinitionsVariable,
  SUBNET_IDS: subnetIdsVariable,
  SECURITY_GROUP_ID: _default(string(), ''),
  LCS_SPOT: pipe(
    _default(oneOf(['true', 'false']), 'true'),
    transform((v) => v === 'true'),
  ),
});

/** The launcher's settings from the environment; functions that only stop tasks need CLUSTER_ARN alone. */
export function ecsSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): EcsLauncherSettings {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`ECS launcher configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const { CLUSTER_ARN, TASK_DEFINITIONS, SUBNET_IDS, SECURITY_GROUP_ID, LCS_SPOT } = parsed.data;
  return { clusterArn: CLUSTER_ARN, taskDefinitions: TASK_DEFINITIONS, subnetIds: SUBNET_IDS, securityGroupId: SECURITY_GROUP_ID, spot: LCS_SPOT };
}

/** ECS accepts client tokens of up to 64 characters; a longer token is replaced by its hash. */
export function clientToken(token: string): string {
  return /^[A-Za-z0-9_-]{1,64}$/.test(token) ? token : createHash('sha256').update(token).digest('hex');
}

/** `startedBy` (at most 36 characters): the job, so `ListTasks --started-by` finds its task. */
export function startedBy(job: JobMessage): string {
  return (job.kind === 'backtest' ? `${job.backtestId}-${job.attempt}` : `build-${job.compileId}`).slice(0, 36);
}

/** RunTask's failures when Fargate (Spot) has no capacity: `Capacity is unavailable…`, `RESOURCE:…`. */
export function isCapacityFailure(reason: string | undefined): boolean {
  return /capacity/i.test(reason ?? '') || /RESOURCE/.test(reason ?? '');
}

/** The cluster of a task: from its ARN (`…:task/<cluster>/<id>`), else the configured cluster. */
function clusterOf(taskRef: string, fallback: string | undefined): string | undefined {
  const match = /:task\/([^/]+)\/[^/]+$/.exec(taskRef);
  return match?.[1] ?? fallback;
}

type EcsSdk = typeof import('@aws-sdk/client-ecs');
type EcsConfig = import('@aws-sdk/client-ecs').ECSClientConfig;

export function ecsLauncher(settings: () => EcsLauncherSettings = ecsSettingsFromEnv, clientConfig?: EcsConfig): TaskLauncher {
  let loaded: Promise<{ client: import('@aws-sdk/client-ecs').ECSClient; sdk: EcsSdk }> | undefined;
  const ecs = () => {
    loaded ??= import('@aws-sdk/client-ecs').then((sdk) => ({ sdk, client: new sdk.ECSClient(clientConfig ?? { region: config().AWS_REGION }) }));
    return loaded;
  };

  async function runTask(request: LaunchRequest, taskDefinition: string, s: EcsLauncherSettings, capacityProvider: 'FARGATE' | 'FARGATE_SPOT') {
    const { client, sdk } = await ecs();
    const { job } = request;
    // The on-demand retry has its own token: a token names one set of parameters, and a
    // duplicate delivery repeats the same Spot-then-on-demand sequence, so it finds this task.
    const token = capacityProvider === 'FARGATE_SPOT' || !s.spot ? request.token : `${request.token}-od`;
    return client.send(
      new sdk.RunTaskCommand({
        cluster: s.clusterArn,
        taskDefinition,
        count: 1,
        capacityProviderStrategy: [{ capacityProvider, weight: 1 }],
        platformVersion: 'LATEST',
        networkConfiguration: { awsvpcConfiguration: { subnets: s.subnetIds, securityGroups: [s.securityGroupId], assignPublicIp: 'ENABLED' } },
        clientToken: clientToken(token),
        startedBy: startedBy(job),
        enableECSManagedTags: true,
        tags: [
          { key: 'lcs:job-kind', value: job.kind },
          { key: 'lcs:job-id', value: job.kind === 'backtest' ? job.backtestId : job.compileId },
          { key: 'lcs:project-id', value: String(job.projectId) },
        ],
        overrides: { containerOverrides: [{ name: RUNNER_CONTAINER, environment: [{ name: JOB_ENV, value: JSON.stringify(job) }] }] },
      }),
    );
  }

  return {
    async launch(request: LaunchRequest): Promise<LaunchResult> {
      const s = settings();
      const taskDefinition = s.taskDefinitions[request.sku];
      if (!taskDefinition) throw new LaunchRefused(`This server has no task definition for node type ${request.sku}.`);
      const providers = s.spot ? (['FARGATE_SPOT', 'FARGATE'] as const) : (['FARGATE'] as const);
      const reasons: string[] = [];
      for (const provider of providers) {
        const out = await runTask(request, taskDefinition, s, provider);
        const taskArn = out.tasks?.[0]?.taskArn;
        if (taskArn) return { taskRef: taskArn };
        const failures = (out.failures ?? []).map((f) => `${f.reason ?? 'unknown'}${f.detail ? ` (${f.detail})` : ''}`);
        reasons.push(`${provider}: ${failures.join('; ') || 'no task started'}`);
        // Only a lack of capacity is worth another provider; anything else fails the same way there.
        if (!(out.failures ?? []).some((f) => isCapacityFailure(f.reason))) break;
      }
      // Transient (capacity, throttling): the dispatcher gives the node back and the queue retries.
      throw new Error(`RunTask started no task: ${reasons.join(' | ')}`);
    },

    async stop(taskRef: string, reason: string): Promise<void> {
      const { client, sdk } = await ecs();
      let cluster: string | undefined;
      try {
        cluster = clusterOf(taskRef, settings().clusterArn);
      } catch {
        cluster = clusterOf(taskRef, undefined);
      }
      try {
        await client.send(new sdk.StopTaskCommand({ ...(cluster ? { cluster } : {}), task: taskRef, reason: reason.slice(0, 255) }));
      } catch (err) {
        // Already gone (stopped long ago and forgotten by ECS): nothing left to stop.
        if (err instanceof Error && err.name === 'InvalidParameterException' && /not found/i.test(err.message)) return;
        throw err;
      }
    },
  };
}
