import { aiToolsService } from '../../../core/domain/ai/ai-tools-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/ai';

export const handler = apiHandler(route('ai/tools/syntax-check'), (input, ctx) => aiToolsService.syntaxCheck(ctx.principal, input));
