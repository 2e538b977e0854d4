import { AuthorizerCache, credentialKey } from '../../lambdas/auth/credential-cache';
import { readCredentials } from '../../lambdas/auth/credentials';
import { AuthThrottledError, FailureBudget } from '../../lambdas/auth/failure-budget';

describe('verified-credential cache (authorizer and local server)', () => {
  test('returns an entry within its TTL and forgets it after', () => {
    const cache = new AuthorizerCache<string>(10_000);
    cache.set('k', 'principal', Number.POSITIVE_INFINITY, 0);
    expect(cache.get('k', 9_999)).toBe('principal');
    expect(cache.get('k', 10_000)).toBeUndefined();
  });

  test('an entry never outlives its credential (its expiry caps it)', () => {
    const cache = new AuthorizerCache<string>(60_000);
    const end = (1000 + 7200) * 1000;
    cache.set('k', 'principal', end, end - 5_000);
    expect(cache.get('k', end - 1)).toBe('principal');
    expect(cache.get('k', end)).toBeUndefined();
  });

  test('TTL 0 disables caching entirely', () => {
    const cache = new AuthorizerCache<string>(0);
    cache.set('k', 'principal');
    expect(cache.enabled).toBe(false);
    expect(cache.get('k')).toBeUndefined();
  });

  test('keys are the parsed credentials: any change of them differs, the same credentials however sent agree, secrets never show', () => {
    const key = (h: Record<string, string>, q: Record<string, string | string[]> = {}) => credentialKey(readCredentials({ headers: h, query: q }));
    const basic = `Basic ${Buffer.from('7:abc').toString('base64')}`;
    const base = key({ authorization: basic, timestamp: '1000' });
    expect(key({ authorization: basic, timestamp: '1001' })).not.toBe(base);
    expect(key({ 'x-api-key': 'k', 'x-api-secret': 's1' })).not.toBe(key({ 'x-api-key': 'k', 'x-api-secret': 's2' }));
    // The query form (no "Basic " scheme) is the same credential as the header form.
    expect(key({}, { Authorization: Buffer.from('7:abc').toString('base64'), timestamp: '1000' })).toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(base).not.toContain('abc');
  });

  test('an auth parameter sent twice (in any letter case, or repeated) is refused as malformed', () => {
    const valid = Buffer.from('7:abc').toString('base64');
    for (const query of [
      { Authorization: valid, authorization: 'garbage' },
      { authorization: [valid, 'garbage'] },
      { timestamp: ['1', '1'], authorization: valid },
    ]) {
      expect(readCredentials({ headers: {}, query })).toEqual({ kind: 'malformed', reason: expect.stringMatching(/sent more than once/) });
    }
    expect(readCredentials({ headers: { 'X-Api-Key': 'a', 'x-api-key': 'b', 'x-api-secret': 's' }, query: {} }).kind).toBe('malformed');
  });

  test('the oldest entry is dropped when full', () => {
    const cache = new AuthorizerCache<number>(60_000, 2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('c')).toBe(3);
  });
});

describe('failed-authentication budget', () => {
  test('a subject may fail `burst` times, then is refused with the wait until one more failure is allowed', () => {
    const budget = new FailureBudget(3, 6); // 6 a minute: one per 10 s
    for (let i = 0; i < 3; i++) {
      budget.check(['ip:a'], 0);
      expect(budget.charge(['ip:a', 'user:1'], 0)).toBe(false);
    }
    expect(() => budget.check(['ip:a'], 0)).toThrow(AuthThrottledError);
    expect(() => budget.check(['ip:b', 'user:1'], 0)).toThrow(/^Hash doesn't match\. Too many failed authentication attempts.*retry in 10 s/);
    expect(() => budget.check(['ip:b', 'user:2'], 0)).not.toThrow();
    expect(() => budget.check(['ip:a'], 10_000)).not.toThrow();
    // Failures verified in parallel pass the check together; those beyond the budget are told so.
    expect(budget.charge(['ip:c'], 0)).toBe(false);
    expect(budget.charge(['ip:a'], 0)).toBe(true);
  });

  test('burst 0 is no budget', () => {
    const budget = new FailureBudget(0, 1);
    for (let i = 0; i < 100; i++) budget.charge(['ip:a'], 0);
    expect(() => budget.check(['ip:a'], 0)).not.toThrow();
  });
});
