import { createHash } from 'node:crypto';
import { config } from '../../core/shared/config';
import { AuthError } from '../../core/shared/errors';
import type { Principal } from '../../core/shared/principal';
import { verifyCredentials } from './authenticate';
import { type CredentialSource, type Credentials, readCredentials } from './credentials';
import { AuthThrottledError, FailureBudget } from './failure-budget';

/**
 * Verified credentials are trusted for a short time without re-verification, in the authorizer
 * function (API Gateway's own result cache cannot be used: its identity sources must all be
 * present, and clients send different headers) and in the local server, with the same code.
 * Keyed on a hash of the parsed credentials that were verified (never the secrets themselves), so
 * an entry is found only by the very credentials it was made for. An entry never outlives its
 * credential: a QuantConnect hash's Timestamp window, a token's or key's expiresAt, a JWT's exp.
 * TTL 0 (LCS_AUTH_CACHE_SECONDS) turns the cache off: revocations apply to the very next request.
 */
export interface CachedAuth<T> {
  value: T;
  until: number;
}

/** The cache key of parsed credentials: a digest of every field, secrets included, never the text. */
export function credentialKey(credentials: Credentials): string {
  return createHash('sha256').update(JSON.stringify(credentials)).digest('hex');
}

export class AuthorizerCache<T> {
  private readonly entries = new Map<string, CachedAuth<T>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  get(key: string, now = Date.now()): T | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.until <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  /** `notAfter` caps the entry at the credential's own expiry (hash window end, key or JWT expiry). */
  set(key: string, value: T, notAfter = Number.POSITIVE_INFINITY, now = Date.now()): void {
    if (!this.enabled) return;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { value, until: Math.min(now + this.ttlMs, notAfter) });
  }
}

/** Whom a failure is charged to besides its source: the user or key id the credentials name. */
function claimedSubject(credentials: Credentials): string | undefined {
  if (credentials.kind === 'qc-hash' || credentials.kind === 'basic') return `user:${credentials.userId.slice(0, 32)}`;
  if (credentials.kind === 'api-key') return `key:${credentials.keyId.slice(0, 64)}`;
  return undefined;
}

/** The request to authenticate, with the address it came from (the failure budget's subject). */
export type AuthRequest = CredentialSource & { sourceIp?: string };

/**
 * `authenticate` behind the cache and the failure budget; one per process (module scope survives
 * between invocations). Cached credentials pass without the budget; others are refused unchecked
 * while their source or named user has spent it, and each failure is charged to both.
 */
export function cachedAuthenticator(ttlSeconds = config().LCS_AUTH_CACHE_SECONDS): (request: AuthRequest) => Promise<Principal> {
  const cache = new AuthorizerCache<Principal>(ttlSeconds * 1000);
  const budget = new FailureBudget(config().LCS_AUTH_FAILURES_BURST, config().LCS_AUTH_FAILURES_PER_MINUTE);
  return async (request) => {
    const now = Date.now();
    const credentials = readCredentials(request);
    const key = credentialKey(credentials);
    const hit = cache.get(key, now);
    if (hit) return hit;
    const subjects = [request.sourceIp ? `ip:${request.sourceIp}` : undefined, claimedSubject(credentials)].filter((s): s is string => Boolean(s));
    budget.check(subjects, now);
    try {
      const { principal, notAfter } = await verifyCredentials(credentials, now);
      cache.set(key, principal, notAfter, now);
      return principal;
    } catch (err) {
      if (err instanceof AuthError && budget.charge(subjects, now)) throw new AuthThrottledError(budget.wait(subjects, now));
      throw err;
    }
  };
}
