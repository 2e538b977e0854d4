import { dataService } from '../../../core/domain/market-data/data-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/data';

export const handler = apiHandler(route('data/prices'), (input, ctx) => dataService.prices(ctx.principal, input.organizationId));
