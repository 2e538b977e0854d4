import { objectZipQueue } from '../../../core/data/objects/object-zip-queue';
import { objectDownloads } from '../../../core/domain/objects/object-download';
import { apiHandler } from '../pipeline';
import { route } from '../routes/objects';

/**
 * Step 1 (`keys`) records a zip job for the zip worker and answers `url: null`; step 2 (`jobId`)
 * answers `url: null` while it runs, then the link. Both keys always present.
 */
export const handler = apiHandler(route('object/get'), async (input, ctx) => {
  if (input.jobId !== undefined) return objectDownloads.poll(ctx.principal, { organizationId: input.organizationId, jobId: input.jobId });
  const { jobId } = await objectDownloads.start(
    ctx.principal,
    { organizationId: input.organizationId, keys: input.keys ?? [] },
    { enqueue: objectZipQueue.send },
  );
  return { jobId, url: null };
});
