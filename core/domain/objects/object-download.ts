import { createHash } from 'node:crypto';
import { PassThrough, Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32, createDeflateRaw } from 'node:zlib';
import { Zip, type ZipInputFile } from 'fflate';
import { type ManifestEntry, type ObjectJob, objectStoreRepository } from '../../data/objects/object-store-repository';
import { parseZipJobMessage, type ZipJobMessage } from '../../data/objects/object-zip-queue';
import { mapLimit } from '../../shared/concurrency';
import { config } from '../../shared/config';
import { AppError, ConflictError, LimitExceededError, NotFoundError } from '../../shared/errors';
import type { Principal } from '../../shared/principal';
import { orgAccess } from '../identity/access';
import { humanBytes } from './object-store-service';

/**
 * `object/get` (contract §3.10): a zip of the asked keys, built by a worker, never in the request.
 *
 * Step 1 resolves the keys (objects, or whole folders) to a manifest of objects and sizes, refuses
 * a download over the limits at once (LCS_OBJECT_DOWNLOAD_MAX_BYTES / _MAX_OBJECTS, docs/api.md),
 * stores the manifest next to where the zip will be, records the job (`queued`, with a TTL) and
 * queues it; it answers the job id with `url: null`. The zip worker (buildZip) streams each object
 * from S3 through the zip into a multipart upload, so its memory does not grow with the objects'
 * sizes. Step 2 answers `url: null` while the job is queued or building, the presigned link when it
 * is done, and the job's error in the envelope when it failed.
 *
 * The job id is derived from the organisation and the exact contents asked for (keys, sizes,
 * MD5s): asking again for unchanged objects answers the same job, and reuses its zip.
 */
const JOB_SECONDS = 24 * 3600;
/**
 * A job still queued or building this long after its last change has lost its worker (the worker's
 * timeout is 15 minutes, and the queue retries sooner): polling says so, and asking again restarts it.
 */
export const STALE_JOB_SECONDS = 20 * 60;
/** Objects up to this size are read ahead, a few at once, so thousands of small ones do not each wait on a request. */
const READ_AHEAD_MAX_BYTES = 1024 * 1024;
const READ_AHEAD = 8;
/** What the zip may hold in memory on its way to the upload before reading pauses. */
const ZIP_OUTPUT_BUFFER = 1024 * 1024;
/** Compressed formats gain nothing from deflate: stored as they are (deflate is most of the CPU time). */
const STORED_EXTENSIONS = new Set(['zip', 'gz', 'tgz', 'bz2', 'xz', 'zst', '7z', 'png', 'jpg', 'jpeg', 'gif', 'webp', 'parquet', 'pdf', 'mp4']);

const repo = objectStoreRepository;

export interface DownloadLimits {
  maxBytes: number;
  maxObjects: number;
}

export function downloadLimits(): DownloadLimits {
  const c = config();
  return { maxBytes: c.LCS_OBJECT_DOWNLOAD_MAX_BYTES, maxObjects: c.LCS_OBJECT_DOWNLOAD_MAX_OBJECTS };
}

function overLimits(limits: DownloadLimits): LimitExceededError {
  return new LimitExceededError(`A download may hold at most ${limits.maxObjects} objects and ${humanBytes(limits.maxBytes)}; ask for fewer keys at a time.`);
}

/** Refuses a manifest over the limits (step 1), before anything is recorded. */
export function checkDownloadLimits(entries: readonly ManifestEntry[], limits: DownloadLimits): void {
  const total = entries.reduce((sum, e) => sum + e.size, 0);
  if (entries.length > limits.maxObjects || total > limits.maxBytes) throw overLimits(limits);
}

/** What step 1 needs besides storage: the zip queue (the handler passes the SQS sender). */
export interface DownloadDeps {
  enqueue(message: ZipJobMessage): Promise<void>;
}

const inProgress = (job: ObjectJob) => job.status === 'queued' || job.status === 'building';
const isStale = (job: ObjectJob, now = Date.now()) => inProgress(job) && now - Date.parse(job.updated ?? job.created) > STALE_JOB_SECONDS * 1000;

/** The objects the keys name (an object, or every object under a folder), with sizes and MD5s. */
async function resolveKeys(orgId: string, keys: readonly string[], limits: DownloadLimits): Promise<Map<string, { size: number; md5: string }>> {
  const unique = [...new Set(keys)];
  const heads = await mapLimit(unique, 16, (key) => repo.head(orgId, key));
  const wanted = new Map<string, { size: number; md5: string }>();
  for (const [i, key] of unique.entries()) {
    const found = heads[i];
    if (found) {
      wanted.set(key, { size: found.size, md5: found.md5 });
      continue;
    }
    const inside = await repo.listAll(orgId, key, limits.maxObjects);
    if (inside.length === 0) throw new NotFoundError(`Object '${key}'`);
    for (const o of inside) wanted.set(o.key, { size: o.size, md5: o.etag });
    if (wanted.size > limits.maxObjects) throw overLimits(limits);
  }
  return wanted;
}

