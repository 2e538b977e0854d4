import { liveResultsService } from '../../../core/domain/live/live-results-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/live';

export const handler = apiHandler(route('live/orders/read'), (input, ctx) => liveResultsService.orders(ctx.principal, input));
