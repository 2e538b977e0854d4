import { abortOptimization } from '../../../core/domain/optimizations/optimization-service';
import { awsPorts, awsTasks } from '../aws-ports';
import { apiHandlerWithPorts } from '../pipeline';
import { route } from '../routes/optimizations';

/** lean-cli calls this on Ctrl-C (then optimizations/delete): running and queued points stop, finished ones stay. */
export const handler = apiHandlerWithPorts(route('optimizations/abort'), awsPorts({ tasks: awsTasks }), async (input, ctx, ports) => {
  const o = await abortOptimization(ctx.principal, input.optimizationId, await ports.tasks());
  ctx.audit = { orgId: o.orgId, target: `optimization/${o.projectId}/${o.optimizationId}`, detail: { completed: o.completed, failed: o.failed } };
  return {};
});
