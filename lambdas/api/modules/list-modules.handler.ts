import { moduleService } from '../../../core/domain/market-data/module-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/modules';

export const handler = apiHandler(route('modules/list'), (input, ctx) => moduleService.list(ctx.principal, input));
