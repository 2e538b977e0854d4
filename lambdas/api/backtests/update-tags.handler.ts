import { setBacktestTags } from '../../../core/domain/backtests/backtest-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/backtests';

export const handler = apiHandler(route('backtests/tags/update'), async (input, ctx) => {
  const b = await setBacktestTags(ctx.principal, input.projectId, input.backtestId, input.tags);
  ctx.audit = { orgId: b.orgId, target: `backtest/${b.projectId}/${b.backtestId}`, detail: { tags: input.tags } };
  return {};
});
