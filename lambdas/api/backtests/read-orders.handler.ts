import { backtestResultsService } from '../../../core/domain/backtests/backtest-results-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/backtests';

/** Orders start..end (end exclusive, at most 100) with their events; `length` is the total. */
export const handler = apiHandler(route('backtests/orders/read'), (input, ctx) => backtestResultsService.orders(ctx.principal, input));
