import { createBacktest } from '../../../core/domain/backtests/backtest-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/backtests';

/** Always answers the backtest object: LEAN dereferences `result.Backtest` unconditionally. */
export const handler = apiHandler(route('backtests/create'), async (input, ctx) => {
  const answer = await createBacktest(ctx.principal, input);
  const b = answer.backtest;
  ctx.audit = { orgId: b.organizationId, target: `backtest/${b.projectId}/${b.backtestId}`, detail: { compileId: input.compileId, name: b.name } };
  return answer;
});
