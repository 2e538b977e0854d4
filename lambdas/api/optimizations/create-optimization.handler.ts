import { createOptimization } from '../../../core/domain/optimizations/optimization-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/optimizations';

/** Answers `optimizations: [summary]`: lean-cli and LEAN take element 0. */
export const handler = apiHandler(route('optimizations/create'), async (input, ctx) => {
  const { optimizations, optimization: o } = await createOptimization(ctx.principal, input);
  ctx.audit = {
    orgId: o.orgId,
    target: `optimization/${o.projectId}/${o.optimizationId}`,
    detail: { compileId: o.compileId, points: o.total, nodeType: o.nodeType, parallelNodes: o.parallelNodes, strategy: o.strategy },
  };
  return { optimizations };
});
