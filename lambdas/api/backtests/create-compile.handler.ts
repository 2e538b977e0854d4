import { compileService } from '../../../core/domain/compile/compile-service';
import { awsPorts, awsSyntax } from '../aws-ports';
import { apiHandlerWithPorts } from '../pipeline';
import { route } from '../routes/backtests';

/** Always answers `state: "InQueue"` (as QuantConnect does); compile/read shows the outcome. */
export const handler = apiHandlerWithPorts(route('compile/create'), awsPorts({ syntax: awsSyntax }), async (input, ctx, ports) => {
  const { project, answer } = await compileService.createCompile(ctx.principal, input.projectId, await ports.syntax());
  ctx.audit = { orgId: project.orgId, target: `project/${project.id}/compile/${answer.compileId}`, detail: { language: project.language } };
  return answer;
});
