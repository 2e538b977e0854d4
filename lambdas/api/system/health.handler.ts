import { blobStore } from '../../../core/data/blobs/blob-store';
import { probeTable } from '../../../core/data/table/probe';
import { apiHandler } from '../pipeline';
import { route } from '../routes/system';

/** No authentication and no secrets: reports whether the table and the bucket answer. */
async function check(probe: () => Promise<unknown>): Promise<'ok' | 'unreachable'> {
  try {
    await probe();
    return 'ok';
  } catch {
    return 'unreachable';
  }
}

export const handler = apiHandler(route('health'), async () => {
  const [table, bucket] = await Promise.all([check(probeTable), check(() => blobStore.reachable())]);
  return { status: table === 'ok' && bucket === 'ok' ? 'ok' : 'degraded', checks: { table, bucket } };
});
