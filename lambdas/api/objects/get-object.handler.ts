import { objectStoreService } from '../../../core/domain/objects/object-store-service';
import { apiHandler } from '../pipeline';
import { route } from '../routes/objects';

/** Step 1 (`keys`) starts a zip download and answers `url: null`; step 2 (`jobId`) answers the link. Both keys always present. */
export const handler = apiHandler(route('object/get'), async (input, ctx) => {
  if (input.jobId !== undefined) return objectStoreService.downloadLink(ctx.principal, { organizationId: input.organizationId, jobId: input.jobId });
  const { jobId } = await objectStoreService.startDownload(ctx.principal, { organizationId: input.organizationId, keys: input.keys ?? [] });
  return { jobId, url: null };
});
