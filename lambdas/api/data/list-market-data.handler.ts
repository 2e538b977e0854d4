import { dataService } from '../../../core/domain/market-data/data-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/data';

export const handler = apiHandler(route('market/data/list'), (_input, ctx) => dataService.marketList(ctx.principal));
