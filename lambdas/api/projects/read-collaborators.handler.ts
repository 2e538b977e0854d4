import { collaborationService } from '../../../core/domain/projects/collaboration-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/projects';

export const handler = apiHandler(route('projects/collaboration/read'), (input, ctx) => collaborationService.read(ctx.principal, input.projectId));
