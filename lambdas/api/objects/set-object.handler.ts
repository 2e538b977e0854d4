import { objectStoreService } from '../../../core/domain/objects/object-store-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/objects';

export const handler = apiHandler(route('object/set'), async (input, ctx) => {
  const { orgId, size } = await objectStoreService.set(ctx.principal, input);
  ctx.audit = { orgId, target: `object/${input.key}`, detail: { size } };
  return {};
});
