import { backtestResultsService } from '../../../core/domain/backtests/backtest-results-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/backtests';

/** The HTML report, or `success: false` with `generating: true` while it is not written yet (LEAN polls). */
export const handler = apiHandler(route('backtests/read/report'), (input, ctx) => backtestResultsService.report(ctx.principal, input));