export const objectDownloads = {
  /** Step 1: records (or finds) the zip job of these keys and queues it. */
  async start(principal: Principal, input: { organizationId?: string; keys: string[] }, deps: DownloadDeps): Promise<{ orgId: string; jobId: string }> {
    const { orgId } = orgAccess(principal, input.organizationId, 'viewer');
    return { orgId, jobId: await this.record(orgId, input.keys, deps) };
  },

  /** Step 1 for an organisation the caller has checked access to: the job id. */
  async record(orgId: string, keys: readonly string[], deps: DownloadDeps): Promise<string> {
    const limits = downloadLimits();
    const wanted = await resolveKeys(orgId, keys, limits);
    const sorted = [...wanted].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const entries: ManifestEntry[] = sorted.map(([key, o]) => ({ key, size: o.size }));
    checkDownloadLimits(entries, limits);
    const fingerprint = createHash('sha256').update(orgId);
    for (const [key, o] of sorted) fingerprint.update(`\0${key}\0${o.size}\0${o.md5}`);
    const jobId = fingerprint.digest('hex').slice(0, 32);
    const existing = await repo.getJob(orgId, jobId);
    if (existing && existing.status !== 'failed' && !isStale(existing)) return jobId;

    await repo.putManifest(orgId, jobId, entries);
    const now = new Date();
    await repo.putJob(
      {
        jobId,
        orgId,
        zipKey: repo.zipKey(orgId, jobId),
        created: now.toISOString(),
        updated: now.toISOString(),
        status: 'queued',
        objects: entries.length,
        bytes: entries.reduce((sum, e) => sum + e.size, 0),
      },
      Math.floor(now.getTime() / 1000) + JOB_SECONDS,
    );
    try {
      await deps.enqueue({ kind: 'object-zip', orgId, jobId });
    } catch (err) {
      await repo.updateJob(orgId, jobId, { status: 'failed', error: 'The download could not be queued; ask for it again.' }).catch(() => undefined);
      throw err;
    }
    return jobId;
  },

  /** Step 2: `url: null` while the zip is being built, its presigned link when done; a failed job's error. */
  async poll(principal: Principal, input: { organizationId?: string; jobId: string }): Promise<{ jobId: string; url: string | null }> {
    const { orgId } = orgAccess(principal, input.organizationId, 'viewer');
    const job = await repo.getJob(orgId, input.jobId);
    if (!job) throw new NotFoundError('Job');
    if (job.status === 'failed') throw new ConflictError(job.error ?? 'The download failed; ask for it again.');
    if (isStale(job)) throw new ConflictError('The download stopped without finishing; ask for it again.');
    if (inProgress(job)) return { jobId: job.jobId, url: null };
    return { jobId: job.jobId, url: await repo.zipLink(job.zipKey, config().LCS_LINK_SECONDS) };
  },
};

// --- the zip worker ---

interface Opened {
  body: Readable;
  size: number;
  modified: Date;
}

/** A small object read whole (its request done), or a large one only opened. */
async function openAhead(orgId: string, key: string): Promise<Opened | undefined> {
  const opened = await repo.openRead(orgId, key);
  if (!opened || opened.size > READ_AHEAD_MAX_BYTES) return opened;
  const chunks: Buffer[] = [];
  for await (const chunk of opened.body) chunks.push(chunk as Buffer);
  return { ...opened, body: Readable.from(chunks) };
}

/**
 * The manifest's objects opened in order. Small objects are read up to READ_AHEAD positions ahead,
 * concurrently; a large object is opened only when its turn comes (an open stream left waiting
 * would hold a connection idle).
 */
async function* openInOrder(orgId: string, entries: readonly ManifestEntry[]): AsyncGenerator<{ entry: ManifestEntry; opened: Opened | undefined }> {
  const ahead = new Map<number, Promise<Opened | undefined>>();
  for (let i = 0; i < entries.length; i++) {
    for (let j = i; j < Math.min(entries.length, i + READ_AHEAD); j++) {
      const entry = entries[j] as ManifestEntry;
      if (!ahead.has(j) && entry.size <= READ_AHEAD_MAX_BYTES) {
        const started = openAhead(orgId, entry.key);
        // Marked handled: an abandoned read-ahead (the job failed first) must not crash the process.
        started.catch(() => undefined);
        ahead.set(j, started);
      }
    }
    const entry = entries[i] as ManifestEntry;
    const opened = ahead.get(i) ?? repo.openRead(orgId, entry.key);
    ahead.delete(i);
    yield { entry, opened: await opened };
  }
}

/** Calls back once `out` can take more (at once if it can), or with an error if it was closed. */
function whenDrained(out: PassThrough, callback: (err?: Error) => void): void {
  if (out.destroyed) {
    callback(new Error('the zip upload stopped'));
    return;
  }
  if (!out.writableNeedDrain) {
    callback();
    return;
  }
  const done = () => {
    out.off('drain', done);
    out.off('close', done);
    callback(out.destroyed ? new Error('the zip upload stopped') : undefined);
  };
  out.on('drain', done);
  out.on('close', done);
}

