import { nodeRepository } from '../../data/jobs/node-repository';
import { deploymentRepository } from '../../data/live/deployment-repository';
import { projectRepository } from '../../data/projects/project-repository';
import type { DeploymentSecrets, LiveServices } from '../../ports/live-services';
import { isoNow } from '../../shared/dates';
import { ConflictError, InvalidError, NotFoundError } from '../../shared/errors';
import { hexId } from '../../shared/ids';
import { logger } from '../../shared/logger';
import type { Principal } from '../../shared/principal';
import { releaseNodes } from '../backtests/backtest-lifecycle';
import { getCompileForBacktest } from '../compile/compile-reads';
import { canSee, orgAccess, projectAccess } from '../identity/access';
import { chooseFeeds, liveFeeds } from './live-feeds';
import { liveLifecycle } from './live-lifecycle';
import { liveListView, liveReadView, NoLiveDeploymentError } from './live-view';
import { notificationSecret, notificationSummary, notifyChannels, parseNotification } from './notifications';
import { ACTIVE_LIVE_STATUSES, type CashAmount, type InitialHolding, isFinalLive, type LiveDeployment, type LiveStatus } from './types';

/**
 * Live trading (design §8, contract §3.8): `live/create` checks the compile and the node, keeps the
 * credentials in the deployment's own secret, claims the live node and starts one supervised
 * runner; stop and liquidate ask LEAN through a command file and wait for its final files;
 * commands are queued for the runner to deliver.
 */
export interface LivePorts {
  services: LiveServices;
  secrets: DeploymentSecrets;
}

export interface CreateLive {
  projectId: number;
  compileId: string;
  nodeId: string;
  versionId?: number;
  brokerage: Record<string, unknown> & { id: string; cash?: CashAmount[]; holdings?: InitialHolding[] };
  dataProviders: Record<string, Record<string, unknown>>;
  automaticRedeploy: boolean;
  /** lean-cli's `{events, targets}` (core/domain/live/notifications.ts); its targets go to the secret. */
  notification?: Record<string, unknown>;
}

