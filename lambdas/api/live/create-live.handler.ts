import { createLive } from '../../../core/domain/live/live-service';
import { awsLive, awsPorts } from '../aws-ports';
import { apiHandlerWithPorts } from '../pipeline';
import { route } from '../routes/live';

/** lean-cli requires `projectId` and `deployId` at the top level of the answer. */
export const handler = apiHandlerWithPorts(route('live/create'), awsPorts({ live: awsLive }), async (input, ctx, ports) => {
  const { deployment, answer, notification } = await createLive(ctx.principal, input, await ports.live());
  // Brokerage and data-feed settings are credentials: only their ids go into the audit event;
  // of the notification targets only their kinds (addresses, numbers, headers and tokens are secret).
  ctx.audit = {
    orgId: deployment.orgId,
    target: `live/${answer.projectId}/${answer.deployId}`,
    detail: {
      compileId: input.compileId,
      nodeId: input.nodeId,
      brokerage: input.brokerage.id,
      dataProviders: Object.keys(input.dataProviders),
      automaticRedeploy: input.automaticRedeploy,
      ...(notification ? { notification } : {}),
    },
  };
  return answer;
});
