import { compileReads } from '../../../core/domain/compile/compile-reads';
import { apiHandler } from '../pipeline';
import { route } from '../routes/backtests';

/** `logs` is always an array (`[]` while InQueue): lean-cli requires it. */
export const handler = apiHandler(route('compile/read'), async (input, ctx) => compileReads.readCompile(ctx.principal, input.projectId, input.compileId));
