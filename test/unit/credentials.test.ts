import { createHash } from 'node:crypto';
import { identityRepository } from '../../core/data/identity/identity-repository';
import { resetConfig } from '../../core/shared/config';
import { AuthError } from '../../core/shared/errors';
import { authenticate } from '../../lambdas/auth/authenticate';
import { readCredentials } from '../../lambdas/auth/credentials';
import { resetJwtVerifier } from '../../lambdas/auth/jwt-verifier';

/** Which credentials a request carries (contract §1), and the failures authenticate() decides before any lookup. */
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const HASH = sha('token:1700000000');

describe('readCredentials', () => {
  test('QuantConnect hash from the Authorization and Timestamp headers (any header case)', () => {
    expect(readCredentials({ headers: { Authorization: `Basic ${b64(`100001:${HASH}`)}`, Timestamp: '1700000000' }, query: {} })).toEqual({
      kind: 'qc-hash',
      userId: '100001',
      hash: HASH,
      timestamp: '1700000000',
    });
    expect(readCredentials({ headers: { authorization: `basic ${b64(`7:${HASH}`)}`, timestamp: '1' }, query: {} })).toMatchObject({
      kind: 'qc-hash',
      userId: '7',
    });
  });

  test('QuantConnect hash from the query string (LEAN Link: base64 without the scheme)', () => {
    expect(readCredentials({ headers: {}, query: { authorization: b64(`100001:${HASH}`), timestamp: '1700000000' } })).toEqual({
      kind: 'qc-hash',
      userId: '100001',
      hash: HASH,
      timestamp: '1700000000',
    });
  });

  test('a header Authorization with a query timestamp is still the hash form', () => {
    expect(readCredentials({ headers: { Authorization: `Basic ${b64(`1:${HASH}`)}` }, query: { timestamp: '99' } })).toMatchObject({
      kind: 'qc-hash',
      timestamp: '99',
    });
  });

  test('Basic without a Timestamp is the plain token form; a token may contain colons', () => {
    expect(readCredentials({ headers: { Authorization: `Basic ${b64('100001:tok:en')}` }, query: {} })).toEqual({
      kind: 'basic',
      userId: '100001',
      token: 'tok:en',
    });
  });

  test('API key and secret travel together', () => {
    expect(readCredentials({ headers: { 'X-API-Key': ' lcs_abc ', 'X-API-Secret': 's3cret' }, query: {} })).toEqual({
      kind: 'api-key',
      keyId: 'lcs_abc',
      secret: 's3cret',
    });
    expect(readCredentials({ headers: { 'x-api-key': 'lcs_abc' }, query: {} })).toMatchObject({ kind: 'malformed' });
    expect(readCredentials({ headers: { 'x-api-secret': 's' }, query: {} })).toMatchObject({ kind: 'malformed' });
  });

  test('Bearer is a JWT', () => {
    expect(readCredentials({ headers: { Authorization: 'Bearer aaa.bbb.ccc' }, query: {} })).toEqual({ kind: 'jwt', token: 'aaa.bbb.ccc' });
  });

  test('nothing, or an empty Authorization, is "none"', () => {
    expect(readCredentials({ headers: {}, query: {} })).toEqual({ kind: 'none' });
    expect(readCredentials({ headers: { Authorization: '' }, query: {} })).toEqual({ kind: 'none' });
  });

  test('unsupported schemes and a value without a colon are malformed', () => {
    expect(readCredentials({ headers: { Authorization: 'Digest username="x"' }, query: {} })).toMatchObject({ kind: 'malformed' });
    expect(readCredentials({ headers: { Authorization: `Basic ${b64('no-colon-here')}` }, query: {} })).toMatchObject({ kind: 'malformed' });
    expect(readCredentials({ headers: { Authorization: `Basic ${b64(':missing-user')}` }, query: {} })).toMatchObject({ kind: 'malformed' });
  });

  test('a repeated identical Timestamp ("123, 123", how Node joins a repeated header) is accepted', () => {
    expect(readCredentials({ headers: { Authorization: `Basic ${b64(`1:${HASH}`)}`, Timestamp: '123, 123' }, query: {} })).toMatchObject({
      kind: 'qc-hash',
      timestamp: '123',
    });
  });

  test('differing repeated Timestamps do not yield a usable timestamp', () => {
    const credentials = readCredentials({ headers: { Authorization: `Basic ${b64(`1:${HASH}`)}`, Timestamp: '123, 124' }, query: {} });
    expect(credentials.kind === 'qc-hash' ? credentials.timestamp : credentials.kind).not.toMatch(/^\d+$/);
  });
});

