import { deleteBacktest } from '../../../core/domain/backtests/backtest-service';
import { awsPorts, awsTasks } from '../aws-ports';
import { apiHandlerWithPorts } from '../pipeline';
import { route } from '../routes/backtests';

/** lean-cli calls this on Ctrl-C: a running backtest is stopped and its node freed. */
export const handler = apiHandlerWithPorts(route('backtests/delete'), awsPorts({ tasks: awsTasks }), async (input, ctx, ports) => {
  const b = await deleteBacktest(ctx.principal, input.projectId, input.backtestId, await ports.tasks());
  ctx.audit = { orgId: b.orgId, target: `backtest/${b.projectId}/${b.backtestId}`, detail: { phase: b.phase } };
  return {};
});
