import { randomInt } from 'node:crypto';
import { jobCredentialRepository } from '../../data/identity/job-credential-repository';
import { tokenCipher } from '../../data/identity/token-cipher';
import { ConflictError } from '../../shared/errors';
import { secretValue } from '../../shared/ids';
import { JOB_CREDENTIAL_IDS } from './job-credential';
import type { JobCredential, JobKind } from './types';

/**
 * Minting, renewing and revoking job credentials (the entity: job-credential.ts). The runner mints
 * one when its job starts and revokes it when the job ends; the token is returned once, to be
 * written into LEAN's config, and is never logged or answered.
 */
export interface MintRequest {
  orgId: string;
  projectId: number;
  userId: number;
  job: { kind: JobKind; id: string };
  /** How long it stays valid; the caller bounds it by how long the job may run. */
  lifetimeSeconds: number;
  now?: Date;
}

export interface MintedJobCredential {
  /** LEAN's `job-user-id`. */
  credentialId: number;
  /** LEAN's `api-access-token`. */
  token: string;
  expiresAt: string;
}

const expiry = (now: Date, seconds: number) => new Date(now.getTime() + seconds * 1000).toISOString();

export const jobCredentialService = {
  async mint(request: MintRequest): Promise<MintedJobCredential> {
    const now = request.now ?? new Date();
    const token = secretValue(32);
    const ciphertext = await tokenCipher().encrypt(token);
    const expiresAt = expiry(now, request.lifetimeSeconds);
    // Random ids in a range of ~650 million: a collision is rare and simply draws again.
    for (let attempt = 0; ; attempt++) {
      const credential: JobCredential = {
        credentialId: randomInt(JOB_CREDENTIAL_IDS.min, JOB_CREDENTIAL_IDS.max + 1),
        userId: request.userId,
        orgId: request.orgId,
        projectId: request.projectId,
        job: request.job,
        ciphertext,
        created: now.toISOString(),
        expiresAt,
      };
      try {
        await jobCredentialRepository.create(credential);
        return { credentialId: credential.credentialId, token, expiresAt };
      } catch (err) {
        if (!(err instanceof ConflictError) || attempt >= 4) throw err;
      }
    }
  },

  /** A live deployment's runner keeps its credential alive; false once it was revoked. */
  async renew(credentialId: number, lifetimeSeconds: number, now = new Date()): Promise<{ renewed: boolean; expiresAt: string }> {
    const expiresAt = expiry(now, lifetimeSeconds);
    return { renewed: await jobCredentialRepository.extend(credentialId, expiresAt), expiresAt };
  },

  async revoke(credentialId: number, now = new Date()): Promise<void> {
    await jobCredentialRepository.revoke(credentialId, now.toISOString());
  },
};