const extensionOf = (key: string) => {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
};

/**
 * One entry: the object's bytes through a CRC-32 and size count, then Node's zlib (deflate, native
 * and several times faster than deflate in JavaScript) unless the format is already compressed,
 * into the zip. fflate's streaming Zip writes the local header, a data descriptor with the CRC and
 * sizes after the data, and the central directory at the end. Backpressure: the sink takes the next
 * chunk only once the zip's output has room, so reading S3 waits for the upload.
 */
async function addEntry(zip: Zip, key: string, opened: Opened, out: PassThrough): Promise<void> {
  const deflate = !STORED_EXTENSIONS.has(extensionOf(key));
  const file: ZipInputFile = { filename: key, size: 0, crc: 0, compression: deflate ? 8 : 0, mtime: opened.modified };
  zip.add(file);
  const emit = file.ondata as NonNullable<ZipInputFile['ondata']>;
  let crc = 0;
  let size = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      crc = crc32(chunk, crc);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  const sink = new Writable({
    write(chunk: Uint8Array<ArrayBuffer>, _encoding, callback) {
      emit(null, chunk, false);
      whenDrained(out, callback);
    },
  });
  if (deflate) await pipeline(opened.body, measure, createDeflateRaw({ level: 6 }), sink);
  else await pipeline(opened.body, measure, sink);
  file.crc = crc;
  file.size = size;
  emit(null, new Uint8Array(0), true);
}

/** Streams the manifest's objects into one zip at `zipKey`; memory stays bounded whatever their sizes. */
async function writeZip(orgId: string, entries: readonly ManifestEntry[], zipKey: string, limits: DownloadLimits): Promise<void> {
  const out = new PassThrough({ highWaterMark: ZIP_OUTPUT_BUFFER });
  // Errors reach the caller through `uploaded` (and whenDrained); the stream's own event is not one more.
  out.on('error', () => undefined);
  const uploaded = repo.uploadZip(zipKey, out);
  // An upload that fails early stops the writers (whenDrained sees the stream closed).
  uploaded.catch((err: Error) => out.destroy(err));
  const zip = new Zip((err, chunk, final) => {
    if (err) return void out.destroy(err);
    if (out.destroyed) return;
    out.write(chunk);
    if (final) out.end();
  });
  try {
    let total = 0;
    for await (const { entry, opened } of openInOrder(orgId, entries)) {
      if (!opened) throw new ConflictError(`Object '${entry.key}' was deleted before the download was built; ask for the download again.`);
      total += opened.size;
      if (total > limits.maxBytes) {
        opened.body.destroy();
        throw new LimitExceededError(
          `The objects grew past the download limit of ${humanBytes(limits.maxBytes)} before the zip was built; ask for fewer keys at a time.`,
        );
      }
      await addEntry(zip, entry.key, opened, out);
    }
    zip.end();
  } catch (err) {
    zip.terminate();
    out.destroy(err as Error);
    await uploaded.catch(() => undefined);
    throw err;
  }
  await uploaded;
}

/**
 * The zip worker's work for one queue message (the Lambda and local mode call this): builds the
 * job's zip unless it is already done or failed. A job that cannot succeed (an object deleted
 * since step 1, limits passed) ends failed with its reason; any other error is thrown for the
 * queue to retry, and on the last delivery (`lastAttempt`) ends the job failed too.
 */
export async function buildZip(message: ZipJobMessage, options: { lastAttempt: boolean }): Promise<'done' | 'failed' | 'skipped'> {
  const { orgId, jobId } = message;
  const job = await repo.getJob(orgId, jobId);
  if (!job || !inProgress(job)) return 'skipped';
  await repo.updateJob(orgId, jobId, { status: 'building' });
  try {
    const entries = await repo.readManifest(orgId, jobId);
    if (!entries) throw new ConflictError('The download expired before it was built; ask for it again.');
    await writeZip(orgId, entries, job.zipKey, downloadLimits());
    await repo.updateJob(orgId, jobId, { status: 'done' });
    return 'done';
  } catch (err) {
    if (!(err instanceof AppError) && !options.lastAttempt) throw err;
    const reason = err instanceof AppError ? err.message : 'The download could not be built; ask for it again.';
    await repo.updateJob(orgId, jobId, { status: 'failed', error: reason });
    if (!(err instanceof AppError)) throw err;
    return 'failed';
  }
}

/**
 * One delivery of a zip queue message, as the Lambda event source and local mode's loop hand it
 * over: throws when the queue should deliver it again (a malformed body too: it is dead-lettered
 * after the queue's maximum receives). `receives` is the message's ApproximateReceiveCount.
 */
export async function handleZipMessage(body: string, receives: number): Promise<{ jobId: string; outcome: 'done' | 'failed' | 'skipped' }> {
  const message = parseZipJobMessage(body);
  const outcome = await buildZip(message, { lastAttempt: receives >= config().LCS_JOB_MAX_RECEIVES });
  return { jobId: message.jobId, outcome };
}
