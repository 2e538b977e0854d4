import { blobStore } from '../blobs/blob-store';
import { isMissing } from '../blobs/s3-objects';

/**
 * An ended optimization's `optimizations/read` answer, kept whole once it can no longer change
 * (completed or aborted: no point starts or finishes any more). Reading it is one object however
 * many points the optimization had, instead of a query of every point item. Under the project's
 * prefix, so deleting the project removes it. A warm function keeps what it read (final-view.ts).
 */
const key = (projectId: number, optimizationId: string) => `projects/${projectId}/optimizations/${optimizationId}/read.json`;

export const finalViewStore = {
  async save(projectId: number, optimizationId: string, json: string): Promise<void> {
    await blobStore.put(key(projectId, optimizationId), json, 'application/json');
  },

  /** The kept answer's JSON text; undefined when there is none. */
  async read(projectId: number, optimizationId: string): Promise<string | undefined> {
    try {
      return await blobStore.getText(key(projectId, optimizationId));
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  },

  async remove(projectId: number, optimizationId: string): Promise<void> {
    await blobStore.deletePrefix(`projects/${projectId}/optimizations/${optimizationId}/`);
  },
};
