import { backtestService } from '../../../core/domain/backtests/backtest-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/backtests';

/** lean-cli calls this on Ctrl-C: a running backtest is stopped and its node freed. */
export const handler = apiHandler(route('backtests/delete'), async (input, ctx) => {
  const b = await backtestService.delete(ctx.principal, input.projectId, input.backtestId);
  ctx.audit = { orgId: b.orgId, target: `backtest/${b.projectId}/${b.backtestId}`, detail: { phase: b.phase } };
  return {};
});
