import { type Credentials, loadCredentials } from './session';

/**
 * Calls the public QuantConnect API of this server (`/api/v2/…`) as the signed-in user, signing
 * each request the way LEAN and lean-cli do (contract §1.1): `Timestamp` is the current unix time
 * and `Authorization` is Basic base64(userId:sha256hex(token:timestamp)). The token itself is
 * never sent; the hash is computed here with WebCrypto. After an OIDC sign-in (oidc.ts) the
 * request carries `Authorization: Bearer <ID token>` instead.
 */
export class ApiError extends Error {}

/** Thrown when there is no signed-in user: the console makes no call without credentials. */
export class SignedOutError extends ApiError {}

const hex = (bytes: ArrayBuffer) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');

/** sha256hex(token:timestamp): the request signature, also sent by the real-time socket (realtime.ts). */
export async function qcHash(credentials: Credentials, timestamp: number): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${credentials.token}:${timestamp}`)));
}

export async function authHeaders(credentials: Credentials, timestamp = Math.floor(Date.now() / 1000)): Promise<Record<string, string>> {
  // An OIDC sign-in (oidc.ts): the issuer's ID token, which the authorizer verifies (design §5).
  if (credentials.bearer) return { Authorization: `Bearer ${credentials.token}` };
  return { Authorization: `Basic ${btoa(`${credentials.userId}:${await qcHash(credentials, timestamp)}`)}`, Timestamp: String(timestamp) };
}

export type Answer = Record<string, unknown> & { success: boolean; errors?: string[] };

/** POSTs `body` as JSON to `endpoint`; a `success:false` answer is thrown as an ApiError with its messages. */
export async function api<T = Answer>(endpoint: string, body: Record<string, unknown> = {}, credentials = loadCredentials()): Promise<T & Answer> {
  if (!credentials) throw new SignedOutError('Signed out');
  if (credentials.bearer && credentials.bearer.expiresAt <= Date.now()) {
    // The ID token has expired: forget it and start again at the sign-in page.
    sessionStorage.clear();
    location.reload();
    throw new SignedOutError('The sign-in has expired');
  }
  const response = await fetch(`/api/v2/${endpoint}`, {
    method: 'POST',
    headers: { ...(await authHeaders(credentials)), 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    credentials: 'omit',
    cache: 'no-store',
  });
  let answer: Answer;
  try {
    answer = (await response.json()) as Answer;
  } catch {
    throw new ApiError(`${endpoint}: HTTP ${response.status}`);
  }
  if (answer.success !== true) throw new ApiError((answer.errors ?? []).join('\n') || `${endpoint} failed (HTTP ${response.status})`);
  return answer as T & Answer;
}
