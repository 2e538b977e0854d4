import { createHash } from 'node:crypto';
import { config } from '../../shared/config';
import { isMissing } from '../blobs/s3-objects';
import { type SnapshotManifest, snapshotKeys } from '../results/result-model';
import { s3 } from '../table/clients';

/**
 * Compile snapshots (design §7): the exact sources a compile saw, immutable. File contents are
 * content-addressed blobs shared by all compiles of a project (`snapshotKeys.blob`), so compiling
 * an unchanged project writes nothing but its manifest; the manifest names every file with its
 * hash. Editing a file later writes a new blob and never changes an existing compile.
 */
export interface SnapshotFile {
  name: string;
  content: string;
}

import { mapLimit } from '../../shared/concurrency';

const bucket = () => config().ARTIFACTS_BUCKET_NAME;

/** How many S3 requests run at once for one snapshot. */
const PARALLEL = 16;

async function eachLimited<T>(items: T[], run: (item: T) => Promise<void>): Promise<void> {
  await mapLimit(items, PARALLEL, run);
}

export function contentHash(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

export async function writeSnapshot(
  projectId: number,
  compileId: string,
  language: SnapshotManifest['language'],
  files: SnapshotFile[],
  libraries: SnapshotManifest['libraries'],
): Promise<SnapshotManifest> {
  const { client, sdk } = await s3();
  const entries = files.map((f) => ({ name: f.name, sha256: contentHash(f.content), size: Buffer.byteLength(f.content, 'utf8'), content: f.content }));
  const unique = [...new Map(entries.map((e) => [e.sha256, e])).values()];
  // A blob that exists already has exactly this content (its key is the hash): skip the upload.
  // A HEAD is far cheaper than re-sending the body once files are larger than a few KB.
  await eachLimited(unique, async (e) => {
    const Key = snapshotKeys.blob(projectId, e.sha256);
    try {
      await client.send(new sdk.HeadObjectCommand({ Bucket: bucket(), Key }));
      return;
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
    await client.send(new sdk.PutObjectCommand({ Bucket: bucket(), Key, Body: e.content, ContentType: 'text/plain; charset=utf-8' }));
  });
  const manifest: SnapshotManifest = {
    projectId,
    compileId,
    language,
    files: entries.map(({ name, sha256, size }) => ({ name, sha256, size })),
    libraries,
  };
  await client.send(
    new sdk.PutObjectCommand({
      Bucket: bucket(),
      Key: snapshotKeys.manifest(projectId, compileId),
      Body: JSON.stringify(manifest),
      ContentType: 'application/json',
    }),
  );
  return manifest;
}

/** The manifest and every file's content, in manifest order (the runner materialises these). */
export async function readSnapshot(projectId: number, compileId: string): Promise<{ manifest: SnapshotManifest; files: SnapshotFile[] }> {
  const { client, sdk } = await s3();
  const text = async (Key: string) => {
    const out = await client.send(new sdk.GetObjectCommand({ Bucket: bucket(), Key }));
    return (await out.Body?.transformToString('utf8')) ?? '';
  };
  const manifest = JSON.parse(await text(snapshotKeys.manifest(projectId, compileId))) as SnapshotManifest;
  const contents = new Map<string, string>();
  await eachLimited([...new Set(manifest.files.map((f) => f.sha256))], async (sha) => {
    contents.set(sha, await text(snapshotKeys.blob(projectId, sha)));
  });
  return { manifest, files: manifest.files.map((f) => ({ name: f.name, content: contents.get(f.sha256) ?? '' })) };
}
