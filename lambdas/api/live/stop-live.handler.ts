import { stopLive } from '../../../core/domain/live/live-service';
import { awsLive, awsPorts } from '../aws-ports';
import { apiHandlerWithPorts } from '../pipeline';
import { route } from '../routes/live';

/** Answers once LEAN has written its final files (or the runner was stopped after the wait). */
export const handler = apiHandlerWithPorts(route('live/update/stop'), awsPorts({ live: awsLive }), async (input, ctx, ports) => {
  const d = await stopLive(ctx.principal, input.projectId, 'Stopped', await ports.live());
  ctx.audit = { orgId: d.orgId, target: `live/${d.projectId}/${d.deployId}`, detail: { status: d.status } };
  return {};
});
