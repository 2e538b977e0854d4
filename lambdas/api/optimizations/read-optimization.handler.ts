import { readOptimization } from '../../../core/domain/optimizations/optimization-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/optimizations';

/** lean-cli polls this (form body) while `status` is new or running. */
export const handler = apiHandler(route('optimizations/read'), (input, ctx) => readOptimization(ctx.principal, input.optimizationId));
