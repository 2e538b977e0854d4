/**
 * The signed-in user, for this browser tab only: the user id and API token (or, after an OIDC
 * sign-in, the issuer's ID token) live in sessionStorage (gone when the tab closes) and nowhere
 * else; sign-out removes them.
 */
export interface Credentials {
  userId: string;
  token: string;
  /** An OIDC sign-in (oidc.ts): `token` is an ID token, sent as a Bearer token until `expiresAt` (ms). */
  bearer?: { expiresAt: number; logoutUrl?: string };
}

const KEY = 'lcs.credentials';

export function loadCredentials(): Credentials | undefined {
  const text = sessionStorage.getItem(KEY);
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<Credentials>;
    if (typeof parsed.userId !== 'string' || typeof parsed.token !== 'string') return undefined;
    const bearer = parsed.bearer;
    if (bearer && typeof bearer.expiresAt !== 'number') return undefined;
    return { userId: parsed.userId, token: parsed.token, ...(bearer ? { bearer } : {}) };
  } catch {
    return undefined;
  }
}

export function saveCredentials(credentials: Credentials): void {
  sessionStorage.setItem(KEY, JSON.stringify(credentials));
}

/** Sign-out: forgets everything this tab keeps, then ends the issuer's session too when there is one (its logout page comes back here). */
export function clearCredentials(): void {
  const logoutUrl = loadCredentials()?.bearer?.logoutUrl;
  sessionStorage.clear();
  if (logoutUrl) location.assign(logoutUrl);
}
