import type { Role } from '../../shared/principal';

/** Identity entities as the services see them; repositories map them to and from items. */
/** Entities as the services see them; repositories map them to and from items. */
export interface Organization {
  id: string;
  name: string;
  ownerUserId: number;
  created: string;
}

export interface User {
  id: number;
  name: string;
  email: string;
  created: string;
  preferredOrgId?: string;
}

export interface Member {
  orgId: string;
  userId: number;
  role: Role;
  joined: string;
}

export interface ApiToken {
  userId: number;
  tokenId: string;
  /** Encrypted token: the QuantConnect hash needs the clear value at verification time. */
  ciphertext: string;
  created: string;
  expiresAt?: string;
  revokedAt?: string;
}

export interface ApiKey {
  keyId: string;
  userId: number;
  name: string;
  /** SHA-256 of the secret, hex. The secret itself is never stored. */
  secretHash: string;
  created: string;
  expiresAt?: string;
  revokedAt?: string;
  lastUsedAt?: string;
}

export interface AuditEvent {
  orgId: string;
  at: string;
  requestId: string;
  userId: number;
  authMethod: string;
  credentialId: string;
  action: string;
  target?: string;
  sourceIp: string;
  detail?: Record<string, unknown>;
}

/** LEAN's credential for one job (job-credential.ts says why and how it is used). */
export type JobKind = 'backtest' | 'compile' | 'live';

export interface JobCredential {
  /** The `job-user-id` LEAN sends. */
  credentialId: number;
  /** Who started the job: the principal acts with this user's membership, never more. */
  userId: number;
  orgId: string;
  projectId: number;
  job: { kind: JobKind; id: string };
  /** Encrypted with the app key (token-cipher), like API tokens. */
  ciphertext: string;
  created: string;
  expiresAt: string;
  revokedAt?: string;
}
