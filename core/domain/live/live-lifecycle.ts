import { deploymentRepository } from '../../data/live/deployment-repository';
import { isoNow } from '../../shared/dates';
import { releaseNodes } from '../backtests/backtest-lifecycle';
import { ACTIVE_LIVE_STATUSES, type LiveDeployment, type LiveStatus } from './types';

/**
 * The runner's side of a deployment's state machine (design §8): every change is conditional on
 * the deployment still being active, so the API (stop), the runner and a replaced runner can race
 * safely. Reaching a final status frees the live node and the project's live slot.
 */
export const liveLifecycle = {
  /**
   * A runner took the deployment. A runner that finds another task's name on an active deployment
   * replaces it (ECS restarted the task, the local supervisor restarted the runner): that is a
   * restart of the same deployment, recorded, never a second deployment.
   */
  async taken(d: LiveDeployment, taskRef: string): Promise<LiveDeployment | undefined> {
    const replaced = d.taskRef && d.taskRef !== taskRef;
    const restarts = replaced
      ? [...d.restarts, { at: isoNow(), attempt: d.restarts.length + 1, reason: `runner ${d.taskRef} was replaced by ${taskRef}` }]
      : d.restarts;
    return deploymentRepository.update(d.projectId, d.deployId, { taskRef, heartbeat: isoNow(), restarts }, ACTIVE_LIVE_STATUSES);
  },

  /** Publishes what the runner read from LEAN's files, with the heartbeat. */
  publish(d: Pick<LiveDeployment, 'projectId' | 'deployId'>, changes: Partial<LiveDeployment>): Promise<LiveDeployment | undefined> {
    return deploymentRepository.update(d.projectId, d.deployId, { ...changes, heartbeat: isoNow() }, ACTIVE_LIVE_STATUSES);
  },

  /** The algorithm crashed and is restarted (automaticRedeploy): recorded on the deployment. */
  restarted(d: LiveDeployment, reason: string): Promise<LiveDeployment | undefined> {
    const restarts = [...d.restarts, { at: isoNow(), attempt: d.restarts.length + 1, reason }];
    return deploymentRepository.update(d.projectId, d.deployId, { restarts, status: 'Initializing', heartbeat: isoNow() }, ACTIVE_LIVE_STATUSES);
  },

  /** Final status: recorded once, then the node and the project's slot are freed. */
  async ended(
    d: LiveDeployment,
    status: Extract<LiveStatus, 'Stopped' | 'Liquidated' | 'RuntimeError' | 'DeployError'>,
    detail: { error?: string; stacktrace?: string; stopReason?: string } = {},
  ) {
    const ended = await deploymentRepository.update(
      d.projectId,
      d.deployId,
      { status, stopped: isoNow(), ...detail, heartbeat: isoNow() },
      ACTIVE_LIVE_STATUSES,
    );
    const now = ended ?? (await deploymentRepository.get(d.projectId, d.deployId));
    if (now) {
      await deploymentRepository.freeSlot(now.projectId, now.deployId, now.logLines);
      await releaseNodes(now.orgId, now.deployId, now.nodeId);
    }
    return ended;
  },
};