describe('authenticate: failures decided before any storage lookup', () => {
  const saved = { ...process.env };
  let lookup: jest.SpyInstance;
  let keyLookup: jest.SpyInstance;
  const now = 1_700_000_000_000;
  const nowSeconds = now / 1000;

  beforeEach(() => {
    for (const name of ['LCS_BASIC_AUTH', 'LCS_JWT_ISSUER', 'LCS_JWT_AUDIENCE', 'LCS_JWT_JWKS_URL', 'LCS_HASH_MAX_AGE_SECONDS', 'LCS_HASH_MAX_AHEAD_SECONDS']) {
      delete process.env[name];
    }
    resetConfig();
    resetJwtVerifier();
    lookup = jest.spyOn(identityRepository, 'loadUserForAuth').mockRejectedValue(new Error('storage must not be reached'));
    keyLookup = jest.spyOn(identityRepository, 'getKey').mockRejectedValue(new Error('storage must not be reached'));
  });

  afterEach(() => {
    process.env = { ...saved };
    resetConfig();
    resetJwtVerifier();
    jest.restoreAllMocks();
  });

  async function failure(headers: Record<string, string>, query: Record<string, string> = {}): Promise<AuthError> {
    try {
      await authenticate({ headers, query }, now);
    } catch (err) {
      expect(err).toBeInstanceOf(AuthError);
      expect((err as AuthError).message.startsWith("Hash doesn't match.")).toBe(true);
      expect((err as AuthError).details).toEqual([(err as AuthError).message]);
      return err as AuthError;
    }
    throw new Error('authenticate accepted the credentials');
  }

  const hashHeaders = (userId: string, timestamp: number | string) => ({ Authorization: `Basic ${b64(`${userId}:${HASH}`)}`, Timestamp: String(timestamp) });

  test('with LCS_BASIC_AUTH unset, a plain Basic credential is refused with "Hash doesn\'t match."', async () => {
    const err = await failure({ Authorization: `Basic ${b64('100001:some-token')}` });
    expect(err.message).toMatch(/basic authentication.*disabled/i);
    expect(lookup).not.toHaveBeenCalled();
  });

  test('LCS_BASIC_AUTH=false also refuses; =true lets the credential through to the user check', async () => {
    process.env.LCS_BASIC_AUTH = 'false';
    resetConfig();
    expect((await failure({ Authorization: `Basic ${b64('100001:t')}` })).message).toMatch(/disabled/);

    process.env.LCS_BASIC_AUTH = 'true';
    resetConfig();
    // A non-numeric user id fails at the user check, which proves the flag let it past.
    const err = await failure({ Authorization: `Basic ${b64('not-a-user:t')}` });
    expect(err.message).not.toMatch(/disabled/);
    expect(err.message).toMatch(/Invalid credentials/);
    expect(lookup).not.toHaveBeenCalled();
  });

  test('no credentials, and malformed ones', async () => {
    expect((await failure({})).message).toMatch(/No credentials were sent/);
    expect((await failure({ 'X-API-Key': 'lcs_x' })).message).toMatch(/X-API-Key and X-API-Secret/);
    expect((await failure({ Authorization: 'Digest x' })).message).toMatch(/not in a supported form/);
  });

  test('differing repeated Timestamps are rejected', async () => {
    const err = await failure({ Authorization: `Basic ${b64(`100001:${HASH}`)}`, Timestamp: `${nowSeconds}, ${nowSeconds - 1}` });
    expect(err.message).toMatch(/Timestamp/);
    expect(lookup).not.toHaveBeenCalled();
  });

  test('a non-numeric Timestamp is rejected', async () => {
    expect((await failure(hashHeaders('100001', '12:00'))).message).toMatch(/Unix seconds/);
  });

  test('the hash window: 7200 s old and 300 s ahead pass the window check; one second more does not', async () => {
    // A non-numeric user id fails right after the window check, without a lookup.
    expect((await failure(hashHeaders('x', nowSeconds - 7200))).message).toMatch(/Invalid credentials/);
    expect((await failure(hashHeaders('x', nowSeconds + 300))).message).toMatch(/Invalid credentials/);
    expect((await failure(hashHeaders('x', nowSeconds - 7201))).message).toMatch(/outside the accepted window/);
    expect((await failure(hashHeaders('x', nowSeconds + 301))).message).toMatch(/outside the accepted window/);
    // The query form is checked the same way.
    expect((await failure({}, { authorization: b64(`100001:${HASH}`), timestamp: String(nowSeconds - 9999) })).message).toMatch(/outside the accepted window/);
    expect(lookup).not.toHaveBeenCalled();
  });

  test('an API key id of the wrong shape is refused without a lookup', async () => {
    expect((await failure({ 'X-API-Key': 'a!', 'X-API-Secret': 's' })).message).toMatch(/Invalid credentials/);
    expect(keyLookup).not.toHaveBeenCalled();
  });

  test('a Bearer token is refused when no JWT issuer is configured', async () => {
    expect((await failure({ Authorization: 'Bearer aaa.bbb.ccc' })).message).toMatch(/Bearer tokens are not enabled/);
  });
});
