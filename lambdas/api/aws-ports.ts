import type { SyntaxChecker } from '../../core/ports/syntax-checker';
import type { TaskLauncher } from '../../core/ports/task-runner';
import { type Binding, config, requireBindings } from '../../core/shared/config';
import type { ApiPorts } from './pipeline';

/**
 * The ports of an endpoint deployed on Lambda: runner tasks are ECS tasks, live deployments ECS
 * services with their own secrets, the Python syntax check the syntax-check function. Each is
 * exported on its own and a handler names the ones it uses (`awsPorts({ tasks: awsTasks })`), so
 * its bundle carries only those adapters; each adapter's module is loaded on the first call, so a
 * cold start that never stops a task does not pay for it.
 */
let tasks: Promise<TaskLauncher> | undefined;
let live: ReturnType<ApiPorts['live']> | undefined;
let syntax: Promise<SyntaxChecker> | undefined;

export const awsTasks: ApiPorts['tasks'] = () => {
  tasks ??= import('../../core/aws/ecs-task-runner').then((m) => m.ecsLauncher());
  return tasks;
};

/** One ECS service and one Secrets Manager secret per deployment. */
export const awsLive: ApiPorts['live'] = () => {
  live ??= Promise.all([import('../../core/aws/ecs-live-services'), import('../../core/aws/secrets-manager-deployment-secrets')]).then(
    ([services, secrets]) => ({ services: services.ecsLiveServices(), secrets: secrets.secretsManagerDeploymentSecrets() }),
  );
  return live;
};

export const awsSyntax: ApiPorts['syntax'] = () => {
  syntax ??= import('../../core/aws/lambda-syntax-checker').then((m) => {
    requireBindings(['SYNTAX_CHECK_FUNCTION_NAME']);
    const { SYNTAX_CHECK_FUNCTION_NAME, AWS_REGION } = config();
    return m.lambdaSyntaxChecker({ functionName: SYNTAX_CHECK_FUNCTION_NAME as string, region: AWS_REGION });
  });
  return syntax;
};

/** The variables each AWS port reads (ApiFunction sets them with the grant). */
const PORT_BINDINGS: Partial<Record<keyof ApiPorts, Binding[]>> = { syntax: ['SYNTAX_CHECK_FUNCTION_NAME'] };

/**
 * A handler's AWS ports: the ones it names; reaching another is a bug and fails loudly. On Lambda
 * (the runtime sets AWS_LAMBDA_FUNCTION_NAME) these are the ports in use, so the variables they
 * read are required at cold start, like the route's own (pipeline.ts). The local server rebinds
 * every handler to its own ports, which need none of them.
 */
export function awsPorts(used: Partial<ApiPorts>): ApiPorts {
  const names = Object.keys(used) as (keyof ApiPorts)[];
  if (process.env.AWS_LAMBDA_FUNCTION_NAME) requireBindings(names.flatMap((name) => PORT_BINDINGS[name] ?? []));
  const unused = (name: keyof ApiPorts) => () => Promise.reject(new Error(`This endpoint's function was built without the ${name} port`));
  return { tasks: used.tasks ?? unused('tasks'), live: used.live ?? unused('live'), syntax: used.syntax ?? unused('syntax') };
}
