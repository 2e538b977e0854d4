import { broadcastLive } from '../../../core/domain/live/live-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/live';

export const handler = apiHandler(route('live/commands/broadcast'), async (input, ctx) => {
  const { orgId, count } = await broadcastLive(ctx.principal, input.organizationId, input.excludeProjectId, input.command);
  ctx.audit = { orgId, target: `live/broadcast`, detail: { deployments: count, excludeProjectId: input.excludeProjectId ?? null } };
  return {};
});
