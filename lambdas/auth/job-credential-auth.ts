import { identityRepository } from '../../core/data/identity/identity-repository';
import { jobCredentialRepository } from '../../core/data/identity/job-credential-repository';
import { jobCredentialUsable } from '../../core/domain/identity/job-credential';
import type { JobCredential } from '../../core/domain/identity/types';
import { AuthError } from '../../core/shared/errors';
import type { Verified } from './credentials';

/**
 * The job-credential side of authentication (core/domain/identity/job-credential.ts). LEAN signs
 * with it exactly as with a user token, so `authenticate` sends a QuantConnect hash (or plain
 * Basic) whose user id falls in the job range here, with a function that tells whether a clear
 * token matches. The principal is the job's user, limited to the job's organisation with their
 * current role there (removed from it: refused), and carries the job scope every endpoint checks
 * (lambdas/api/pipeline.ts). Users without any API token get one the same way (issue 20 item 15).
 */
export async function authenticateJob(
  credentialId: number,
  nowMs: number,
  clear: (credential: JobCredential) => Promise<string>,
  matches: (token: string) => boolean,
  invalid: string,
): Promise<Verified> {
  const credential = await jobCredentialRepository.get(credentialId);
  if (!credential || !matches(await clear(credential))) throw new AuthError(invalid);
  if (credential.revokedAt) throw new AuthError(`This job credential was revoked when its ${credential.job.kind} ${credential.job.id} ended.`);
  if (!jobCredentialUsable(credential, nowMs)) throw new AuthError(`This job credential expired at ${credential.expiresAt}.`);
  const membership = await identityRepository.getMember(credential.orgId, credential.userId);
  if (!membership) throw new AuthError(invalid);
  const principal = {
    userId: credential.userId,
    authMethod: 'job' as const,
    credentialId: String(credential.credentialId),
    preferredOrgId: credential.orgId,
    memberships: [{ orgId: credential.orgId, role: membership.role }],
    job: { kind: credential.job.kind, id: credential.job.id, orgId: credential.orgId, projectId: credential.projectId },
  };
  return { principal, notAfter: Date.parse(credential.expiresAt) };
}
