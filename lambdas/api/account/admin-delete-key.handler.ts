import { orgAdminService } from '../../../core/domain/identity/org-admin-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/account';

export const handler = apiHandler(route('admin/keys/delete'), async (input, ctx) => {
  const { orgId, userId, alreadyRevoked } = await orgAdminService.revokeKey(ctx.principal, input);
  ctx.audit = { orgId, target: `key/${input.keyId}`, detail: { userId, alreadyRevoked } };
  return {};
});
