import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { listPages } from '../../core/data/blobs/s3-objects';
import type { LocalFile } from './walk';

/**
 * The logic of `lcs data push`, without the command line: upload a list of local files to a bucket
 * in parallel, multipart above a threshold, skipping the ones already there unchanged (same size
 * and the same SHA-256, kept as the object's `sha256` metadata). An object appears only once it is
 * complete (PutObject, CompleteMultipartUpload), so an interrupted push re-run uploads what is missing.
 */
export const MB = 1024 * 1024;
/** S3's minimum part is 5 MB; 8 MB parts keep the part count low (10,000 parts max → 80 GB files). */
export const MIN_PART_SIZE = 8 * MB;
export const HASH_METADATA = 'sha256';

export interface PushOptions {
  client: S3Client;
  bucket: string;
  files: LocalFile[];
  /** Files uploaded at once (default 8). */
  concurrency?: number;
  /** Files above this many bytes go multipart (default 8 MB: local mode's S3 emulator refuses single PUTs over 11 MiB). */
  multipartThreshold?: number;
  /** Multipart part size, at least 8 MB. */
  partSize?: number;
  /** Parts of one multipart file uploaded at once (default 4). */
  partConcurrency?: number;
  onProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
}

export type ProgressEvent =
  /** Bytes of a file sent (multipart reports as parts complete). */
  { type: 'bytes'; bytes: number } | { type: 'file'; file: LocalFile; outcome: 'uploaded' | 'skipped' };

export interface PushResult {
  uploaded: number;
  uploadedBytes: number;
  skipped: number;
  skippedBytes: number;
  seconds: number;
}

/** Key → size of every object under `prefix`, in one ListObjectsV2 pass. */
export async function remoteSizes(client: S3Client, bucket: string, prefix = ''): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for await (const page of listPages(client, { Bucket: bucket, Prefix: prefix || undefined })) {
    for (const o of page.Contents ?? []) if (o.Key) sizes.set(o.Key, o.Size ?? 0);
  }
  return sizes;
}

/** SHA-256 of a file, hex, read as a stream. */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** The longest folder prefix shared by all keys ('' for the bucket root), to list only that much. */
export function commonPrefix(keys: string[]): string {
  if (keys.length === 0) return '';
  let prefix = keys[0] as string;
  for (const key of keys) while (!key.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix.slice(0, prefix.lastIndexOf('/') + 1);
}

export async function pushFiles(options: PushOptions): Promise<PushResult> {
  const started = performance.now();
  const { client, bucket, files } = options;
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const threshold = options.multipartThreshold ?? 8 * MB;
  const partSize = Math.max(MIN_PART_SIZE, options.partSize ?? MIN_PART_SIZE);
  const report = options.onProgress ?? (() => undefined);
  const result: PushResult = { uploaded: 0, uploadedBytes: 0, skipped: 0, skippedBytes: 0, seconds: 0 };

  const existing = await remoteSizes(client, bucket, commonPrefix(files.map((f) => f.key)));

  const pushOne = async (file: LocalFile): Promise<void> => {
    // Small files are read once, then hashed in memory; a large one is hashed as a stream, which
    // its upload needs anyway (the hash is set when the multipart upload is created).
    const multipart = file.size > threshold;
    const body = multipart ? undefined : await readFile(file.path);
    const sha256 = body ? createHash('sha256').update(body).digest('hex') : await sha256File(file.path);
    if (existing.get(file.key) === file.size) {
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: file.key })).catch((err: Error) => {
        if (err.name === 'NotFound' || err.name === 'NoSuchKey') return undefined; // deleted since the listing
        throw err;
      });
      if (head && head.ContentLength === file.size && head.Metadata?.[HASH_METADATA] === sha256) {
        result.skipped++;
        result.skippedBytes += file.size;
        report({ type: 'bytes', bytes: file.size });
        report({ type: 'file', file, outcome: 'skipped' });
        return;
      }
    }
    const params = { Bucket: bucket, Key: file.key, Metadata: { [HASH_METADATA]: sha256 }, ContentType: contentType(file.key) };
    if (!body) {
      const upload = new Upload({
        client,
        params: { ...params, Body: createReadStream(file.path) },
        partSize,
        queueSize: Math.max(1, options.partConcurrency ?? 4),
        leavePartsOnError: false,
      });
      const abort = () => void upload.abort();
      options.signal?.addEventListener('abort', abort, { once: true });
      let sent = 0;
      upload.on('httpUploadProgress', (progress) => {
        const loaded = Math.min(progress.loaded ?? 0, file.size);
        if (loaded > sent) {
          report({ type: 'bytes', bytes: loaded - sent });
          sent = loaded;
        }
      });
      try {
        await upload.done();
      } finally {
        options.signal?.removeEventListener('abort', abort);
      }
      if (file.size > sent) report({ type: 'bytes', bytes: file.size - sent });
    } else {
      await client.send(new PutObjectCommand({ ...params, Body: body, ContentLength: body.length }), { abortSignal: options.signal });
      report({ type: 'bytes', bytes: file.size });
    }
    result.uploaded++;
    result.uploadedBytes += file.size;
    report({ type: 'file', file, outcome: 'uploaded' });
  };

  let next = 0;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < files.length && !options.signal?.aborted) {
      const file = files[next++] as LocalFile;
      try {
        await pushOne(file);
      } catch (err) {
        if (options.signal?.aborted) break; // reported once, below
        failure ??= Object.assign(new Error(`${file.key}: ${(err as Error).message || String(err)}`), { cause: err });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  if (failure !== undefined) throw failure;
  if (options.signal?.aborted) throw new Error('interrupted: files not yet complete were not stored; run the same push again to upload them');
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

/** LEAN data is zip archives, CSV and JSON maps; anything else is stored as bytes. */
function contentType(key: string): string {
  if (key.endsWith('.zip')) return 'application/zip';
  if (key.endsWith('.csv')) return 'text/csv';
  if (key.endsWith('.json')) return 'application/json';
  if (key.endsWith('.txt')) return 'text/plain';
  return 'application/octet-stream';
}
