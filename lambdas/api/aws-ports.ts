import type { TaskLauncher } from '../../core/ports/task-runner';
import type { ApiPorts } from './pipeline';

/**
 * The ports of an endpoint deployed on Lambda: runner tasks are ECS tasks, live deployments ECS
 * services with their own secrets. The modules are loaded on the first call, so a cold start that never stops a task does not pay for it.
 */
let tasks: Promise<TaskLauncher> | undefined;
let live: ReturnType<ApiPorts['live']> | undefined;

export const awsPorts: ApiPorts = {
  tasks: () => {
    tasks ??= import('../../core/aws/ecs-task-runner').then((m) => m.ecsLauncher());
    return tasks;
  },
  // One ECS service and one Secrets Manager secret per deployment; loaded by the live routes only.
  live: () => {
    live ??= Promise.all([import('../../core/aws/ecs-live-services'), import('../../core/aws/secrets-manager-deployment-secrets')]).then(
      ([services, secrets]) => ({ services: services.ecsLiveServices(), secrets: secrets.secretsManagerDeploymentSecrets() }),
    );
    return live;
  },
};
