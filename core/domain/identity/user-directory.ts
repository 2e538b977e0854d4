import { identityRepository } from '../../data/identity/identity-repository';
import type { User } from './types';

/**
 * Names and emails of users for display (collaborators, owners, members). They are not used for
 * any access decision, so they may be up to NAME_TTL_MS old; this keeps a batch read off every
 * project and collaborator response. Permissions always come from fresh reads.
 */
const NAME_TTL_MS = 30_000;
const MAX_ENTRIES = 5_000;
const cache = new Map<number, { user: User; until: number }>();

export async function displayUsers(userIds: number[], now = Date.now()): Promise<Map<number, User>> {
  const found = new Map<number, User>();
  const missing: number[] = [];
  for (const id of new Set(userIds)) {
    const hit = cache.get(id);
    if (hit && hit.until > now) found.set(id, hit.user);
    else missing.push(id);
  }
  if (missing.length) {
    const fetched = await identityRepository.getUsers(missing);
    if (cache.size + fetched.size > MAX_ENTRIES) cache.clear();
    for (const [id, user] of fetched) {
      cache.set(id, { user, until: now + NAME_TTL_MS });
      found.set(id, user);
    }
  }
  return found;
}
