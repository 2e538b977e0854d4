import { fileService } from '../../../core/domain/files/file-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/files';

export const handler = apiHandler(route('files/create'), async (input, ctx) => {
  const { project } = await fileService.create(ctx.principal, input);
  ctx.audit = { orgId: project.orgId, target: `project/${project.id}/file/${input.name}` };
  return {};
});
