import { config } from '../shared/config';
import { s3 } from './clients';

/** Objects in the artifacts bucket: spilled file contents, and later compile snapshots and results. */
const bucket = () => config().ARTIFACTS_BUCKET_NAME;

export const blobStore = {
  async put(key: string, body: Buffer | string, contentType = 'application/octet-stream'): Promise<void> {
    const { client, sdk } = await s3();
    await client.send(new sdk.PutObjectCommand({ Bucket: bucket(), Key: key, Body: body, ContentType: contentType }));
  },

  async getText(key: string): Promise<string> {
    const { client, sdk } = await s3();
    const out = await client.send(new sdk.GetObjectCommand({ Bucket: bucket(), Key: key }));
    return (await out.Body?.transformToString('utf8')) ?? '';
  },

  /** Deletes everything under a prefix, a page (≤ 1000 keys) at a time. */
  async deletePrefix(prefix: string): Promise<number> {
    const { client, sdk } = await s3();
    let deleted = 0;
    let token: string | undefined;
    do {
      const page = await client.send(new sdk.ListObjectsV2Command({ Bucket: bucket(), Prefix: prefix, ContinuationToken: token }));
      const objects = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
      if (objects.length) {
        await client.send(new sdk.DeleteObjectsCommand({ Bucket: bucket(), Delete: { Objects: objects, Quiet: true } }));
        deleted += objects.length;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return deleted;
  },

  async reachable(): Promise<boolean> {
    const { client, sdk } = await s3();
    await client.send(new sdk.HeadBucketCommand({ Bucket: bucket() }));
    return true;
  },
};
