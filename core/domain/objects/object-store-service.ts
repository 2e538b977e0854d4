import { createHash } from 'node:crypto';
import { objectStoreRepository } from '../../data/objects/object-store-repository';
import { mapLimit } from '../../shared/concurrency';
import { config } from '../../shared/config';
import { qcDate } from '../../shared/dates';
import { InvalidError, LimitExceededError, NotFoundError } from '../../shared/errors';
import type { Principal } from '../../shared/principal';
import { orgAccess } from '../identity/access';
import { listedFolder } from './object-key-rules';

/**
 * The object store (contract §3.10, design §9): a per-organisation key space in the objects
 * bucket with a per-organisation quota. Keys reaching this service are validated and
 * organisation-relative (object-key-rules.ts).
 *
 * Quota: the table keeps a usage counter per organisation. An upload first reserves the growth
 * (new size minus the size of the object it replaces) with one conditional UpdateItem, then
 * stores the value, and gives the reservation back if storing fails: a refused upload stores
 * nothing, and concurrent uploads cannot pass the quota together. The quota is the
 * organisation's override item (set by an operator) or LCS_OBJECT_QUOTA_BYTES.
 *
 * Downloads (`object/get`) are zip jobs built by a worker: ./object-download.ts.
 */
export const LIST_PAGE_SIZE = 100;
export const PREVIEW_BYTES = 16 * 1024;
/**
 * S3 folders have no time of their own; LEAN reads `modified` as a non-nullable DateTime, so folders
 * carry a fixed placeholder (a listing stays the same answer until its contents change).
 */
const FOLDER_MODIFIED = '1970-01-01 00:00:00';
/** LEAN reads objectStorageUsed as a C# int. */
const INT32_MAX = 2 ** 31 - 1;

const repo = objectStoreRepository;

