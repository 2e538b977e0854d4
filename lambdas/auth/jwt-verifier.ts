import { JwtVerifier } from 'aws-jwt-verify';
import { SimpleFetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { config } from '../../core/shared/config';

/**
 * Bearer JWTs, verified with aws-jwt-verify against the configured issuer (the Cognito user pool
 * of the deployment by default, any OIDC issuer by configuration). The verifier lives at module
 * scope so its JWKS cache survives between requests.
 */
let verifier: { verify(token: string): Promise<JwtPayload> } | undefined | null;

/** aws-jwt-verify fetches with https only; a JWKS served on loopback (local mode, tests) uses http. */
class LoopbackAwareFetcher extends SimpleFetcher {
  override async fetch(uri: string, ...rest: Parameters<SimpleFetcher['fetch']> extends [string, ...infer R] ? R : never) {
    const url = new URL(uri);
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    if (url.protocol === 'http:' && loopback) {
      const response = await fetch(uri, { signal: AbortSignal.timeout(3000) });
      if (response.status !== 200) throw new Error(`JWKS fetch returned ${response.status}`);
      return response.arrayBuffer();
    }
    return super.fetch(uri, ...rest);
  }
}

export function jwtVerifier(): { verify(token: string): Promise<JwtPayload> } | undefined {
  if (verifier === undefined) {
    const { LCS_JWT_ISSUER, LCS_JWT_AUDIENCE, LCS_JWT_JWKS_URL } = config();
    verifier = LCS_JWT_ISSUER
      ? JwtVerifier.create(
          {
            issuer: LCS_JWT_ISSUER,
            audience: LCS_JWT_AUDIENCE ?? null,
            ...(LCS_JWT_JWKS_URL ? { jwksUri: LCS_JWT_JWKS_URL } : {}),
          },
          { jwksCache: new SimpleJwksCache({ fetcher: new LoopbackAwareFetcher() }) },
        )
      : null;
  }
  return verifier ?? undefined;
}

export function resetJwtVerifier(): void {
  verifier = undefined;
}
