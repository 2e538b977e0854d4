import { deploymentRepository } from '../../data/live/deployment-repository';
import { liveResults } from '../../data/live/live-results';
import { NotFoundError } from '../../shared/errors';
import type { Principal } from '../../shared/principal';
import { projectAccess } from '../identity/access';
import { NoLiveDeploymentError } from './live-view';
import { isFinalLive, type LiveDeployment } from './types';

/**
 * What a deployment's runner published, as the live read endpoints serve it (contract §3.8):
 * portfolio from the item, orders/insights/logs/charts from the artifacts bucket.
 */
async function load(principal: Principal, projectId: number, deployId?: string): Promise<LiveDeployment> {
  const { project } = await projectAccess(principal, projectId, 'read');
  const d = deployId ? await deploymentRepository.get(projectId, deployId) : await deploymentRepository.latest(projectId);
  if (!d) throw deployId ? new NotFoundError('Live algorithm') : new NoLiveDeploymentError(project.name);
  return d;
}

export const liveResultsService = {
  /** Holdings with LEAN's short keys and cash, as the runner last published them (lean-runtime §4.3). */
  async portfolio(principal: Principal, projectId: number) {
    const d = await load(principal, projectId);
    return { portfolio: { holdings: d.holdings, cash: d.cash } };
  },

  /** Orders start..end (end exclusive, ≤ 1,000) with their events, across every day the deployment ran. */
  async orders(principal: Principal, query: { projectId: number; start: number; end: number }) {
    const d = await load(principal, query.projectId);
    const orders = await liveResults.readOrders(d.projectId, d.deployId);
    return { orders: orders.slice(query.start, query.end), length: orders.length };
  },

  async insights(principal: Principal, query: { projectId: number; start: number; end: number }) {
    const d = await load(principal, query.projectId);
    const insights = await liveResults.readInsights(d.projectId, d.deployId);
    return { insights: insights.slice(query.start, query.end), length: insights.length };
  },

  /**
   * Log lines startLine..endLine (end exclusive, ≤ 250) of the deployment `algorithmId`, counted
   * from its first line; `deploymentOffset` is how many lines the project's earlier deployments
   * logged, `length` the project's total across deployments.
   */
  async logs(principal: Principal, query: { projectId: number; algorithmId: string; startLine: number; endLine: number }) {
    const d = await load(principal, query.projectId, query.algorithmId);
    const lines = await liveResults.readLog(d.projectId, d.deployId);
    const latest = await deploymentRepository.latest(d.projectId);
    const length = latest ? latest.logOffset + (latest.deployId === d.deployId ? lines.length : latest.logLines) : lines.length;
    return { logs: lines.slice(query.startLine, query.endLine), length, deploymentOffset: d.logOffset };
  },

  /** One chart down-sampled to `count` points, or the loading form until the runner has published it. */
  async chart(principal: Principal, query: { projectId: number; name: string; count: number; start?: number; end?: number }) {
    const d = await load(principal, query.projectId);
    const chart = await liveResults.readChart(d.projectId, d.deployId, query.name, { count: query.count, start: query.start, end: query.end });
    if (chart) return { chart };
    if (!isFinalLive(d)) return { progress: 0, status: 'loading' };
    throw new NotFoundError(`Chart '${query.name}'`);
  },
};
