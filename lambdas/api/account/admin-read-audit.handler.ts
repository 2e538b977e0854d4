import { orgAdminService } from '../../../core/domain/identity/org-admin-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/account';

export const handler = apiHandler(route('admin/audit/read'), async (input, ctx) => {
  const { start, more, events } = await orgAdminService.readAudit(ctx.principal, input);
  return { start, more, events };
});
