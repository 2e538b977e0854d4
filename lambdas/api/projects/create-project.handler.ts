import { createProject } from '../../../core/domain/projects/project-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/projects';

export const handler = apiHandler(route('projects/create'), async (input, ctx) => {
  const { project, projects, versions } = await createProject(ctx.principal, input);
  ctx.audit = { orgId: project.orgId, target: `project/${project.id}`, detail: { name: project.name, language: project.language } };
  return { projects, versions };
});
