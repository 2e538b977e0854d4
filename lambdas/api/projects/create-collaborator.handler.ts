import { collaborationService } from '../../../core/domain/projects/collaboration-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/projects';

export const handler = apiHandler(route('projects/collaboration/create'), async (input, ctx) => {
  const { project, collaborators } = await collaborationService.create(ctx.principal, {
    projectId: input.projectId,
    collaboratorUserId: input.collaboratorUserId,
    liveControl: input.collaborationLiveControl,
    write: input.collaborationWrite,
  });
  ctx.audit = { orgId: project.orgId, target: `project/${project.id}`, detail: { collaborator: input.collaboratorUserId, write: input.collaborationWrite } };
  return { collaborators };
});
