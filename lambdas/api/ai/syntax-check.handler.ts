import { aiToolsService } from '../../../core/domain/ai/ai-tools-service';
import { awsPorts, awsSyntax } from '../aws-ports';
import { apiHandlerWithPorts } from '../pipeline';
import { route } from '../routes/ai';

export const handler = apiHandlerWithPorts(route('ai/tools/syntax-check'), awsPorts({ syntax: awsSyntax }), async (input, ctx, ports) =>
  aiToolsService.syntaxCheck(ctx.principal, input, await ports.syntax()),
);
