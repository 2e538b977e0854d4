import { orgAdminService } from '../../../core/domain/identity/org-admin-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/account';

export const handler = apiHandler(route('admin/members/list'), async (input, ctx) => {
  const { members } = await orgAdminService.listMembers(ctx.principal, input.organizationId);
  return { members };
});
