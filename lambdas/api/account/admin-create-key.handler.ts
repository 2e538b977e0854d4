import { orgAdminService } from '../../../core/domain/identity/org-admin-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/account';

export const handler = apiHandler(route('admin/keys/create'), async (input, ctx) => {
  const { orgId, keyId, secret, name, expiresAt } = await orgAdminService.createKey(ctx.principal, input);
  // The audit event names the key, never its secret.
  ctx.audit = { orgId, target: `key/${keyId}`, detail: { name, ...(expiresAt ? { expiresAt } : {}) } };
  return { keyId, secret, name, expiresAt: expiresAt ?? null };
});
