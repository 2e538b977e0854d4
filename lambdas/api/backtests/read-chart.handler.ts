import { backtestResultsService } from '../../../core/domain/backtests/backtest-results-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/backtests';

/** One chart down-sampled to `count` points per series, or the loading form while results are not stored yet. */
export const handler = apiHandler(route('backtests/chart/read'), (input, ctx) => backtestResultsService.chart(ctx.principal, input));
