import { deleteOptimization } from '../../../core/domain/optimizations/optimization-service';
import { awsPorts, awsTasks } from '../aws-ports';
import { apiHandlerWithPorts } from '../pipeline';
import { route } from '../routes/optimizations';

export const handler = apiHandlerWithPorts(route('optimizations/delete'), awsPorts({ tasks: awsTasks }), async (input, ctx, ports) => {
  const o = await deleteOptimization(ctx.principal, input.optimizationId, await ports.tasks());
  ctx.audit = { orgId: o.orgId, target: `optimization/${o.projectId}/${o.optimizationId}`, detail: { status: o.status } };
  return {};
});
