import { liveResultsService } from '../../../core/domain/live/live-results-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/live';

/** lean-cli sends `GET live/portfolio/read?projectId=` before a deploy that can start from the last portfolio. */
export const handler = apiHandler(route('live/portfolio/read'), (input, ctx) => liveResultsService.portfolio(ctx.principal, input.projectId));
