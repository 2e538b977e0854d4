import { identityRepository, type UserForAuth } from '../../core/data/identity/identity-repository';
import { tokenCipher } from '../../core/data/identity/token-cipher';
import { isJobCredentialId } from '../../core/domain/identity/job-credential';
import type { ApiToken } from '../../core/domain/identity/types';
import { config } from '../../core/shared/config';
import { AuthError } from '../../core/shared/errors';
import { qcHash, safeEqual, sha256Hex } from '../../core/shared/hashing';
import type { AuthMethod, Principal } from '../../core/shared/principal';
import { type CredentialSource, type Credentials, readCredentials, type Verified } from './credentials';
import { authenticateJob } from './job-credential-auth';
import { jwtVerifier } from './jwt-verifier';

/**
 * Verifies a request's credentials and resolves the principal. The same function serves the
 * local server and the API Gateway REQUEST authorizer. Credential state (revocation, expiry,
 * memberships) is read from the table on every call; only decrypted token values are cached.
 */
const INVALID = 'Invalid credentials: the user id, token, key or signature is wrong, expired or revoked.';
const MISSING = 'No credentials were sent: use the Authorization and Timestamp headers (QuantConnect hash), X-API-Key with X-API-Secret, or a Bearer token.';

const decrypted = new Map<string, { plain: string; until: number }>();

async function clearToken(token: { ciphertext: string }, now: number): Promise<string> {
  const hit = decrypted.get(token.ciphertext);
  if (hit && hit.until > now) return hit.plain;
  const plain = await tokenCipher().decrypt(token.ciphertext);
  if (decrypted.size > 10_000) decrypted.clear();
  decrypted.set(token.ciphertext, { plain, until: now + config().LCS_TOKEN_CACHE_SECONDS * 1000 });
  return plain;
}

function activeTokens(loaded: UserForAuth, now: number): ApiToken[] {
  return loaded.tokens.filter((t) => !t.revokedAt && (!t.expiresAt || Date.parse(t.expiresAt) > now));
}

/** A user id in the job-credential range names a job credential, never a user. */
function jobCredentialId(userIdText: string): number | undefined {
  const id = /^\d{1,15}$/.test(userIdText) ? Number(userIdText) : Number.NaN;
  return isJobCredentialId(id) ? id : undefined;
}

function toPrincipal(loaded: UserForAuth, authMethod: AuthMethod, credentialId: string): Principal {
  const memberships = loaded.memberships.map((m) => ({ orgId: m.orgId, role: m.role }));
  const preferred = memberships.some((m) => m.orgId === loaded.user.preferredOrgId) ? loaded.user.preferredOrgId : memberships[0]?.orgId;
  return { userId: loaded.user.id, authMethod, credentialId, preferredOrgId: preferred, memberships };
}

async function loadUser(userIdText: string): Promise<UserForAuth> {
  if (!/^\d{1,15}$/.test(userIdText)) throw new AuthError(INVALID);
  const loaded = await identityRepository.loadUserForAuth(Number(userIdText));
  if (!loaded) throw new AuthError(INVALID);
  return loaded;
}

/** Finds the token whose value satisfies `matches`; every active token is tried. */
async function matchToken(loaded: UserForAuth, now: number, matches: (token: string) => boolean): Promise<ApiToken> {
  for (const token of activeTokens(loaded, now)) {
    if (matches(await clearToken(token, now))) return token;
  }
  throw new AuthError(INVALID);
}

/** An ISO expiry as ms, Infinity when there is none. */
const expiry = (iso: string | undefined) => (iso ? Date.parse(iso) : Number.POSITIVE_INFINITY);

export async function authenticate(source: CredentialSource, nowMs: number = Date.now()): Promise<Principal> {
  return (await verifyCredentials(readCredentials(source), nowMs)).principal;
}

