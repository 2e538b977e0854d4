/**
 * Per-organisation rate limits in local mode, from the same settings as the deployed usage plan
 * (lib/config/settings.ts `rateLimit`): a token bucket per organisation holding `burst` requests
 * and refilled at `ratePerSecond`, plus an optional daily quota (UTC days), as API Gateway does.
 * `data/read` has its own bucket per organisation (`dataRead`), as the usage plan's method
 * throttle gives it in AWS: LEAN treats a refused data/read as a missing file (issue 20 item 14),
 * so a backtest loading data must not compete with, or be held to, the general limit.
 */
export interface Throttle {
  ratePerSecond: number;
  burst: number;
}

export interface RateLimitSettings extends Throttle {
  dailyQuota: number;
  /** data/read's own budget; unset: data/read shares the general bucket. */
  dataRead?: Throttle;
}

/** Endpoints with a bucket of their own (the usage plan's method throttles). */
const OWN_BUCKET = 'data/read';

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

  /** `endpoint` picks data/read's own bucket; the daily quota counts every request of the key. */
  take(key: string, now = Date.now(), endpoint?: string): RateDecision {
    const day = Math.floor(now / DAY_MS);
    const quota = this.refill(key, this.settings, now, day);
    if (this.settings.dailyQuota > 0 && quota.usedToday >= this.settings.dailyQuota) {
      return { allowed: false, reason: 'quota', retryAfterSeconds: Math.ceil(((day + 1) * DAY_MS - now) / 1000) };
    }
    const own = endpoint === OWN_BUCKET ? this.settings.dataRead : undefined;
    const throttle = own ?? this.settings;
    const bucket = own ? this.refill(`${key}|${endpoint}`, own, now, day) : quota;
    if (bucket.tokens < 1) {
      return { allowed: false, reason: 'throttled', retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / throttle.ratePerSecond)) };
    }
    bucket.tokens -= 1;
    quota.usedToday += 1;
    return { allowed: true };
  }

  private refill(key: string, throttle: Throttle, now: number, day: number): Bucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: throttle.burst, refilledAt: now, day, usedToday: 0 };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(throttle.burst, bucket.tokens + ((now - bucket.refilledAt) / 1000) * throttle.ratePerSecond);
    bucket.refilledAt = now;
    if (bucket.day !== day) {
      bucket.day = day;
      bucket.usedToday = 0;
    }
    return bucket;
  }
}

export function rateLimitMessage(decision: Exclude<RateDecision, { allowed: true }>): string {
  return decision.reason === 'quota'
    ? `Daily request quota of this organization is used up; retry in ${decision.retryAfterSeconds} s.`
    : `Too many requests for this organization; retry in ${decision.retryAfterSeconds} s.`;
}
