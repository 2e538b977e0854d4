import type { Credentials } from './session';

/**
 * Sign-in with an OIDC issuer (the stack's Cognito hosted UI) by authorization code + PKCE
 * (RFC 7636), with WebCrypto only. The console is a public client: it proves that the code it
 * redeems is its own with the verifier it made before leaving, and that the answer belongs to the
 * sign-in it started with `state`. Both live in sessionStorage until the redirect comes back; the
 * ID token it receives is kept there too (session.ts) and sent as `Authorization: Bearer` (the
 * authorizer maps its `email` claim to the user). Nothing is kept after sign-out.
 */

/** `/config.json`, written next to index.html by the console stack; absent in local mode. */
export type ConsoleConfig = ({ auth: 'token' } | OidcConfig) & {
  /** The WebSocket API's `wss://…` URL when deployed (docs/realtime.md); absent: `/ws` on the console's own origin. */
  socketUrl?: string;
};
export interface OidcConfig {
  auth: 'oidc';
  clientId: string;
  authorizeUrl: string;
  tokenUrl: string;
  logoutUrl?: string;
  /** The logout URL's parameter naming where to come back: Cognito's `logout_uri` (default), or OIDC's `post_logout_redirect_uri`. */
  logoutRedirectParam?: string;
  scope: string;
}

const TOKEN_MODE: ConsoleConfig = { auth: 'token' };
const PENDING = 'lcs.oidc.pending';

/** Reads `/config.json`; missing or malformed means token sign-in (user id and API token), as in local mode. */
export async function loadConfig(): Promise<ConsoleConfig> {
  try {
    const response = await fetch('/config.json', { cache: 'no-store', credentials: 'omit' });
    if (!response.ok) return TOKEN_MODE;
    const config = (await response.json()) as Partial<OidcConfig> & { socketUrl?: unknown };
    const https = (url: unknown) => typeof url === 'string' && url.startsWith('https://');
    const socket = typeof config.socketUrl === 'string' && config.socketUrl.startsWith('wss://') ? { socketUrl: config.socketUrl } : {};
    if (config.auth === 'oidc' && typeof config.clientId === 'string' && https(config.authorizeUrl) && https(config.tokenUrl)) {
      return {
        auth: 'oidc',
        clientId: config.clientId,
        authorizeUrl: config.authorizeUrl!,
        tokenUrl: config.tokenUrl!,
        ...(https(config.logoutUrl) ? { logoutUrl: config.logoutUrl } : {}),
        ...(typeof config.logoutRedirectParam === 'string' ? { logoutRedirectParam: config.logoutRedirectParam } : {}),
        scope: typeof config.scope === 'string' ? config.scope : 'openid email',
        ...socket,
      };
    }
    return { ...TOKEN_MODE, ...socket };
  } catch {
    // Not JSON (an answer that is not the config): token sign-in.
  }
  return TOKEN_MODE;
}

let loaded: Promise<ConsoleConfig> | undefined;
/** loadConfig, once per page: the sign-in form and the real-time socket both need it. */
export const consoleConfig = (): Promise<ConsoleConfig> => {
  loaded ??= loadConfig();
  return loaded;
};

/** base64url without padding (RFC 7636 appendix A). */
export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A code verifier: 32 random octets, base64url (43 characters, RFC 7636 §4.1). */
export function newVerifier(random: Uint8Array = crypto.getRandomValues(new Uint8Array(32))): string {
  return base64url(random);
}

/** The S256 code challenge of a verifier: base64url(SHA-256(ASCII(verifier))) (RFC 7636 §4.2). */
export async function challengeOf(verifier: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

/** Where the issuer sends the user back: the console's root (the client's only callback URL). */
export function redirectUri(origin: string = location.origin): string {
  return `${origin}/`;
}

/** Remembers a new sign-in (state and verifier) in `storage` and returns the issuer's authorize URL to go to. */
export async function authorizeUrl(config: OidcConfig, storage: Storage = sessionStorage, origin?: string): Promise<string> {
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const verifier = newVerifier();
  storage.setItem(PENDING, JSON.stringify({ state, verifier }));
  const url = new URL(config.authorizeUrl);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: redirectUri(origin),
    scope: config.scope,
    state,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: 'S256',
  }).toString();
  return url.toString();
}

/**
 * The verifier of the sign-in this tab started, if `state` is the one it sent. The pending sign-in
 * is used up either way: an answer is redeemed at most once, and a forged one cancels it.
 */
export function takeVerifier(state: string | null, storage: Storage = sessionStorage): string {
  const text = storage.getItem(PENDING);
  storage.removeItem(PENDING);
  let pending: { state?: unknown; verifier?: unknown } = {};
  try {
    pending = text ? (JSON.parse(text) as typeof pending) : {};
  } catch {
    // A damaged entry is no pending sign-in.
  }
  if (typeof pending.state !== 'string' || typeof pending.verifier !== 'string') throw new Error('No sign-in was started in this tab; sign in again.');
  if (state !== pending.state) throw new Error('The sign-in answer does not belong to the sign-in this tab started; sign in again.');
  return pending.verifier;
}

/** The claims of a JWT, read without verification (the API verifies it); only for the user's name and the expiry. */
export function claimsOf(jwt: string): Record<string, unknown> {
  const payload = jwt.split('.')[1] ?? '';
  const binary = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)))) as Record<string, unknown>;
}

/** Is this URL's query the issuer's answer (a code or an error) to a sign-in? */
export function isSignInAnswer(params: URLSearchParams): boolean {
  return params.has('state') && (params.has('code') || params.has('error'));
}

/** Redeems the issuer's answer (`?code=…&state=…`) for an ID token at the token endpoint, with the verifier. */
export async function completeSignIn(config: OidcConfig, params: URLSearchParams, storage: Storage = sessionStorage, origin?: string): Promise<Credentials> {
  const verifier = takeVerifier(params.get('state'), storage);
  const error = params.get('error');
  if (error) throw new Error(`Sign-in failed: ${params.get('error_description') || error}`);
  const response = await fetch(config.tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: config.clientId,
      code: params.get('code') ?? '',
      redirect_uri: redirectUri(origin),
      code_verifier: verifier,
    }),
    credentials: 'omit',
    cache: 'no-store',
  });
  const answer = (await response.json().catch(() => ({}))) as { id_token?: string; error?: string };
  if (!response.ok || !answer.id_token) throw new Error(`Sign-in failed: ${answer.error ?? `HTTP ${response.status}`}`);
  const claims = claimsOf(answer.id_token);
  if (typeof claims.exp !== 'number') throw new Error('Sign-in failed: the ID token has no expiry.');
  return {
    userId: String(claims.email ?? claims.sub ?? ''),
    token: answer.id_token,
    bearer: { expiresAt: claims.exp * 1000, ...(config.logoutUrl ? { logoutUrl: signOutUrl(config, origin) } : {}) },
  };
}

/** The issuer's sign-out (Cognito's /logout, or an OIDC end-session endpoint), which ends its session too and comes back to the console. */
export function signOutUrl(config: OidcConfig, origin?: string): string {
  const url = new URL(config.logoutUrl ?? config.authorizeUrl);
  url.search = new URLSearchParams({ client_id: config.clientId, [config.logoutRedirectParam ?? 'logout_uri']: redirectUri(origin) }).toString();
  return url.toString();
}
