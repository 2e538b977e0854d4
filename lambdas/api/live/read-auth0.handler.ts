import { InvalidError } from '../../../core/shared/errors';
import { apiHandler } from '../pipeline';
import { route } from '../routes/live';

/** No OAuth brokerage (Alpaca, TradeStation, …) is configured on this server; lean-cli swallows this failure. */
export const handler = apiHandler(route('live/auth0/read'), async (input) => {
  throw new InvalidError(`brokerage: ${input.brokerage} needs OAuth, and this server has no OAuth brokerage configured (see docs/live.md)`);
});
