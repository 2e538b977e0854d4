import { orgAdminService } from '../../../core/domain/identity/org-admin-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/account';

export const handler = apiHandler(route('admin/members/update'), async (input, ctx) => {
  const { orgId, from, member } = await orgAdminService.setRole(ctx.principal, input);
  ctx.audit = { orgId, target: `user/${input.userId}`, detail: { from, to: member.role } };
  return { member };
});
