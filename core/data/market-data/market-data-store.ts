import { config } from '../../shared/config';
import { isMissing, listPages, presignedGet } from '../blobs/s3-objects';
import { s3 } from '../table/clients';

/**
 * LEAN market data in the data bucket (design §9), in LEAN's own folder layout: the key of a file
 * is its path relative to LEAN's data folder (`equity/usa/daily/spy.zip`). Market data belongs to
 * the deployment, not to an organisation, so keys carry no organisation prefix. Every S3 call on
 * this bucket is made here; callers pass paths they have already validated.
 */
const bucket = () => config().DATA_BUCKET_NAME;

/**
 * LEAN modules (NuGet packages of brokerages and data feeds, modules/list and modules/read) live in
 * the same bucket under this folder, `<prefix><productId>/<file>`: uploaded and served like market
 * data, but no LEAN data folder, so it is never listed as a dataset.
 */
export const MODULES_PREFIX = 'lcs-modules/';

/** S3 keys are at most 1024 bytes of UTF-8. */
export const MAX_KEY_BYTES = 1024;

/**
 * Signs a link to one key instead of S3 presigning it: local mode serves market data through its
 * own HTTP server (local/data-links.ts), so a LEAN container that reaches the API reaches the data.
 */
export type DataLinkSigner = (path: string, signingDate: Date, expiresIn: number) => string;
let linkSigner: DataLinkSigner | undefined;

/** Local mode only; AWS keeps S3 presigned links. */
export function signDataLinksWith(signer: DataLinkSigner | undefined): void {
  linkSigner = signer;
}

export interface DataListing {
  /** Keys of the files directly under the prefix. */
  files: string[];
  /** Sub-folders directly under the prefix, each ending in '/'. */
  folders: string[];
  /** More entries exist than were read (the cap was reached). */
  truncated: boolean;
}

export const marketDataStore = {
  /** The size of a file, or undefined when there is no such file. */
  async head(path: string): Promise<{ size: number } | undefined> {
    const { client, sdk } = await s3();
    try {
      const out = await client.send(new sdk.HeadObjectCommand({ Bucket: bucket(), Key: path }));
      return { size: out.ContentLength ?? 0 };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  },

  /**
   * A presigned GET URL for exactly this key. `signingDate` and `expiresIn` are the caller's: the
   * URL is valid from the signing date for `expiresIn` seconds, and needs no other credentials.
   */
  async link(path: string, signingDate: Date, expiresIn: number): Promise<string> {
    if (linkSigner) return linkSigner(path, signingDate, expiresIn);
    const { client } = await s3();
    return presignedGet(client, bucket(), path, { signingDate, expiresIn });
  },

  /**
   * What lies directly under a folder prefix (ending in '/'), or in the folder of a plain key prefix
   * and starting with it: files and sub-folders, in key order,
   * at most `cap` entries. With a delimiter S3 groups everything below a sub-folder into one entry,
   * so the cost is O(entries returned), a page (≤ 1000 keys) per request, never the whole tree.
   */
  async list(prefix: string, cap: number): Promise<DataListing> {
    const { client, sdk } = await s3();
    const files: string[] = [];
    const folders: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new sdk.ListObjectsV2Command({
          Bucket: bucket(),
          Prefix: prefix,
          Delimiter: '/',
          ContinuationToken: token,
          MaxKeys: Math.min(1000, cap - files.length - folders.length),
        }),
      );
      // A key equal to a folder prefix is a folder marker; one equal to a plain prefix is that file.
      for (const o of page.Contents ?? []) if (o.Key && !(o.Key === prefix && prefix.endsWith('/'))) files.push(o.Key);
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix) folders.push(p.Prefix);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token && files.length + folders.length < cap);
    return { files, folders, truncated: token !== undefined };
  },

  /** The top-level folders of the bucket (LEAN's security types: `equity`, `forex`, …), without '/'. */
  async topFolders(): Promise<string[]> {
    const { client } = await s3();
    const folders: string[] = [];
    for await (const page of listPages(client, { Bucket: bucket(), Delimiter: '/' })) {
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix && p.Prefix !== MODULES_PREFIX) folders.push(p.Prefix.slice(0, -1));
    }
    return folders.sort();
  },

  /** The bytes of a file, or undefined when there is no such file (the runner's map/factor zips). */
  async read(path: string): Promise<Uint8Array | undefined> {
    const { client, sdk } = await s3();
    try {
      const out = await client.send(new sdk.GetObjectCommand({ Bucket: bucket(), Key: path }));
      return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  },

  /** A file's bytes as a stream, with its size, or undefined when there is no such file (local data links). */
  async open(path: string): Promise<{ body: NodeJS.ReadableStream; size: number } | undefined> {
    const { client, sdk } = await s3();
    try {
      const out = await client.send(new sdk.GetObjectCommand({ Bucket: bucket(), Key: path }));
      return { body: out.Body as NodeJS.ReadableStream, size: out.ContentLength ?? 0 };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  },

  /** Stores one file (tests, benchmarks and tools that seed data; `lcs data push` uploads in bulk). */
  async put(path: string, body: Uint8Array | string): Promise<void> {
    const { client, sdk } = await s3();
    await client.send(new sdk.PutObjectCommand({ Bucket: bucket(), Key: path, Body: body, ContentType: 'application/octet-stream' }));
  },
};
