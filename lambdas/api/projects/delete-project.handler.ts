import { projectService } from '../../../core/domain/projects/project-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/projects';

export const handler = apiHandler(route('projects/delete'), async (input, ctx) => {
  const project = await projectService.delete(ctx.principal, input.projectId);
  ctx.audit = { orgId: project.orgId, target: `project/${project.id}`, detail: { name: project.name } };
  return {};
});
