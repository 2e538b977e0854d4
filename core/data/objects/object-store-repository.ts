import type { Readable } from 'node:stream';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../../shared/config';
import { TABLE_SCHEMA } from '../../shared/table-schema';
import { deleteUnder, isMissing, listPages, presignedGet } from '../blobs/s3-objects';
import { documentClient, s3, tableName } from '../table/clients';
import { isConditionFailure } from '../table/dynamo-errors';
import { fromItem, toItem } from '../table/item';
import { keys } from '../table/keys';

/**
 * The object store's storage (design §9): object values in the objects bucket under
 * `<orgId>/<key>`, zip downloads under `jobs/<orgId>/<jobId>.zip` with their manifests (the objects
 * a job zips) next to them as `<jobId>.json` (an organisation id is 32 hex, so `jobs/` is outside
 * every organisation's key space), and in the table a usage counter per organisation plus the
 * download job records. Callers pass organisation-relative keys that are already validated; only
 * this module builds bucket keys.
 */
export interface StoredObject {
  key: string;
  size: number;
  modified: Date;
  created: Date;
  md5: string;
  mime: string;
}

export interface ListedPage {
  files: { key: string; size: number; modified: Date }[];
  /** Organisation-relative folder keys, without the trailing slash. */
  folders: string[];
  /** True when another page follows. */
  more: boolean;
  /** Pages known to exist: the page asked for plus one when `more`, fewer when it was past the end. */
  knownPages: number;
}

/** One object of a zip job's manifest: its organisation-relative key and its size when asked for. */
export interface ManifestEntry {
  key: string;
  size: number;
}

/**
 * A zip download job. `queued` → `building` → `done` | `failed`; records written before zips were
 * built asynchronously have no status and are done.
 */
export interface ObjectJob {
  jobId: string;
  orgId: string;
  zipKey: string;
  created: string;
  status?: 'queued' | 'building' | 'done' | 'failed';
  /** ISO time of the last change of status. */
  updated?: string;
  objects?: number;
  bytes?: number;
  /** Why a failed job failed, for the envelope. */
  error?: string;
}

/**
 * Multipart parts of the zip upload: (parts in flight + the one filling) × part size bounds the
 * upload's memory. 5 MiB is S3's smallest part (2 GiB is ~410 parts of the 10,000 allowed); two
 * parts in flight outpace deflate, the slowest stage.
 */
export const ZIP_PART_BYTES = 5 * 1024 * 1024;
export const ZIP_PARTS_IN_FLIGHT = 2;

const bucket = () => config().OBJECTS_BUCKET_NAME;
const orgPrefix = (orgId: string) => `${orgId}/`;
const objectKey = (orgId: string, key: string) => `${orgId}/${key}`;
const db = () => documentClient();

