import { listBacktests } from '../../../core/domain/backtests/backtest-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/backtests';

export const handler = apiHandler(route('backtests/list'), (input, ctx) => listBacktests(ctx.principal, input.projectId, input.includeStatistics));
