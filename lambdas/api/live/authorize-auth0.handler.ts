import { InvalidError } from '../../../core/shared/errors';
import { apiHandler } from '../pipeline';
import { route } from '../routes/live';

/** The browser link lean-cli opens; with no OAuth brokerage configured there is nowhere to redirect. */
export const handler = apiHandler(route('live/auth0/authorize'), async (input) => {
  throw new InvalidError(`brokerage: ${input.brokerage ?? '(none given)'} needs OAuth, and this server has no OAuth brokerage configured (see docs/live.md)`);
});
