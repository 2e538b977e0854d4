import { orgAdminService } from '../../../core/domain/identity/org-admin-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/account';

export const handler = apiHandler(route('admin/keys/list'), async (input, ctx) => {
  const { keys } = await orgAdminService.listKeys(ctx.principal, input.organizationId);
  return { keys };
});
