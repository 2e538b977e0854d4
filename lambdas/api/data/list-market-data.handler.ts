import { dataService } from '../../domain/data-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes';

export const handler = apiHandler(route('market/data/list'), (_input, ctx) => dataService.marketList(ctx.principal));
