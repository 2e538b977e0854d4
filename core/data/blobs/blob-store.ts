import { config } from '../../shared/config';
import { s3 } from '../table/clients';
import { deleteUnder } from './s3-objects';

/** Objects in the artifacts bucket: spilled file contents, and later compile snapshots and results. */
const bucket = () => config().ARTIFACTS_BUCKET_NAME;

export const blobStore = {
  async put(key: string, body: Buffer | string, contentType = 'application/octet-stream'): Promise<void> {
    const { client, sdk } = await s3();
    // The length is given: the SDK cannot measure an empty body itself and warns about a stream of unknown length.
    await client.send(new sdk.PutObjectCommand({ Bucket: bucket(), Key: key, Body: body, ContentType: contentType, ContentLength: Buffer.byteLength(body) }));
  },

  async getText(key: string): Promise<string> {
    const { client, sdk } = await s3();
    const out = await client.send(new sdk.GetObjectCommand({ Bucket: bucket(), Key: key }));
    return (await out.Body?.transformToString('utf8')) ?? '';
  },

  /** Deletes everything under a prefix, a page (≤ 1000 keys) at a time. */
  async deletePrefix(prefix: string): Promise<number> {
    const { client } = await s3();
    return (await deleteUnder(client, bucket(), prefix)).count;
  },

  async reachable(): Promise<boolean> {
    const { client, sdk } = await s3();
    await client.send(new sdk.HeadBucketCommand({ Bucket: bucket() }));
    return true;
  },
};