/** Verifies parsed credentials (credentials.ts); the cache keys its entries on exactly these. */
export async function verifyCredentials(credentials: Credentials, nowMs: number = Date.now()): Promise<Verified> {
  const cfg = config();
  switch (credentials.kind) {
    case 'none':
      throw new AuthError(MISSING);
    case 'malformed':
      throw new AuthError(credentials.reason);
    case 'qc-hash': {
      const { timestamp, hash } = credentials;
      if (!/^\d{1,12}$/.test(timestamp)) throw new AuthError('The Timestamp must be Unix seconds.');
      const age = Math.floor(nowMs / 1000) - Number(timestamp);
      if (age > cfg.LCS_HASH_MAX_AGE_SECONDS || -age > cfg.LCS_HASH_MAX_AHEAD_SECONDS) {
        throw new AuthError(
          `The Timestamp is outside the accepted window (${cfg.LCS_HASH_MAX_AGE_SECONDS} s old to ${cfg.LCS_HASH_MAX_AHEAD_SECONDS} s ahead); check the computer's clock.`,
        );
      }
      const expected = hash.toLowerCase();
      // The hash stops being acceptable when its Timestamp leaves the window.
      const windowEnd = (Number(timestamp) + cfg.LCS_HASH_MAX_AGE_SECONDS) * 1000;
      const jobId = jobCredentialId(credentials.userId);
      if (jobId !== undefined) {
        const job = await authenticateJob(
          jobId,
          nowMs,
          (c) => clearToken(c, nowMs),
          (clear) => safeEqual(qcHash(clear, timestamp), expected),
          INVALID,
        );
        return { ...job, notAfter: Math.min(job.notAfter, windowEnd) };
      }
      const loaded = await loadUser(credentials.userId);
      const token = await matchToken(loaded, nowMs, (clear) => safeEqual(qcHash(clear, timestamp), expected));
      return { principal: toPrincipal(loaded, 'qc-hash', token.tokenId), notAfter: Math.min(expiry(token.expiresAt), windowEnd) };
    }
    case 'basic': {
      if (!cfg.LCS_BASIC_AUTH) throw new AuthError('Basic authentication with a plain token is disabled on this server; send the QuantConnect Timestamp hash.');
      const jobId = jobCredentialId(credentials.userId);
      if (jobId !== undefined) {
        return authenticateJob(
          jobId,
          nowMs,
          (c) => clearToken(c, nowMs),
          (clear) => safeEqual(clear, credentials.token),
          INVALID,
        );
      }
      const loaded = await loadUser(credentials.userId);
      const token = await matchToken(loaded, nowMs, (clear) => safeEqual(clear, credentials.token));
      return { principal: toPrincipal(loaded, 'basic', token.tokenId), notAfter: expiry(token.expiresAt) };
    }
    case 'api-key': {
      const key = /^[A-Za-z0-9_-]{4,64}$/.test(credentials.keyId) ? await identityRepository.getKey(credentials.keyId) : undefined;
      const valid = key && !key.revokedAt && (!key.expiresAt || Date.parse(key.expiresAt) > nowMs) && safeEqual(sha256Hex(credentials.secret), key.secretHash);
      if (!key || !valid) throw new AuthError(INVALID);
      const loaded = await loadUser(String(key.userId));
      // Record use at most once a minute so reads do not each cost a write.
      if (!key.lastUsedAt || Date.parse(key.lastUsedAt) < nowMs - 60_000) {
        await identityRepository.touchKey(key.keyId, new Date(nowMs).toISOString(), new Date(nowMs - 60_000).toISOString());
      }
      return { principal: toPrincipal(loaded, 'api-key', key.keyId), notAfter: expiry(key.expiresAt) };
    }
    case 'jwt': {
      const verifier = jwtVerifier();
      if (!verifier) throw new AuthError('Bearer tokens are not enabled on this server (no JWT issuer is configured).');
      let payload: Record<string, unknown>;
      try {
        payload = (await verifier.verify(credentials.token)) as Record<string, unknown>;
      } catch {
        throw new AuthError('The Bearer token is invalid, expired or from an untrusted issuer.');
      }
      // aws-jwt-verify checks `exp` only when present; a token without one would never expire (design §5: exp enforced).
      if (typeof payload.exp !== 'number') throw new AuthError('The Bearer token has no expiry (exp claim).');
      const claim = payload[cfg.LCS_JWT_USER_CLAIM];
      if (typeof claim !== 'string' && typeof claim !== 'number') throw new AuthError(`The Bearer token has no '${cfg.LCS_JWT_USER_CLAIM}' claim.`);
      // An issuer vouches for an email address only when it says it verified it: anyone may sign up
      // at an external issuer with someone else's address.
      if (cfg.LCS_JWT_USER_MATCH === 'email' && cfg.LCS_JWT_REQUIRE_EMAIL_VERIFIED && payload.email_verified !== true && payload.email_verified !== 'true') {
        throw new AuthError("The Bearer token's email address is not verified by its issuer (no email_verified claim set to true).");
      }
      const userId = cfg.LCS_JWT_USER_MATCH === 'userId' ? String(claim) : await identityRepository.findUserIdByEmail(String(claim));
      if (userId === undefined) throw new AuthError(INVALID);
      const loaded = await loadUser(String(userId));
      return { principal: toPrincipal(loaded, 'jwt', String(payload.sub ?? claim)), notAfter: payload.exp * 1000 };
    }
  }
}
