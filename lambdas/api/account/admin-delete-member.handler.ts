import { orgAdminService } from '../../../core/domain/identity/org-admin-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/account';

export const handler = apiHandler(route('admin/members/delete'), async (input, ctx) => {
  const { orgId, role } = await orgAdminService.removeMember(ctx.principal, input);
  ctx.audit = { orgId, target: `user/${input.userId}`, detail: { role } };
  return {};
});
