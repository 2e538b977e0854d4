import { createHash } from 'node:crypto';

/**
 * Local stand-in for API Gateway's authorizer result cache: the same credentials within the TTL
 * skip re-verification, as they do when deployed. Keyed on a hash of the identity sources (never
 * the secrets themselves). An entry never outlives its credential: a QuantConnect-hash entry
 * expires when its Timestamp leaves the accepted window, so the window is still honoured.
 * TTL 0 turns the cache off (revocations then apply to the very next request).
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
