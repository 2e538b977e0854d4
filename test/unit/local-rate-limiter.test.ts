import { RateLimiter } from '../../local/rate-limiter';

describe('local per-organisation rate limiter (same settings as the usage plan)', () => {
  test('allows a burst, then throttles until the bucket refills at the steady rate', () => {
    const limiter = new RateLimiter({ ratePerSecond: 2, burst: 3, dailyQuota: 0 });
    const at = (ms: number) => limiter.take('org', ms);
    expect([at(0), at(0), at(0)].every((d) => d.allowed)).toBe(true);
    expect(at(0)).toEqual({ allowed: false, reason: 'throttled', retryAfterSeconds: 1 });
    expect(at(499).allowed).toBe(false);
    expect(at(500).allowed).toBe(true);
    expect(at(500).allowed).toBe(false);
  });

  test('organisations have separate buckets', () => {
    const limiter = new RateLimiter({ ratePerSecond: 1, burst: 1, dailyQuota: 0 });
    expect(limiter.take('a', 0).allowed).toBe(true);
    expect(limiter.take('a', 0).allowed).toBe(false);
    expect(limiter.take('b', 0).allowed).toBe(true);
  });

  test('a daily quota stops requests until the next UTC day', () => {
    const limiter = new RateLimiter({ ratePerSecond: 1000, burst: 1000, dailyQuota: 2 });
    expect(limiter.take('org', 1000).allowed).toBe(true);
    expect(limiter.take('org', 2000).allowed).toBe(true);
    const refused = limiter.take('org', 3000);
    expect(refused).toMatchObject({ allowed: false, reason: 'quota' });
    expect(limiter.take('org', 86_400_000).allowed).toBe(true);
  });

  test("data/read has its own bucket (the usage plan's method throttle); the daily quota still counts it", () => {
    const limiter = new RateLimiter({ ratePerSecond: 1, burst: 1, dailyQuota: 5, dataRead: { ratePerSecond: 1, burst: 3 } });
    expect(limiter.take('org', 0, 'projects/read').allowed).toBe(true);
    expect(limiter.take('org', 0, 'projects/read').allowed).toBe(false);
    // The general bucket is empty; data/read has its own three.
    expect([0, 0, 0].map((t) => limiter.take('org', t, 'data/read').allowed)).toEqual([true, true, true]);
    expect(limiter.take('org', 0, 'data/read')).toMatchObject({ allowed: false, reason: 'throttled' });
    // Another organisation's data/read is not this one's.
    expect(limiter.take('other', 0, 'data/read').allowed).toBe(true);
    // A refill later, the fifth request of the day (one general, four data/read); then the quota stops it.
    expect(limiter.take('org', 1000, 'data/read').allowed).toBe(true);
    expect(limiter.take('org', 5000, 'data/read')).toMatchObject({ allowed: false, reason: 'quota' });
  });

  test('without a data/read setting, data/read shares the general bucket', () => {
    const limiter = new RateLimiter({ ratePerSecond: 1, burst: 1, dailyQuota: 0 });
    expect(limiter.take('org', 0, 'data/read').allowed).toBe(true);
    expect(limiter.take('org', 0, 'projects/read').allowed).toBe(false);
  });
});