export const objectStoreRepository = {
  async head(orgId: string, key: string): Promise<StoredObject | undefined> {
    const { client, sdk } = await s3();
    try {
      const out = await client.send(new sdk.HeadObjectCommand({ Bucket: bucket(), Key: objectKey(orgId, key) }));
      const modified = out.LastModified ?? new Date(0);
      const created = out.Metadata?.created ? new Date(out.Metadata.created) : modified;
      return {
        key,
        size: Number(out.ContentLength ?? 0),
        modified,
        created: Number.isNaN(created.getTime()) ? modified : created,
        md5: out.Metadata?.md5 ?? (out.ETag ?? '').replaceAll('"', ''),
        mime: out.ContentType ?? 'application/octet-stream',
      };
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  },

  async put(orgId: string, key: string, body: Buffer, meta: { mime: string; md5: string; created: Date }): Promise<void> {
    const { client, sdk } = await s3();
    await client.send(
      new sdk.PutObjectCommand({
        Bucket: bucket(),
        Key: objectKey(orgId, key),
        Body: body,
        ContentType: meta.mime,
        Metadata: { md5: meta.md5, created: meta.created.toISOString() },
      }),
    );
  },

  async read(orgId: string, key: string): Promise<Buffer> {
    const { client, sdk } = await s3();
    const out = await client.send(new sdk.GetObjectCommand({ Bucket: bucket(), Key: objectKey(orgId, key) }));
    return Buffer.from((await out.Body?.transformToByteArray()) ?? new Uint8Array());
  },

  /** True when at least one object lies under `<key>/` (the key names a folder). */
  async isFolder(orgId: string, key: string): Promise<boolean> {
    const { client, sdk } = await s3();
    const out = await client.send(new sdk.ListObjectsV2Command({ Bucket: bucket(), Prefix: `${objectKey(orgId, key)}/`, MaxKeys: 1 }));
    return (out.KeyCount ?? out.Contents?.length ?? 0) > 0;
  },

  /** Every object under a folder (`''` is the root), with sizes; for downloads of whole folders. */
  async listAll(orgId: string, folder: string, limit: number): Promise<{ key: string; size: number; etag: string }[]> {
    const { client } = await s3();
    const prefix = folder ? `${objectKey(orgId, folder)}/` : orgPrefix(orgId);
    const found: { key: string; size: number; etag: string }[] = [];
    for await (const page of listPages(client, { Bucket: bucket(), Prefix: prefix })) {
      for (const o of page.Contents ?? [])
        if (o.Key) found.push({ key: o.Key.slice(orgPrefix(orgId).length), size: Number(o.Size ?? 0), etag: (o.ETag ?? '').replaceAll('"', '') });
      if (found.length > limit) break;
    }
    return found;
  },

  /**
   * One page of a folder's direct children (S3 delimiter listing): costs `page` list calls of
   * `pageSize` entries, never a walk of the whole store.
   */
  async listPage(orgId: string, folder: string, page: number, pageSize: number): Promise<ListedPage> {
    const { client, sdk } = await s3();
    const prefix = folder ? `${objectKey(orgId, folder)}/` : orgPrefix(orgId);
    const strip = orgPrefix(orgId).length;
    let token: string | undefined;
    for (let current = 1; ; current++) {
      const out = await client.send(
        new sdk.ListObjectsV2Command({ Bucket: bucket(), Prefix: prefix, Delimiter: '/', MaxKeys: pageSize, ContinuationToken: token }),
      );
      const more = !!out.IsTruncated && !!out.NextContinuationToken;
      if (current === page || !more) {
        if (current !== page) return { files: [], folders: [], more: false, knownPages: current };
        return {
          files: (out.Contents ?? []).flatMap((o) =>
            o.Key && o.Key !== prefix ? [{ key: o.Key.slice(strip), size: Number(o.Size ?? 0), modified: o.LastModified ?? new Date(0) }] : [],
          ),
          folders: (out.CommonPrefixes ?? []).flatMap((p) => (p.Prefix ? [p.Prefix.slice(strip, -1)] : [])),
          more,
          knownPages: more ? page + 1 : page,
        };
      }
      token = out.NextContinuationToken;
    }
  },

  async deleteOne(orgId: string, key: string): Promise<void> {
    const { client, sdk } = await s3();
    await client.send(new sdk.DeleteObjectCommand({ Bucket: bucket(), Key: objectKey(orgId, key) }));
  },

  /** Deletes everything under `<key>/`, a page at a time; returns the bytes removed. */
  async deleteFolder(orgId: string, key: string): Promise<{ count: number; bytes: number }> {
    const { client } = await s3();
    return deleteUnder(client, bucket(), `${objectKey(orgId, key)}/`);
  },

  /** An object's value as a stream (nothing read yet); undefined when it does not exist. */
  async openRead(orgId: string, key: string): Promise<{ body: Readable; size: number; modified: Date } | undefined> {
    const { client, sdk } = await s3();
    try {
      const out = await client.send(new sdk.GetObjectCommand({ Bucket: bucket(), Key: objectKey(orgId, key) }));
      return { body: out.Body as Readable, size: Number(out.ContentLength ?? 0), modified: out.LastModified ?? new Date() };
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  },

  zipKey(orgId: string, jobId: string): string {
    return `jobs/${orgId}/${jobId}.zip`;
  },

  async putManifest(orgId: string, jobId: string, entries: ManifestEntry[]): Promise<void> {
    const { client, sdk } = await s3();
    await client.send(
      new sdk.PutObjectCommand({ Bucket: bucket(), Key: `jobs/${orgId}/${jobId}.json`, Body: JSON.stringify(entries), ContentType: 'application/json' }),
    );
  },

  async readManifest(orgId: string, jobId: string): Promise<ManifestEntry[] | undefined> {
    const { client, sdk } = await s3();
    try {
      const out = await client.send(new sdk.GetObjectCommand({ Bucket: bucket(), Key: `jobs/${orgId}/${jobId}.json` }));
      return JSON.parse((await out.Body?.transformToString()) ?? '[]') as ManifestEntry[];
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  },

  /**
   * Streams a zip into `zipKey` as it is made: a multipart upload of ZIP_PART_BYTES parts, at most
   * ZIP_PARTS_IN_FLIGHT at once (a small zip is one PutObject). A failure aborts the upload.
   */
  async uploadZip(zipKey: string, body: Readable): Promise<void> {
    const [{ client }, { Upload }] = await Promise.all([s3(), import('@aws-sdk/lib-storage')]);
    const upload = new Upload({
      client,
      params: { Bucket: bucket(), Key: zipKey, Body: body, ContentType: 'application/zip' },
      partSize: ZIP_PART_BYTES,
      queueSize: ZIP_PARTS_IN_FLIGHT,
      leavePartsOnError: false,
    });
    await upload.done();
  },

  /** A presigned GET of a zip made by `putZip`. */
  async zipLink(zipKey: string, seconds: number): Promise<string> {
    const { client } = await s3();
    return presignedGet(client, bucket(), zipKey, { expiresIn: seconds });
  },

  // --- table: usage counter, quota override, jobs ---

  async usage(orgId: string): Promise<{ used: number; quota?: number }> {
    const out = await db().send(new GetCommand({ TableName: tableName(), Key: keys.objectUsage(orgId), ConsistentRead: true }));
    const used = Number(out.Item?.used ?? 0);
    const quota = out.Item?.quota === undefined ? undefined : Number(out.Item.quota);
    return { used: Math.max(0, used), quota };
  },

  /**
   * Adds `bytes` (> 0) to the usage counter only if the total stays within `quota`. The check and
   * the add are one conditional UpdateItem, so concurrent uploads cannot pass the quota together.
   * Returns false (and changes nothing) when the quota would be exceeded.
   */
  async reserve(orgId: string, bytes: number, quota: number): Promise<boolean> {
    if (bytes <= 0) return true;
    if (bytes > quota) return false;
    try {
      await db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.objectUsage(orgId),
          UpdateExpression: 'ADD #used :bytes SET #type = :type',
          ConditionExpression: 'attribute_not_exists(#used) OR #used <= :max',
          ExpressionAttributeNames: { '#used': 'used', '#type': 'type' },
          ExpressionAttributeValues: { ':bytes': bytes, ':max': quota - bytes, ':type': 'ObjectUsage' },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  },

  /** Gives back `bytes` (> 0): after a delete, a shrinking replace, or a failed upload. */
  async release(orgId: string, bytes: number): Promise<void> {
    if (bytes <= 0) return;
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.objectUsage(orgId),
        UpdateExpression: 'ADD #used :bytes SET #type = :type',
        ExpressionAttributeNames: { '#used': 'used', '#type': 'type' },
        ExpressionAttributeValues: { ':bytes': -bytes, ':type': 'ObjectUsage' },
      }),
    );
  },

  /** Per-organisation quota override (bytes); `undefined` removes it (the configured default applies). */
  async setQuota(orgId: string, quota: number | undefined): Promise<void> {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.objectUsage(orgId),
        UpdateExpression: quota === undefined ? 'REMOVE #quota SET #type = :type' : 'SET #quota = :quota, #type = :type',
        ExpressionAttributeNames: { '#quota': 'quota', '#type': 'type' },
        ExpressionAttributeValues: quota === undefined ? { ':type': 'ObjectUsage' } : { ':quota': quota, ':type': 'ObjectUsage' },
      }),
    );
  },

  async putJob(job: ObjectJob, expiresAtSeconds: number): Promise<void> {
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: toItem('ObjectJob', keys.objectJob(job.orgId, job.jobId), job, { [TABLE_SCHEMA.ttlAttribute]: expiresAtSeconds }),
      }),
    );
  },

  /** Changes a job's status (and what goes with it); `updated` is set here. */
  async updateJob(orgId: string, jobId: string, fields: Pick<ObjectJob, 'status'> & Partial<Pick<ObjectJob, 'error'>>): Promise<void> {
    const values: Record<string, unknown> = { ':status': fields.status, ':updated': new Date().toISOString() };
    let expression = 'SET #status = :status, #updated = :updated';
    if (fields.error !== undefined) {
      expression += ', #error = :error';
      values[':error'] = fields.error;
    }
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.objectJob(orgId, jobId),
        UpdateExpression: expression,
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: { '#status': 'status', '#updated': 'updated', ...(fields.error !== undefined ? { '#error': 'error' } : {}) },
        ExpressionAttributeValues: values,
      }),
    );
  },

  async getJob(orgId: string, jobId: string): Promise<ObjectJob | undefined> {
    const out = await db().send(new GetCommand({ TableName: tableName(), Key: keys.objectJob(orgId, jobId), ConsistentRead: true }));
    if (!out.Item) return undefined;
    // DynamoDB deletes expired items within days, not on the second: an expired record is gone.
    const ttl = Number(out.Item[TABLE_SCHEMA.ttlAttribute] ?? 0);
    if (ttl && ttl < Date.now() / 1000) return undefined;
    return fromItem<ObjectJob>(out.Item);
  },
};
