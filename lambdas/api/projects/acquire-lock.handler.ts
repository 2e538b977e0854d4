import { acquireProjectLock } from '../../../core/domain/projects/project-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/projects';

export const handler = apiHandler(route('projects/collaboration/lock/acquire'), async (input, ctx) => {
  const project = await acquireProjectLock(ctx.principal, input.projectId, input.codeSourceId);
  ctx.audit = { orgId: project.orgId, target: `project/${project.id}`, detail: { codeSourceId: input.codeSourceId } };
  return {};
});
