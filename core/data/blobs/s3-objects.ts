import type { ListObjectsV2CommandInput, ListObjectsV2CommandOutput, S3Client } from '@aws-sdk/client-s3';

/**
 * S3 operations several stores share. The SDK module is loaded on first use, as in clients.ts, so
 * importing this file costs nothing at cold start.
 */
const sdk = () => import('@aws-sdk/client-s3');

/** True when an S3 error means "no such object" (GetObject's NoSuchKey, HeadObject's bare 404). */
export function isMissing(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}

/** Every page of a listing, following continuation tokens; stop early by leaving the loop. */
export async function* listPages(client: S3Client, input: ListObjectsV2CommandInput): AsyncGenerator<ListObjectsV2CommandOutput> {
  const { ListObjectsV2Command } = await sdk();
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ ...input, ContinuationToken: token }));
    yield page;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/** Deletes every object under `prefix`, a page (≤ 1000 keys) at a time: how many, and their bytes. */
export async function deleteUnder(client: S3Client, bucket: string, prefix: string): Promise<{ count: number; bytes: number }> {
  const { DeleteObjectsCommand } = await sdk();
  let count = 0;
  let bytes = 0;
  for await (const page of listPages(client, { Bucket: bucket, Prefix: prefix })) {
    const objects = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key, size: Number(o.Size ?? 0) }] : []));
    if (objects.length === 0) continue;
    await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects.map(({ Key }) => ({ Key })), Quiet: true } }));
    count += objects.length;
    bytes += objects.reduce((sum, o) => sum + o.size, 0);
  }
  return { count, bytes };
}

/** A presigned GET for exactly one key. */
export async function presignedGet(client: S3Client, bucket: string, key: string, options: { expiresIn: number; signingDate?: Date }): Promise<string> {
  const [{ GetObjectCommand }, { getSignedUrl }] = await Promise.all([sdk(), import('@aws-sdk/s3-request-presigner')]);
  return getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), options);
}
