import { NO_ORGANIZATION } from '../../core/domain/identity/admin-audit';
import { identityService } from '../../core/domain/identity/identity-service';

/** User-level changes (tokens, keys) are audited under the user's preferred organization. */
export async function auditOrgOf(userId: number): Promise<string> {
  return (await identityService.getUser(userId)).preferredOrgId ?? NO_ORGANIZATION;
}
