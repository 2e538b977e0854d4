import { removeProjectLibrary } from '../../../core/domain/projects/project-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/projects';

export const handler = apiHandler(route('projects/library/delete'), async (input, ctx) => {
  const project = await removeProjectLibrary(ctx.principal, input.projectId, input.libraryId);
  ctx.audit = { orgId: project.orgId, target: `project/${project.id}`, detail: { libraryId: input.libraryId } };
  return {};
});
