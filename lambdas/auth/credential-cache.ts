import { createHash } from 'node:crypto';
import { config } from '../../core/shared/config';
import type { Principal } from '../../core/shared/principal';
import { authenticate } from './authenticate';
import type { CredentialSource } from './credentials';

/**
 * Verified credentials are trusted for a short time without re-verification, in the authorizer
 * function (API Gateway's own result cache cannot be used: its identity sources must all be
 * present, and clients send different headers) and in the local server, with the same code.
 * Keyed on a hash of the identity sources (never the secrets themselves). An entry never outlives
 * its credential: a QuantConnect-hash entry expires when its Timestamp leaves the accepted window.
 * TTL 0 (LCS_AUTH_CACHE_SECONDS) turns the cache off: revocations apply to the very next request.
 */
export interface CachedAuth<T> {
  value: T;
  until: number;
}

const IDENTITY_SOURCES = ['authorization', 'timestamp', 'x-api-key', 'x-api-secret'];

export function identityKey(headers: Record<string, string | undefined>, query: Record<string, string | undefined>): string {
  const parts = IDENTITY_SOURCES.map((name) => `${name}=${headers[name] ?? ''}|${query[name] ?? ''}`);
  return createHash('sha256').update(parts.join('\n')).digest('hex');
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

/** When a QuantConnect-hash credential stops being acceptable: Timestamp + the accepted age. */
export function hashWindowEnd(headers: Record<string, string | undefined>, query: Record<string, string | undefined>, maxAgeSeconds: number): number {
  const raw = (headers.timestamp ?? query.timestamp ?? '').split(',')[0]?.trim() ?? '';
  return /^\d{1,12}$/.test(raw) ? (Number(raw) + maxAgeSeconds) * 1000 : Number.POSITIVE_INFINITY;
}

const lower = (map: Record<string, string | undefined>) => Object.fromEntries(Object.entries(map).map(([k, v]) => [k.toLowerCase(), v]));

/** `authenticate` behind the cache; one per process (module scope survives between invocations). */
export function cachedAuthenticator(ttlSeconds = config().LCS_AUTH_CACHE_SECONDS): (source: CredentialSource) => Promise<Principal> {
  const cache = new AuthorizerCache<Principal>(ttlSeconds * 1000);
  return async (source) => {
    const headers = lower(source.headers);
    const query = lower(source.query);
    const key = identityKey(headers, query);
    const hit = cache.get(key);
    if (hit) return hit;
    const principal = await authenticate(source);
    cache.set(key, principal, hashWindowEnd(headers, query, config().LCS_HASH_MAX_AGE_SECONDS));
    return principal;
  };
}
