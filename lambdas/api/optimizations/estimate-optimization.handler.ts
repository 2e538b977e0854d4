import { estimateOptimization } from '../../../core/domain/optimizations/optimization-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/optimizations';

/** lean-cli prints `time` × backtests ÷ parallel nodes before it asks to start. */
export const handler = apiHandler(route('optimizations/estimate'), (input, ctx) => estimateOptimization(ctx.principal, input));
