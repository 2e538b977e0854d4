/**
 * The signed-in user, for this browser tab only: the user id and API token live in
 * sessionStorage (gone when the tab closes) and nowhere else; sign-out removes them.
 */
export interface Credentials {
  userId: string;
  token: string;
}

const KEY = 'lcs.credentials';

export function loadCredentials(): Credentials | undefined {
  const text = sessionStorage.getItem(KEY);
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<Credentials>;
    return typeof parsed.userId === 'string' && typeof parsed.token === 'string' ? { userId: parsed.userId, token: parsed.token } : undefined;
  } catch {
    return undefined;
  }
}

export function saveCredentials(credentials: Credentials): void {
  sessionStorage.setItem(KEY, JSON.stringify(credentials));
}

export function clearCredentials(): void {
  sessionStorage.removeItem(KEY);
}
