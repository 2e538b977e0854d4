import { fileService } from '../../../core/domain/files/file-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/files';

export const handler = apiHandler(route('files/patch'), async (input, ctx) => {
  const { project, files } = await fileService.patch(ctx.principal, input);
  ctx.audit = { orgId: project.orgId, target: `project/${project.id}`, detail: { files: files.map((f) => f.name) } };
  return {};
});