/** How long stop and liquidate wait for LEAN's final files before they stop the runner (API Gateway allows 29 s). */
const stopWaitMs = () => Number(process.env.LCS_LIVE_STOP_WAIT_MS ?? 20_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The project's deployment that still runs, or the conflict/not-found QuantConnect answers. */
async function activeDeployment(projectId: number): Promise<LiveDeployment> {
  const d = await deploymentRepository.latest(projectId);
  if (!d || isFinalLive(d)) throw new NotFoundError('Running live algorithm');
  return d;
}

/** Removes what keeps a finished deployment running and its secret (both safe to repeat). */
export async function retireDeployment(d: LiveDeployment, ports: LivePorts, reason: string): Promise<void> {
  if (d.serviceRef) await ports.services.remove(d.serviceRef, reason);
  if (d.secretRef) await ports.secrets.remove(d.secretRef);
}

/**
 * The dispatcher's side of a `live-retire` message: a deployment that ended loses its service and
 * secret. Only an ended deployment is retired (a late or forged message cannot stop a running one).
 */
export async function retireEnded(projectId: number, deployId: string, live?: () => Promise<LivePorts>): Promise<'recorded' | 'gone'> {
  const d = await deploymentRepository.get(projectId, deployId);
  if (!d || !isFinalLive(d) || !live) return 'gone';
  await retireDeployment(d, await live(), `deployment ${d.status}`);
  return 'recorded';
}

/** Queues a command for the deployment's runner; LEAN's answer is recorded when it comes. */
async function queueCommand(d: LiveDeployment, command: Record<string, unknown>): Promise<string> {
  const commandId = hexId();
  await deploymentRepository.putCommand(d.projectId, { deployId: d.deployId, commandId, command, created: isoNow(), state: 'pending' });
  return commandId;
}

export const liveService = {
  async create(principal: Principal, request: CreateLive, ports: LivePorts) {
    const { project } = await projectAccess(principal, request.projectId, 'write');
    await getCompileForBacktest(project.id, request.compileId);
    const node = (await nodeRepository.listByOrg(project.orgId)).find((n) => n.id === request.nodeId || n.name === request.nodeId);
    if (!node) throw new NotFoundError('Node');
    if (node.kind !== 'live') throw new InvalidError(`nodeId: ${node.name} is a ${node.kind} node; live trading needs a live node`);
    const feeds = chooseFeeds(request.brokerage, request.dataProviders, liveFeeds());
    const notification = parseNotification(request.notification, notifyChannels());
    const deployId = `L-${hexId()}`;
    const now = isoNow();
    const deployment: LiveDeployment = {
      deployId,
      projectId: project.id,
      orgId: project.orgId,
      userId: principal.userId,
      projectName: project.name,
      compileId: request.compileId,
      versionId: request.versionId ?? project.leanVersionId,
      nodeId: node.id,
      nodeName: node.name,
      sku: node.sku,
      brokerage: request.brokerage.id,
      leanBrokerage: feeds.leanBrokerage,
      dataQueueHandlers: feeds.dataQueueHandlers,
      dataProviders: Object.keys(request.dataProviders),
      automaticRedeploy: request.automaticRedeploy,
      ...(request.brokerage.cash?.length ? { initialCash: request.brokerage.cash } : {}),
      ...(request.brokerage.holdings?.length ? { initialHoldings: request.brokerage.holdings } : {}),
      status: 'Initializing',
      launched: now,
      restarts: [],
      logOffset: await deploymentRepository.slotLogLines(project.id),
      logLines: 0,
      orderCount: 0,
      insightCount: 0,
      chartNames: [],
      runtimeStatistics: {},
      holdings: {},
      cash: {},
    };
    if (!(await nodeRepository.claim(project.orgId, node.id, { kind: 'live', id: deployId, projectId: project.id, since: now }))) {
      throw new ConflictError(`The live node ${node.name} is busy; stop what runs on it or pick another live node.`);
    }
    if (!(await deploymentRepository.create(deployment))) {
      await releaseNodes(project.orgId, deployId, node.id);
      throw new ConflictError('This project already has a running live algorithm; stop it before deploying again.');
    }
    let started = deployment;
    try {
      const secretValues = { ...feeds.secretValues, ...notificationSecret(notification) };
      const secretRef = Object.keys(secretValues).length ? await ports.secrets.create(deployId, secretValues) : undefined;
      if (secretRef) started = (await deploymentRepository.update(project.id, deployId, { secretRef })) ?? started;
      const { serviceRef } = await ports.services.start({
        job: { kind: 'live', orgId: project.orgId, projectId: project.id, deployId },
        sku: node.sku,
        ...(secretRef ? { secretRef } : {}),
      });
      started = (await deploymentRepository.update(project.id, deployId, { serviceRef })) ?? started;
    } catch (err) {
      logger.error('live deployment could not start', { deployId, error: err as Error });
      const failed = (await liveLifecycle.ended(started, 'DeployError', { error: `The deployment could not start: ${(err as Error).message}` })) ?? started;
      await retireDeployment(failed, ports, 'deploy failed').catch(() => undefined);
      throw new ConflictError(`The live deployment could not start: ${(err as Error).message}`);
    }
    const answer = {
      projectId: project.id,
      deployId,
      versionId: started.versionId,
      source: 'api',
      responseCode: 'OK',
      status: started.status,
      live: liveListView(started),
    };
    return { deployment: started, answer, notification: notificationSummary(notification) };
  },

  async read(principal: Principal, projectId: number, deployId?: string) {
    const { project } = await projectAccess(principal, projectId, 'read');
    const d = deployId ? await deploymentRepository.get(projectId, deployId) : await deploymentRepository.latest(projectId);
    if (!d) throw new NoLiveDeploymentError(project.name);
    return liveReadView(d);
  },

  /** The caller's organisation's deployments (LEAN sends no organisation), newest first. */
  async list(principal: Principal, filter: { status?: LiveStatus; projectId?: number }) {
    const { orgId } = orgAccess(principal, undefined, 'viewer');
    let all =
      filter.projectId !== undefined
        ? await deploymentRepository.listByProject((await projectAccess(principal, filter.projectId, 'read')).project.id)
        : await deploymentRepository.listByOrg(orgId);
    if (filter.status) all = all.filter((d) => d.status === filter.status);
    const visible: LiveDeployment[] = [];
    const seen = new Map<number, boolean>();
    for (const d of all) {
      if (!seen.has(d.projectId)) {
        const stored = await projectRepository.get(d.projectId);
        seen.set(d.projectId, !!stored && canSee(principal, stored));
      }
      if (seen.get(d.projectId)) visible.push(d);
    }
    visible.sort((a, b) => b.launched.localeCompare(a.launched));
    return { live: visible.map(liveListView), count: visible.length };
  },

  /**
   * Stop = LEAN's `AlgorithmStatusCommand` Stopped, liquidate = Liquidated (lean-runtime §6): the
   * runner delivers it, waits for LEAN's final files and reports the status itself (LEAN ends as
   * Completed). If LEAN has not ended within the wait, the runner is stopped (SIGINT to LEAN).
   */
  async stop(principal: Principal, projectId: number, status: 'Stopped' | 'Liquidated', ports: LivePorts) {
    await projectAccess(principal, projectId, 'write');
    const d = await activeDeployment(projectId);
    const asked = await deploymentRepository.update(projectId, d.deployId, { stopRequested: status }, ACTIVE_LIVE_STATUSES);
    if (!asked) throw new NotFoundError('Running live algorithm');
    await queueCommand(d, { $type: 'QuantConnect.Commands.AlgorithmStatusCommand, QuantConnect.Common', Status: status });
    const deadline = Date.now() + stopWaitMs();
    let now: LiveDeployment | undefined = asked;
    while (now && !isFinalLive(now) && Date.now() < deadline) {
      await sleep(250);
      now = await deploymentRepository.get(projectId, d.deployId);
    }
    if (now && !isFinalLive(now)) {
      // Not ended in time: stopping the runner makes it SIGINT LEAN; the status asked for is kept.
      await ports.services.remove(now.serviceRef ?? '', `live/update/${status === 'Stopped' ? 'stop' : 'liquidate'}`);
      now = (await liveLifecycle.ended(now, status, { stopReason: 'LEAN did not end in time after the stop command; the runner was stopped' })) ?? now;
    }
    if (now) await retireDeployment(now, ports, `deployment ${status.toLowerCase()}`);
    return now ?? d;
  },

  async command(principal: Principal, projectId: number, command: Record<string, unknown>) {
    await projectAccess(principal, projectId, 'write');
    const d = await activeDeployment(projectId);
    const commandId = await queueCommand(d, command);
    return { deployment: d, commandId };
  },

  /** Every running deployment of the organisation but the excluded project's (LEAN's BroadcastCommand). */
  async broadcast(principal: Principal, organizationId: string | undefined, excludeProjectId: number | undefined, command: Record<string, unknown>) {
    const { orgId } = orgAccess(principal, organizationId, 'member');
    const targets = (await deploymentRepository.listByOrg(orgId)).filter((d) => !isFinalLive(d) && d.projectId !== excludeProjectId);
    for (const d of targets) await queueCommand(d, command);
    return { orgId, count: targets.length };
  },
};
