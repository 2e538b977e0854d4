import { backtestRepository } from '../../data/backtests/backtest-repository';
import { deploymentRepository } from '../../data/live/deployment-repository';
import { liveResults } from '../../data/live/live-results';
import { NotFoundError } from '../../shared/errors';
import type { Principal } from '../../shared/principal';
import { projectAccess } from '../identity/access';
import type { LiveDeployment } from '../live/types';
import { backtestMessage, type LiveExtras, liveMessage, type ServerMessage, type Topic } from './protocol';

/**
 * What the real-time servers (local `/ws`, the AWS connect/message/publish functions) share: who
 * may subscribe to what, and turning a written item into the message its subscribers get.
 */

/**
 * May this caller watch this topic? The same rule as the REST reads (backtests/read, live/read):
 * another organisation's project, or a project the caller cannot see, is "not found". Answers
 * the topic's current state, so a subscriber starts from fresh data rather than waiting for the
 * next change (no message for a project with no live deployment yet), and the deployment it read.
 */
export async function subscribe(principal: Principal, t: Topic): Promise<{ message?: ServerMessage; deployment?: LiveDeployment }> {
  // A job credential acts for one runner; it never watches anything.
  if (principal.job) throw new NotFoundError('Project');
  await projectAccess(principal, t.projectId, 'read');
  if (t.topic === 'backtest') {
    const backtest = await backtestRepository.get(t.projectId, t.backtestId);
    if (!backtest) throw new NotFoundError('Backtest');
    return { message: backtestMessage(backtest) };
  }
  const deployment = await deploymentRepository.latest(t.projectId);
  return { message: deployment && liveMessage(deployment), deployment };
}

/**
 * API Gateway refuses a WebSocket message over 128 KB: one message carries at most this many new
 * log lines and orders (the newest); a client that needs all of them reads live/logs/read.
 */
const MAX_LINES = 200;
const MAX_ORDERS = 50;

/** What a live deployment published since `before` (its previous state): new orders and new log lines. */
export async function liveChanges(before: Pick<LiveDeployment, 'logLines' | 'orderCount'> | undefined, d: LiveDeployment): Promise<LiveExtras> {
  const fromLog = before?.logLines ?? d.logLines;
  const fromOrders = before?.orderCount ?? d.orderCount;
  const [logs, fills] = await Promise.all([
    d.logLines > fromLog
      ? liveResults.readLog(d.projectId, d.deployId).then((lines) => lines.slice(Math.max(fromLog, d.logLines - MAX_LINES), d.logLines))
      : [],
    d.orderCount > fromOrders
      ? liveResults.readOrders(d.projectId, d.deployId).then((orders) => orders.slice(Math.max(fromOrders, d.orderCount - MAX_ORDERS), d.orderCount))
      : [],
  ]);
  return { logs, fills };
}

/** The live message for a written deployment, with what it published since `before`. */
export async function liveUpdate(before: LiveDeployment | undefined, d: LiveDeployment): Promise<ServerMessage> {
  // A new deployment of the project starts its own log and orders.
  const previous = before?.deployId === d.deployId ? before : undefined;
  return liveMessage(d, await liveChanges(previous ?? { logLines: 0, orderCount: 0 }, d));
}
