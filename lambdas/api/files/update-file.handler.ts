import { fileService } from '../../../core/domain/files/file-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/files';

export const handler = apiHandler(route('files/update'), async (input, ctx) => {
  const { project } = await fileService.update(ctx.principal, input);
  ctx.audit = { orgId: project.orgId, target: `project/${project.id}/file/${input.name}`, detail: input.newName ? { newName: input.newName } : undefined };
  return {};
});
