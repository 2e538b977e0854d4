import { nodeRepository } from '../../core/data/jobs/node-repository';
import { identityService } from '../../core/domain/identity/identity-service';
import type { NodeClaim } from '../../core/domain/jobs/types';
import type { JobMessage } from '../../core/ports/task-runner';
import type { OpenTarget } from '../admin/target';
import { type QueueDepth, queueDepth, queueUrls } from './queue-depth';

/** What `lcs status --json` prints: every key is always present (null when empty) so scripts can rely on it. */
export interface StatusReport {
  target: string;
  queue: QueueDepth;
  deadLetterQueue: QueueDepth;
  organizations: OrganizationStatus[];
}

export interface OrganizationStatus {
  id: string;
  name: string;
  nodes: NodeStatus[];
  waiting: WaitingJob[];
}

export interface NodeStatus {
  id: string;
  name: string;
  sku: string;
  state: 'idle' | 'busy';
  busyWith: NodeClaim | null;
}

export interface WaitingJob {
  kind: JobMessage['kind'];
  /** The backtest id (or compile id of a build). */
  id: string;
  projectId: number;
  since: string;
}

/**
 * Reads the queues and, per organization, its nodes and waiters: two queries each (the NODE# and
 * NODEWAIT# items of its partition), never a table scan.
 */
export async function readStatus(target: OpenTarget, options: { org?: string; stacks?: string[] }): Promise<StatusReport> {
  const orgs = options.org ? [await identityService.getOrganization(options.org)] : await identityService.listOrganizations();
  const urls = await queueUrls(target, options.stacks);
  const [queue, deadLetterQueue] = await Promise.all([queueDepth(urls.jobs), queueDepth(urls.deadLetter)]);
  const organizations = await Promise.all(
    orgs
      .sort((a, b) => a.created.localeCompare(b.created) || a.id.localeCompare(b.id))
      .map(async (org): Promise<OrganizationStatus> => {
        const [nodes, waiters] = await Promise.all([nodeRepository.listByOrg(org.id), nodeRepository.listWaiters(org.id)]);
        return {
          id: org.id,
          name: org.name,
          // Only backtest nodes take jobs; another kind is shown only if something holds it.
          nodes: nodes
            .filter((n) => n.kind === 'backtest' || n.busyWith)
            .map((n) => ({ id: n.id, name: n.name, sku: n.sku, state: n.busyWith ? 'busy' : 'idle', busyWith: n.busyWith ?? null })),
          waiting: waiters.map((w) => ({
            kind: w.message.kind,
            id: w.message.kind === 'backtest' ? w.message.backtestId : w.message.compileId,
            projectId: w.message.projectId,
            since: w.since,
          })),
        };
      }),
  );
  return { target: target.description, queue, deadLetterQueue, organizations };
}
