import { blobStore } from '../blobs/blob-store';
import { isMissing } from '../blobs/s3-objects';

/**
 * An ended optimization's `optimizations/read` answer, kept whole once it can no longer change
 * (completed or aborted: no point starts or finishes any more). Reading it is one object however
 * many points the optimization had, instead of a query of every point item. Under the project's
 * prefix, so deleting the project removes it.
 */
const key = (projectId: number, optimizationId: string) => `projects/${projectId}/optimizations/${optimizationId}/read.json`;

/**
 * Kept answers never change once written (the name is overlaid from the table item on read), so a
 * warm function keeps the ones it read, least recently used first out, up to a bound well inside
 * the smallest function's memory. A deleted optimization is never served from here: reads find
 * its table item first and answer "not found" without it.
 */
const CACHE_CHARS = 16 * 1024 * 1024;
const cache = new Map<string, string>();
let cachedChars = 0;

function remember(cacheKey: string, json: string): void {
  if (json.length > CACHE_CHARS / 4) return;
  cache.set(cacheKey, json);
  cachedChars += json.length;
  for (const [oldest, text] of cache) {
    if (cachedChars <= CACHE_CHARS) break;
    cache.delete(oldest);
    cachedChars -= text.length;
  }
}

function recall(cacheKey: string): string | undefined {
  const json = cache.get(cacheKey);
  if (json === undefined) return undefined;
  cache.delete(cacheKey);
  cache.set(cacheKey, json);
  return json;
}

export const finalViewStore = {
  async save(projectId: number, optimizationId: string, json: string): Promise<void> {
    await blobStore.put(key(projectId, optimizationId), json, 'application/json');
  },

  /** The kept answer's JSON text; undefined when there is none. */
  async read(projectId: number, optimizationId: string): Promise<string | undefined> {
    const cacheKey = key(projectId, optimizationId);
    const cached = recall(cacheKey);
    if (cached !== undefined) return cached;
    try {
      const json = await blobStore.getText(cacheKey);
      remember(cacheKey, json);
      return json;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  },

  async remove(projectId: number, optimizationId: string): Promise<void> {
    const cacheKey = key(projectId, optimizationId);
    const cached = cache.get(cacheKey);
    if (cached !== undefined) {
      cache.delete(cacheKey);
      cachedChars -= cached.length;
    }
    await blobStore.deletePrefix(`projects/${projectId}/optimizations/${optimizationId}/`);
  },
};
