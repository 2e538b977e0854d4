import { updateProjectNodes } from '../../../core/domain/projects/project-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/projects';

export const handler = apiHandler(route('projects/nodes/update'), async (input, ctx) => {
  const { orgId, view } = await updateProjectNodes(ctx.principal, input.projectId, input.nodes ?? []);
  ctx.audit = { orgId, target: `project/${input.projectId}`, detail: { nodes: input.nodes ?? [] } };
  return view;
});
