import { objectStoreService } from '../../../core/domain/objects/object-store-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/objects';

export const handler = apiHandler(route('object/properties'), async (input, ctx) => objectStoreService.properties(ctx.principal, input));
