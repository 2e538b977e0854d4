import { liveResultsService } from '../../../core/domain/live/live-results-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/live';

export const handler = apiHandler(route('live/insights/read'), (input, ctx) => liveResultsService.insights(ctx.principal, input));
