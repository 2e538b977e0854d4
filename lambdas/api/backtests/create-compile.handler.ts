import { compileService } from '../../../core/domain/compile/compile-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/backtests';

/** Always answers `state: "InQueue"` (as QuantConnect does); compile/read shows the outcome. */
export const handler = apiHandler(route('compile/create'), async (input, ctx) => {
  const { project, answer } = await compileService.createCompile(ctx.principal, input.projectId);
  ctx.audit = { orgId: project.orgId, target: `project/${project.id}/compile/${answer.compileId}`, detail: { language: project.language } };
  return answer;
});
