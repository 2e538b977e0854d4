import { randomUUID } from 'node:crypto';
import { auditRepository } from '../../data/identity/audit-repository';
import { isoNow } from '../../shared/dates';

/**
 * Audit events of administrative changes made outside the API (`lcs admin`, the first-admin
 * resource). They sit beside the API's events: action `admin/<command>`, the acting user (0 when
 * no admin is named), auth method and source `cli` (or `cloudformation`).
 */
export const NO_ORGANIZATION = 'none';
export const SYSTEM_USER_ID = 0;

export interface AdminChange {
  action: string;
  /** The organisation concerned; user-level changes use the user's preferred organisation. */
  orgId?: string;
  target: string;
  detail?: Record<string, unknown>;
  actorUserId?: number;
  source?: 'cli' | 'cloudformation';
}

export async function recordAdminChange(change: AdminChange): Promise<void> {
  const source = change.source ?? 'cli';
  await auditRepository.record({
    orgId: change.orgId ?? NO_ORGANIZATION,
    at: isoNow(),
    requestId: randomUUID(),
    userId: change.actorUserId ?? SYSTEM_USER_ID,
    authMethod: source,
    credentialId: source,
    action: change.action.startsWith('admin/') ? change.action : `admin/${change.action}`,
    target: change.target,
    sourceIp: source,
    ...(change.detail ? { detail: change.detail } : {}),
  });
}
