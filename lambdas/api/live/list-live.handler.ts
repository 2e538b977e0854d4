import { listLive } from '../../../core/domain/live/live-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/live';

/** LEAN posts `{status}` or nothing at all. */
export const handler = apiHandler(route('live/list'), (input, ctx) => listLive(ctx.principal, input));
