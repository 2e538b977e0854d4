import { collaborationService } from '../../../core/domain/projects/collaboration-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/projects';

export const handler = apiHandler(route('projects/collaboration/update'), async (input, ctx) => {
  const { project, collaborators } = await collaborationService.update(ctx.principal, input);
  ctx.audit = {
    orgId: project.orgId,
    target: `project/${project.id}`,
    detail: { collaborator: input.collaboratorUserId, write: input.write, liveControl: input.liveControl },
  };
  return { collaborators };
});
