import { readLive } from '../../../core/domain/live/live-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/live';

/** lean-cli sends `GET live/read?projectId=`; LEAN posts `{projectId, deployId}`. */
export const handler = apiHandler(route('live/read'), (input, ctx) => readLive(ctx.principal, input.projectId, input.deployId));
