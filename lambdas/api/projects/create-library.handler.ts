import { addProjectLibrary } from '../../../core/domain/projects/project-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/projects';

export const handler = apiHandler(route('projects/library/create'), async (input, ctx) => {
  const project = await addProjectLibrary(ctx.principal, input.projectId, input.libraryId);
  ctx.audit = { orgId: project.orgId, target: `project/${project.id}`, detail: { libraryId: input.libraryId } };
  return {};
});
