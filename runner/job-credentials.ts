import { identityRepository } from '../core/data/identity/identity-repository';
import { tokenCipher } from '../core/data/identity/token-cipher';

/**
 * The API credentials LEAN gets in its config (`job-user-id`, `api-access-token`), so its
 * ApiDataProvider and the user's own `self.api` calls reach this server as the user who started
 * the job: their newest valid token. None → LEAN runs without API access (local data only).
 */
export async function jobCredentials(userId: number, now = new Date()): Promise<{ userId: number; token: string } | undefined> {
  const tokens = (await identityRepository.listTokens(userId))
    .filter((t) => !t.revokedAt && (!t.expiresAt || Date.parse(t.expiresAt) > now.getTime()))
    .sort((a, b) => b.created.localeCompare(a.created));
  const newest = tokens[0];
  if (!newest) return undefined;
  return { userId, token: await tokenCipher().decrypt(newest.ciphertext) };
}
