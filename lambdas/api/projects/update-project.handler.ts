import { updateProject } from '../../../core/domain/projects/project-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/projects';

export const handler = apiHandler(route('projects/update'), async (input, ctx) => {
  const { projectId, organizationId, changed } = await updateProject(ctx.principal, input);
  ctx.audit = { orgId: organizationId, target: `project/${projectId}`, detail: { fields: Object.keys(input), files: changed } };
  return {};
});
