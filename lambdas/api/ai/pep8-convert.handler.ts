import { aiToolsService } from '../../../core/domain/ai/ai-tools-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/ai';

export const handler = apiHandler(route('ai/tools/pep8-convert'), (input, ctx) => aiToolsService.pep8Convert(ctx.principal, input));
