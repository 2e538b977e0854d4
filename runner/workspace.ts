import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { listPages } from '../core/data/blobs/s3-objects';
import { readSnapshot } from '../core/data/compile/snapshot-store';
import type { SnapshotManifest } from '../core/data/results/result-model';
import { s3 } from '../core/data/table/clients';
import { config } from '../core/shared/config';

/** File work the runner's jobs share: the compile snapshot on disk, and folders to and from S3. */

/** Writes a compile's files under `dir`, refusing any name that would land outside it. */
export async function materialiseSnapshot(
  projectId: number,
  compileId: string,
  dir: string,
): Promise<{ manifest: SnapshotManifest; files: { name: string; content: string }[] }> {
  const snapshot = await readSnapshot(projectId, compileId);
  const root = resolve(dir);
  for (const f of snapshot.files) {
    const target = resolve(root, f.name);
    if (!target.startsWith(root + sep)) throw new Error(`snapshot file name escapes the project folder: ${f.name}`);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, f.content, 'utf8');
  }
  return snapshot;
}

/** Every file under a folder (absolute paths); none when it does not exist. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

const bucket = () => config().ARTIFACTS_BUCKET_NAME;

/** Uploads a folder under a prefix of the artifacts bucket; returns how many files. */
export async function uploadFolder(dir: string, prefix: string): Promise<number> {
  const { client, sdk } = await s3();
  const files = await listFiles(dir);
  for (const file of files) {
    const key = prefix + relative(dir, file).split(sep).join('/');
    await client.send(new sdk.PutObjectCommand({ Bucket: bucket(), Key: key, Body: await readFile(file) }));
  }
  return files.length;
}

/** Downloads everything under a prefix of the artifacts bucket into a folder; returns how many files. */
export async function downloadFolder(prefix: string, dir: string): Promise<number> {
  const { client, sdk } = await s3();
  const root = resolve(dir);
  let count = 0;
  for await (const page of listPages(client, { Bucket: bucket(), Prefix: prefix })) {
    for (const object of page.Contents ?? []) {
      if (!object.Key) continue;
      const target = resolve(root, object.Key.slice(prefix.length));
      if (!target.startsWith(root + sep)) continue;
      const out = await client.send(new sdk.GetObjectCommand({ Bucket: bucket(), Key: object.Key }));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, await (out.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array())));
      count++;
    }
  }
  return count;
}
