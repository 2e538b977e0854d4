import { ForbiddenError, NotFoundError } from '../../shared/errors';
import type { JobScope } from '../../shared/principal';
import type { JobCredential } from './types';

/**
 * Job credentials (issue 12 item 4, issue 20 items 14 and 15): what LEAN authenticates with while
 * a backtest, compile or live deployment runs, instead of its user's own long-lived token.
 *
 * LEAN signs every request as `Authorization: Basic base64(<job-user-id>:sha256(<token>:<ts>))`
 * with a `Timestamp` header (Lean:`Api/ApiConnection.cs` SetAuthenticator, Lean:`Api/Api.cs`
 * CreateSecureHash), and reads `job-user-id` with `Config.GetInt` (Lean:`Common/Globals.cs`): the
 * id must be a 32-bit integer. So a job credential has its own integer id, drawn from a range no
 * user id reaches (users count up from 100,000), and stock LEAN signs with it unchanged. The token
 * is kept encrypted like API tokens: the QuantConnect hash needs its clear value server-side.
 */
export const JOB_CREDENTIAL_IDS = { min: 1_500_000_000, max: 2_147_483_647 } as const;

export function isJobCredentialId(id: number): boolean {
  return Number.isInteger(id) && id >= JOB_CREDENTIAL_IDS.min && id <= JOB_CREDENTIAL_IDS.max;
}

export function jobCredentialUsable(credential: JobCredential, nowMs: number): boolean {
  return !credential.revokedAt && Date.parse(credential.expiresAt) > nowMs;
}

/**
 * The endpoints a job credential reaches: what LEAN calls while it runs, and what its algorithm
 * may reasonably call for its own job. Stock LEAN's engine calls `data/prices`,
 * `organizations/read` (ApiDataProvider's constructor), `data/read` (Api.DownloadData), and
 * `account/read` only when `job-organization-id` is empty, which the runner never leaves it
 * (Lean:`Engine/DataFeeds/ApiDataProvider.cs`); `SetAlgorithmStatus` and `SendStatistics` are
 * no-ops in Lean:`Api/Api.cs`. The algorithm's own `self.api`/BroadcastCommand reaches the object
 * store, its project, its backtests and live commands (Lean:`Algorithm/QCAlgorithm.cs`).
 * `project`: the call must name the job's project; `org`: it must not name another organisation.
 */
export const JOB_ROUTES: Readonly<Record<string, 'org' | 'project'>> = {
  'data/read': 'org',
  'data/prices': 'org',
  'data/list': 'org',
  'organizations/read': 'org',
  'object/get': 'org',
  'object/set': 'org',
  'object/properties': 'org',
  'object/list': 'org',
  'object/delete': 'org',
  'projects/read': 'project',
  'backtests/read': 'project',
  'backtests/list': 'project',
  'backtests/chart/read': 'project',
  'backtests/orders/read': 'project',
  'backtests/insights/read': 'project',
  'live/read': 'project',
  'live/commands/create': 'project',
  'live/commands/broadcast': 'org',
};

/**
 * Refuses what a job credential may not do. Another organisation or project is "not found", as
 * for any caller; an endpoint outside JOB_ROUTES is forbidden with a reason. Without `input` only
 * the endpoint is checked (before the input is parsed, so a refused call is refused as such).
 */
export function assertJobScope(job: JobScope, routePath: string, input?: unknown): void {
  const scope = JOB_ROUTES[routePath];
  if (!scope) {
    throw new ForbiddenError(`A job credential (${job.kind} ${job.id}) cannot call ${routePath}; it reaches only what LEAN uses while its job runs.`);
  }
  if (input === undefined) return;
  const fields = input as { organizationId?: unknown; projectId?: unknown };
  if (fields.organizationId !== undefined && fields.organizationId !== job.orgId) throw new NotFoundError('Organization');
  if (scope === 'project' && fields.projectId !== job.projectId) throw new NotFoundError('Project');
  if (fields.projectId !== undefined && fields.projectId !== job.projectId) throw new NotFoundError('Project');
}
