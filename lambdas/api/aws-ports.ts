import type { TaskLauncher } from '../../core/ports/task-runner';
import type { ApiPorts } from './pipeline';

/**
 * The ports of an endpoint deployed on Lambda: runner tasks are ECS tasks. The ECS module is
 * loaded on the first call, so a cold start that never stops a task does not pay for it.
 */
let tasks: Promise<TaskLauncher> | undefined;

export const awsPorts: ApiPorts = {
  tasks: () => {
    tasks ??= import('../../core/aws/ecs-task-runner').then((m) => m.ecsLauncher());
    return tasks;
  },
  // The ECS service / Secrets Manager adapters (core/aws/) are the integrator's; until they exist
  // a live route deployed on Lambda answers this in its error envelope.
  live: () => Promise.reject(new Error('Live trading on AWS needs core/aws live-services adapters, which are not part of this build yet.')),
};
