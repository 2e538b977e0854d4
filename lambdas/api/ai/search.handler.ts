import { aiToolsService } from '../../../core/domain/ai/ai-tools-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/ai';

export const handler = apiHandler(route('ai/tools/search'), (input, ctx) => aiToolsService.search(ctx.principal, input));
