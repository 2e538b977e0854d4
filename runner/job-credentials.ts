import { jobCredentialService } from '../core/domain/identity/job-credential-service';
import type { JobKind } from '../core/domain/identity/types';

/**
 * The API credentials LEAN gets in its config (`job-user-id`, `api-access-token`): a job
 * credential minted for this one job (core/domain/identity/job-credential.ts), never the user's
 * own token, which a collaborator's algorithm could otherwise read from the config. Every user
 * gets one, with or without an API token of their own, so every job has the same data providers
 * (issue 20 item 15). It reaches only what LEAN needs, in the job's organisation and project.
 *
 * Lifetime: a backtest's or compile's lasts the job's longest run plus a margin, and is revoked
 * when the job ends. A live deployment has no bound, so its credential lasts LIVE_LIFETIME_SECONDS
 * and the runner renews it (`renew`, e.g. with its heartbeat) and mints a new one when it
 * restarts LEAN (rewriting LEAN's config). LEAN reads both keys once, at start
 * (Lean:`Common/Globals.cs` Reset): if the credential lapses, each API call LEAN makes answers
 * `success: false` ("Hash doesn't match. This job credential expired ..."), which LEAN logs; its
 * ApiDataProvider then treats the file as unavailable (Lean:`Api/Api.cs` DownloadData) and the
 * algorithm keeps running on the data it has.
 */
export interface JobIdentity {
  orgId: string;
  projectId: number;
  /** Who started the job: the credential acts with their role in `orgId`, never more. */
  userId: number;
  job: { kind: JobKind; id: string };
  /** The job's longest run (backtests, compiles); omitted for live deployments. */
  maxSeconds?: number;
}

export interface LeanApiCredential {
  /** LEAN's `job-user-id`: the credential's own id, a 32-bit integer as LEAN reads it. */
  userId: number;
  /** LEAN's `api-access-token`. Goes into LEAN's config only: never logged. */
  token: string;
  expiresAt: string;
  /** Pushes the expiry out again (live deployments); false once the credential was revoked. */
  renew(): Promise<boolean>;
  /** Ends it: called when the job ends, however it ends. */
  revoke(): Promise<void>;
}

/** After the job's own limit: LEAN's last writes, the runner's upload and clock skew. */
export const GRACE_SECONDS = 15 * 60;
export const LIVE_LIFETIME_SECONDS = 24 * 3600;

export function credentialLifetime(identity: Pick<JobIdentity, 'job' | 'maxSeconds'>): number {
  if (identity.job.kind === 'live' || identity.maxSeconds === undefined) return LIVE_LIFETIME_SECONDS;
  return identity.maxSeconds + GRACE_SECONDS;
}

export async function jobCredentials(identity: JobIdentity, now = new Date()): Promise<LeanApiCredential> {
  const lifetimeSeconds = credentialLifetime(identity);
  const minted = await jobCredentialService.mint({ ...identity, lifetimeSeconds, now });
  return {
    userId: minted.credentialId,
    token: minted.token,
    expiresAt: minted.expiresAt,
    renew: async () => (await jobCredentialService.renew(minted.credentialId, lifetimeSeconds)).renewed,
    revoke: () => jobCredentialService.revoke(minted.credentialId),
  };
}
