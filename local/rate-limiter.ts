/**
 * Per-organisation rate limits in local mode, from the same settings as the deployed usage plan
 * (lib/config/settings.ts `rateLimit`): a token bucket per organisation holding `burst` requests
 * and refilled at `ratePerSecond`, plus an optional daily quota (UTC days), as API Gateway does.
 */
export interface RateLimitSettings {
  ratePerSecond: number;
  burst: number;
  dailyQuota: number;
}

export type RateDecision = { allowed: true } | { allowed: false; reason: 'throttled' | 'quota'; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  refilledAt: number;
  day: number;
  usedToday: number;
}

const DAY_MS = 86_400_000;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly settings: RateLimitSettings) {}

  take(key: string, now = Date.now()): RateDecision {
    const day = Math.floor(now / DAY_MS);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.settings.burst, refilledAt: now, day, usedToday: 0 };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(this.settings.burst, bucket.tokens + ((now - bucket.refilledAt) / 1000) * this.settings.ratePerSecond);
    bucket.refilledAt = now;
    if (bucket.day !== day) {
      bucket.day = day;
      bucket.usedToday = 0;
    }
    if (this.settings.dailyQuota > 0 && bucket.usedToday >= this.settings.dailyQuota) {
      return { allowed: false, reason: 'quota', retryAfterSeconds: Math.ceil(((day + 1) * DAY_MS - now) / 1000) };
    }
    if (bucket.tokens < 1) {
      return { allowed: false, reason: 'throttled', retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.settings.ratePerSecond)) };
    }
    bucket.tokens -= 1;
    bucket.usedToday += 1;
    return { allowed: true };
  }
}

export function rateLimitMessage(decision: Exclude<RateDecision, { allowed: true }>): string {
  return decision.reason === 'quota'
    ? `Daily request quota of this organization is used up; retry in ${decision.retryAfterSeconds} s.`
    : `Too many requests for this organization; retry in ${decision.retryAfterSeconds} s.`;
}
