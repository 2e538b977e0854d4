import { readProjectNodes } from '../../../core/domain/projects/project-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/projects';

export const handler = apiHandler(route('projects/nodes/read'), (input, ctx) => readProjectNodes(ctx.principal, input.projectId));
