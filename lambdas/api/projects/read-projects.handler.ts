import { readProjects } from '../../../core/domain/projects/project-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/projects';

export const handler = apiHandler(route('projects/read'), (input, ctx) => readProjects(ctx.principal, input));
