import { commandLive } from '../../../core/domain/live/live-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/live';

/** Queued for the runner, which writes it as a command file and records LEAN's acknowledgement. */
export const handler = apiHandler(route('live/commands/create'), async (input, ctx) => {
  const { deployment, commandId } = await commandLive(ctx.principal, input.projectId, input.command);
  ctx.audit = {
    orgId: deployment.orgId,
    target: `live/${deployment.projectId}/${deployment.deployId}/command/${commandId}`,
    detail: { type: input.command.$type ?? null },
  };
  return {};
});
