import { backtestResultsService } from '../../../core/domain/backtests/backtest-results-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/backtests';

/** A window of the backtest's log lines (QuantConnect's `backtests/read/log`). */
export const handler = apiHandler(route('backtests/read/log'), (input, ctx) => backtestResultsService.log(ctx.principal, input));