const MIME_BY_EXTENSION: Record<string, string> = {
  txt: 'text/plain',
  log: 'text/plain',
  csv: 'text/csv',
  json: 'application/json',
  xml: 'application/xml',
  html: 'text/html',
  md: 'text/markdown',
  py: 'text/x-python',
  cs: 'text/plain',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  zip: 'application/zip',
  gz: 'application/gzip',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  pdf: 'application/pdf',
  pkl: 'application/octet-stream',
  parquet: 'application/octet-stream',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

function asText(data: Uint8Array): string | undefined {
  if (data.includes(0)) return undefined;
  try {
    return utf8.decode(data);
  } catch {
    return undefined;
  }
}

/** By extension; otherwise `text/plain` for UTF-8 text and `application/octet-stream` for the rest. */
export function mimeOf(key: string, data: Uint8Array): string {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  const known = dot > 0 ? MIME_BY_EXTENSION[name.slice(dot + 1).toLowerCase()] : undefined;
  if (known) return known;
  return asText(data) !== undefined ? 'text/plain' : 'application/octet-stream';
}

const isTextual = (mime: string) => mime.startsWith('text/') || ['application/json', 'application/xml', 'application/yaml'].includes(mime);

/** "2.27 GB" style (binary units, as QuantConnect shows them). */
export function humanBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(2)} ${units[unit]}`;
}

async function quotaOf(orgId: string): Promise<{ used: number; quota: number }> {
  const { used, quota } = await repo.usage(orgId);
  return { used, quota: quota ?? config().LCS_OBJECT_QUOTA_BYTES };
}

const nameOf = (key: string) => key.slice(key.lastIndexOf('/') + 1);

export const objectStoreService = {
  /** Administration (no principal: `lcs admin`): an organisation's usage, and its quota override. */
  async quota(orgId: string): Promise<{ used: number; quota: number; override: boolean }> {
    const { used, quota } = await repo.usage(orgId);
    return { used, quota: quota ?? config().LCS_OBJECT_QUOTA_BYTES, override: quota !== undefined };
  },

  /** Sets (bytes) or removes (undefined: back to LCS_OBJECT_QUOTA_BYTES) an organisation's quota. */
  async setQuota(orgId: string, bytes: number | undefined): Promise<void> {
    await repo.setQuota(orgId, bytes);
  },

  async set(principal: Principal, input: { organizationId?: string; key: string; objectData: Buffer }): Promise<{ orgId: string; size: number }> {
    const { orgId } = orgAccess(principal, input.organizationId, 'member');
    if (await repo.isFolder(orgId, input.key)) throw new InvalidError(`key: '${input.key}' is a folder`);
    await this.store(orgId, input.key, input.objectData);
    return { orgId, size: input.objectData.length };
  },

  /**
   * Stores a value within the organisation's quota (the caller has checked access): object/set,
   * and the runner writing back what LEAN's LocalObjectStore saved during a job.
   */
  async store(orgId: string, key: string, objectData: Buffer): Promise<void> {
    const previous = await repo.head(orgId, key);
    const growth = objectData.length - (previous?.size ?? 0);
    if (growth > 0) {
      const { used, quota } = await quotaOf(orgId);
      if (!(await repo.reserve(orgId, growth, quota))) {
        throw new LimitExceededError(
          `Object store quota exceeded: the organization uses ${humanBytes(used)} of ${humanBytes(quota)}; storing '${key}' needs ${humanBytes(growth)} more.`,
        );
      }
    }
    try {
      await repo.put(orgId, key, objectData, {
        mime: mimeOf(key, objectData),
        md5: createHash('md5').update(objectData).digest('hex'),
        created: previous?.created ?? new Date(),
      });
    } catch (err) {
      await repo.release(orgId, growth);
      throw err;
    }
    if (growth < 0) await repo.release(orgId, -growth);
  },

  /** Removes one object and gives its bytes back to the quota; false when it did not exist. */
  async remove(orgId: string, key: string): Promise<boolean> {
    const found = await repo.head(orgId, key);
    if (!found) return false;
    await repo.deleteOne(orgId, key);
    await repo.release(orgId, found.size);
    return true;
  },

  async properties(principal: Principal, input: { organizationId?: string; key: string }) {
    const { orgId } = orgAccess(principal, input.organizationId, 'viewer');
    const found = await repo.head(orgId, input.key);
    if (!found) {
      if (await repo.isFolder(orgId, input.key)) throw new InvalidError(`key: '${input.key}' is a folder; properties are for objects`);
      throw new NotFoundError(`Object '${input.key}'`);
    }
    let preview: string | null = null;
    if (found.size <= PREVIEW_BYTES && isTextual(found.mime)) preview = asText(await repo.read(orgId, input.key)) ?? null;
    return {
      metadata: {
        key: found.key,
        modified: qcDate(found.modified),
        created: qcDate(found.created),
        size: found.size,
        md5: found.md5,
        mime: found.mime,
        preview,
      },
    };
  },

  async list(principal: Principal, input: { organizationId?: string; path: string; page?: number }) {
    const { orgId } = orgAccess(principal, input.organizationId, 'viewer');
    const page = input.page ?? 1;
    const [listed, { used }] = await Promise.all([repo.listPage(orgId, listedFolder(input.path), page, LIST_PAGE_SIZE), quotaOf(orgId)]);
    // S3 listings carry no content type: the one stored at upload (what object/properties
    // reports) is read per object, a few at a time.
    const mimes = await mapLimit(listed.files, 16, async (f) => (await repo.head(orgId, f.key))?.mime ?? mimeOf(f.key, new Uint8Array([0])));
    const objects = [
      ...listed.folders.map((key) => ({ key, name: nameOf(key), modified: FOLDER_MODIFIED, mime: 'directory', folder: true, isFolder: true, size: 0 })),
      ...listed.files.map((f, i) => ({
        key: f.key,
        name: nameOf(f.key),
        modified: qcDate(f.modified),
        mime: mimes[i] as string,
        folder: false,
        isFolder: false,
        size: f.size,
      })),
    ];
    return {
      path: input.path,
      objects,
      objectStorageUsed: Math.min(used, INT32_MAX),
      objectStorageUsedHuman: humanBytes(used),
      page,
      // S3 cannot count a folder without walking it: the pages known so far (one more while there is more).
      totalPages: listed.knownPages,
    };
  },

  /** Every object of the organisation with its content, read one at a time (`lcs backup`; the caller has checked access). */
  async *entries(orgId: string): AsyncGenerator<{ key: string; data: Buffer }> {
    for (const o of await repo.listAll(orgId, '', Number.POSITIVE_INFINITY)) yield { key: o.key, data: await repo.read(orgId, o.key) };
  },

  /** Deletes an object, or, when the key names a folder, everything under it. */
  async delete(principal: Principal, input: { organizationId?: string; key: string }): Promise<{ orgId: string; deleted: number }> {
    const { orgId } = orgAccess(principal, input.organizationId, 'member');
    if (await this.remove(orgId, input.key)) return { orgId, deleted: 1 };
    const { count, bytes } = await repo.deleteFolder(orgId, input.key);
    if (count === 0) throw new NotFoundError(`Object '${input.key}'`);
    await repo.release(orgId, bytes);
    return { orgId, deleted: count };
  },
};
