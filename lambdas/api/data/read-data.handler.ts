import { dataService } from '../../../core/domain/market-data/data-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/data';

export const handler = apiHandler(route('data/read'), (input, ctx) => dataService.readLink(ctx.principal, input));
