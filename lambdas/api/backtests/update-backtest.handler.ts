import { updateBacktest } from '../../../core/domain/backtests/backtest-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/backtests';

export const handler = apiHandler(route('backtests/update'), async (input, ctx) => {
  const b = await updateBacktest(ctx.principal, input.projectId, input.backtestId, { name: input.name, note: input.note });
  ctx.audit = { orgId: b.orgId, target: `backtest/${b.projectId}/${b.backtestId}`, detail: { name: input.name, noteChanged: input.note !== undefined } };
  return {};
});
