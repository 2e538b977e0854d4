import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { backtestResultsService } from '../../../core/domain/backtests/backtest-results-service';
import { type ApiLambda, apiHandler } from '../pipeline';
import { route } from '../routes/backtests';
import { endpointFromPath } from '../transport';

/**
 * Insights start..end (end exclusive, at most 100); `length` is the total. One entry serves both
 * spellings (contract §8.5): `backtests/insights/read` (LEAN) and `backtests/read/insights` (the
 * specification, MCP). Each keeps its own route so metrics and errors name the path called.
 */
const lean = apiHandler(route('backtests/insights/read'), (input, ctx) => backtestResultsService.insights(ctx.principal, input));
const spec = apiHandler(route('backtests/read/insights'), (input, ctx) => backtestResultsService.insights(ctx.principal, input));

const byPath = (event: APIGatewayProxyEvent, context: Context) =>
  (endpointFromPath(event.path ?? '') === 'backtests/read/insights' ? spec : lean)(event, context);

/** Needs no ports, so rebinding (the local server) changes nothing. */
export const handler: ApiLambda = Object.assign(byPath, { withPorts: () => byPath });
