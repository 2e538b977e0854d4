import { aiToolsService } from '../../../core/domain/ai/ai-tools-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/ai';

export const handler = apiHandler(route('ai/tools/complete'), (input, ctx) => aiToolsService.complete(ctx.principal, input));
