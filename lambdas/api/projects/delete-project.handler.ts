import { deleteProject } from '../../../core/domain/projects/project-service';
import { awsPorts, awsTasks } from '../aws-ports';
import { apiHandlerWithPorts } from '../pipeline';
import { route } from '../routes/projects';

export const handler = apiHandlerWithPorts(route('projects/delete'), awsPorts({ tasks: awsTasks }), async (input, ctx, ports) => {
  const project = await deleteProject(ctx.principal, input.projectId, await ports.tasks());
  ctx.audit = { orgId: project.orgId, target: `project/${project.id}`, detail: { name: project.name } };
  return {};
});
