import { AuthorizerCache, hashWindowEnd, identityKey } from '../../lambdas/auth/credential-cache';

describe('verified-credential cache (authorizer and local server)', () => {
  const headers = { authorization: 'Basic abc', timestamp: '1000' };

  test('returns an entry within its TTL and forgets it after', () => {
    const cache = new AuthorizerCache<string>(10_000);
    cache.set('k', 'principal', Number.POSITIVE_INFINITY, 0);
    expect(cache.get('k', 9_999)).toBe('principal');
    expect(cache.get('k', 10_000)).toBeUndefined();
  });

  test('an entry never outlives its credential (the hash window end caps it)', () => {
    const cache = new AuthorizerCache<string>(60_000);
    const end = hashWindowEnd(headers, {}, 7200);
    expect(end).toBe((1000 + 7200) * 1000);
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

  test('keys differ for any change of an identity source, and never contain the secrets', () => {
    const base = identityKey(headers, {});
    expect(identityKey({ ...headers, timestamp: '1001' }, {})).not.toBe(base);
    expect(identityKey({ 'x-api-key': 'k', 'x-api-secret': 's1' }, {})).not.toBe(identityKey({ 'x-api-key': 'k', 'x-api-secret': 's2' }, {}));
    expect(identityKey({}, { authorization: 'abc', timestamp: '1' })).not.toBe(identityKey({}, {}));
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(base).not.toContain('abc');
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
