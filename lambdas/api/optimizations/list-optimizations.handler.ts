import { listOptimizations } from '../../../core/domain/optimizations/optimization-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/optimizations';

export const handler = apiHandler(route('optimizations/list'), (input, ctx) => listOptimizations(ctx.principal, input.projectId));
