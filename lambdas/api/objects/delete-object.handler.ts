import { objectStoreService } from '../../../core/domain/objects/object-store-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/objects';

export const handler = apiHandler(route('object/delete'), async (input, ctx) => {
  const { orgId, deleted } = await objectStoreService.delete(ctx.principal, input);
  ctx.audit = { orgId, target: `object/${input.key}`, detail: { deleted } };
  return {};
});
