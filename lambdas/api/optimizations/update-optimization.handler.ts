import { renameOptimization } from '../../../core/domain/optimizations/optimization-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/optimizations';

export const handler = apiHandler(route('optimizations/update'), async (input, ctx) => {
  const o = await renameOptimization(ctx.principal, input.optimizationId, input.name);
  ctx.audit = { orgId: o.orgId, target: `optimization/${o.projectId}/${o.optimizationId}`, detail: { name: input.name } };
  return {};
});
