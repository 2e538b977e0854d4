import { readBacktest } from '../../../core/domain/backtests/backtest-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/backtests';

export const handler = apiHandler(route('backtests/read'), (input, ctx) => readBacktest(ctx.principal, input.projectId, input.backtestId));
