import { createHash, randomBytes } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { FileSetRef, ProjectFile } from '../../domain/files/types';
import type { Project } from '../../domain/projects/types';
import { config } from '../../shared/config';
import { isoNow } from '../../shared/dates';
import { NotFoundError } from '../../shared/errors';
import { logger } from '../../shared/logger';
import { answerBytes } from '../../shared/payload-limits';
import { blobStore } from '../blobs/blob-store';
import { changedConcurrently, projectBlobPrefix, projectItem, projectRepository, renameOps, writeProjectTransaction } from '../projects/project-repository';
import { batchGet, batchWrite } from '../table/batch';
import { documentClient, tableName } from '../table/clients';
import { fromItem, toItem } from '../table/item';
import { type Key, keys } from '../table/keys';
import { queryAll, queryKeys } from '../table/query';

/**
 * Project files, written all at once or not at all whatever their number.
 *
 * A project's files are grouped into immutable *packs*: items in the project's partition, each
 * holding the files whose name hashes to its bucket (content above the inline threshold is stored
 * in S3 under a content hash and the pack keeps the reference). The project item names the packs
 * of its committed file set (`fileSet`), so the conditional write that moves the project's version
 * is also the one that switches its files: a write first puts new packs for the buckets it
 * changes (invisible, as nothing names them), then commits the project item naming them, then
 * deletes the packs they replaced. Readers read only the packs the project item names; one that
 * finds a pack gone (replaced after it read the project) reads the project again.
 *
 * A write that fits one transaction puts, commits and deletes in it. A larger one first records a
 * *stage* item listing the packs it puts and replaces; after any commit, stages based on an older
 * version (they can never commit) have their packs deleted, except those the committed set names.
 * A crashed write so leaves only packs nothing names, cleaned by the project's next write or its
 * deletion. Projects written before packs existed keep one item per file (`FILE#<name>`), read as
 * they are until their first write moves them into packs and deletes those items.
 */
interface FileEntry {
  name: string;
  created: string;
  modified: string;
  /** UTF-8 bytes of the content. */
  size: number;
  /** The content's bytes in a files/read answer (payload-limits.ts); absent in entries written before it was kept. */
  answerBytes?: number;
  content?: string;
  contentKey?: string;
}

interface PackItem {
  projectId: number;
  /** The project version the writing request read (a pack is committed with version + 1, or never). */
  baseVersion: number;
  /** The files' entries as JSON text: one string attribute stores and reads far faster than a list of maps. */
  files: string;
}

interface StageItem {
  projectId: number;
  stageId: string;
  baseVersion: number;
  /** Packs the write puts. */
  packs: string[];
  /** Packs it replaces, garbage once it commits. */
  supersedes: string[];
  /** The write moves a project from one item per file into packs (those items are garbage once it commits). */
  legacy: boolean;
  created: string;
}

export interface FileChanges {
  put: ProjectFile[];
  remove: string[];
}

/** A file's name is in its sort key (`FILE#<name>`), which DynamoDB caps at 1024 bytes. */
export const MAX_FILE_NAME_BYTES = 1000;

/** Buckets are sized for about this much each, so one changed file rewrites little. */
const TARGET_PACK_BYTES = 128 * 1024;
/** Below DynamoDB's 400 KB item limit (the rest of the item is under 1 KB), above the largest inline file (300,000 bytes) with its name. */
const MAX_PACK_BYTES = 350_000;
// DynamoDB transactions take at most 100 items and 4 MB; stay clear of both.
const MAX_ITEMS_PER_TRANSACTION = 99;
const MAX_BYTES_PER_TRANSACTION = 3_000_000;
/** Times a reader re-reads a project whose file set changed under it before giving up. */
const READ_ATTEMPTS = 5;

/** An entry's bytes in its pack's JSON text (escapes included: a control character takes six). */
const serialisedBytes = new WeakMap<FileEntry, number>();
function entryBytes(e: FileEntry): number {
  let bytes = serialisedBytes.get(e);
  if (bytes === undefined) {
    bytes = Buffer.byteLength(JSON.stringify(e), 'utf8') + 1;
    serialisedBytes.set(e, bytes);
  }
  return bytes;
}
const sumBytes = (entries: FileEntry[]) => entries.reduce((n, e) => n + entryBytes(e), 0);

function bucketOf(name: string, count: number): number {
  return count <= 1 ? 0 : createHash('sha256').update(name).digest().readUInt32BE(0) % count;
}

/** A power of two near total / target: kept while it stays within a factor of four of that. */
function bucketCount(totalBytes: number, current: number): number {
  let wanted = 1;
  while (wanted * TARGET_PACK_BYTES < totalBytes) wanted *= 2;
  return current >= wanted && current <= wanted * 4 ? current : wanted;
}

/** Files by name in the order DynamoDB kept one-item-per-file sort keys: UTF-8 bytes. */
function byName<T extends { name: string }>(files: T[]): T[] {
  return files
    .map((f) => ({ f, key: Buffer.from(f.name, 'utf8') }))
    .sort((a, b) => Buffer.compare(a.key, b.key))
    .map(({ f }) => f);
}

/** Entries into `count` buckets; undefined when a bucket would not fit one item. */
function layout(entries: FileEntry[], count: number): FileEntry[][] | undefined {
  const buckets: FileEntry[][] = Array.from({ length: count }, () => []);
  for (const e of entries) buckets[bucketOf(e.name, count)]?.push(e);
  return buckets.every((b) => sumBytes(b) <= MAX_PACK_BYTES) ? buckets : undefined;
}

function fullLayout(entries: FileEntry[], current: number): FileEntry[][] {
  let count = bucketCount(sumBytes(entries), current);
  for (;;) {
    const buckets = layout(entries, count);
    if (buckets) return buckets;
    count *= 2;
  }
}

const newId = () => randomBytes(8).toString('hex');

async function hydrate(projectId: number, e: FileEntry): Promise<ProjectFile> {
  const content = e.contentKey ? await blobStore.getText(e.contentKey) : (e.content ?? '');
  return { projectId, name: e.name, content, created: e.created, modified: e.modified };
}

async function dehydrate(file: ProjectFile): Promise<FileEntry> {
  const size = Buffer.byteLength(file.content, 'utf8');
  const base = { name: file.name, created: file.created, modified: file.modified, size, answerBytes: answerBytes(file.content) };
  if (size <= config().LCS_FILE_INLINE_MAX_BYTES) {
    const inline = { ...base, content: file.content };
    // Escaping can grow a content up to six times: what no pack could hold goes to S3 as well.
    if (entryBytes(inline) <= MAX_PACK_BYTES) return inline;
  }
  const digest = createHash('sha256').update(file.content).digest('hex');
  const contentKey = `${projectBlobPrefix(file.projectId)}files/${digest}`;
  await blobStore.put(contentKey, file.content, 'text/plain; charset=utf-8');
  return { ...base, contentKey };
}

function toEntry(item: Record<string, unknown>): FileEntry {
  const { name, created, modified, size, answerBytes: answer, content, contentKey } = fromItem<FileEntry>(item);
  return {
    name,
    created,
    modified,
    size: Number(size ?? 0),
    ...(answer !== undefined ? { answerBytes: Number(answer) } : {}),
    ...(content !== undefined ? { content } : {}),
    ...(contentKey ? { contentKey } : {}),
  };
}

/** The one-item-per-file form of projects not written since packs exist. */
async function legacyEntries(projectId: number): Promise<FileEntry[]> {
  return (await queryAll(keys.projectPartition(projectId), keys.prefixes.file)).map(toEntry);
}

/**
 * Packs already read for a file set reference (the object on a project item as read): packs never
 * change, so a write can reuse what the same request read before it, e.g. a push's diff.
 */
const packsRead = new WeakMap<FileSetRef, Map<string, FileEntry[]>>();

/** The packs with these ids, or undefined when one is gone (the set was replaced since it was named). */
async function readPacks(projectId: number, ref: FileSetRef, ids: string[]): Promise<Map<string, FileEntry[]> | undefined> {
  const known = packsRead.get(ref) ?? new Map<string, FileEntry[]>();
  packsRead.set(ref, known);
  const wanted = [...new Set(ids.filter(Boolean))];
  const missing = wanted.filter((id) => !known.has(id));
  const items =
    missing.length === 1
      ? [
          (await documentClient().send(new GetCommand({ TableName: tableName(), Key: keys.filePack(projectId, missing[0] as string), ConsistentRead: true })))
            .Item,
        ].flatMap((i) => (i ? [i] : []))
      : missing.length > 1
        ? await batchGet(missing.map((id) => keys.filePack(projectId, id)))
        : [];
  for (const i of items) known.set(String(i.SK).slice('FILEPACK#'.length), (JSON.parse(fromItem<PackItem>(i).files) as Record<string, unknown>[]).map(toEntry));
  if (!wanted.every((id) => known.has(id))) return undefined;
  return new Map(wanted.map((id) => [id, known.get(id) as FileEntry[]]));
}

/**
 * Reads through the project's committed file set: `read` gets the set's reference (undefined for
 * the old one-item-per-file form) and answers, or answers undefined when a pack it needed was gone;
 * then the project is read again and `read` retried with its newer reference.
 */
async function readCommitted<T>(project: Project, read: (ref: FileSetRef | undefined) => Promise<T | undefined>): Promise<T> {
  let ref = project.fileSet;
  for (let attempt = 1; ; attempt++) {
    const answer = await read(ref);
    if (answer !== undefined && ref) return answer;
    // The old form is read item by item: once a write has moved it into packs, what was just read may be partial.
    const fresh = await projectRepository.get(project.id);
    if (answer !== undefined && !fresh?.project.fileSet) return answer;
    if (!fresh) throw new NotFoundError('Project');
    if (attempt >= READ_ATTEMPTS) throw new Error(`The files of project ${project.id} kept changing while being read`);
    ref = fresh.project.fileSet;
  }
}

const packPut = (projectId: number, id: string, baseVersion: number, files: FileEntry[]) => ({
  Put: { TableName: tableName(), Item: toItem('FilePack', keys.filePack(projectId, id), { projectId, baseVersion, files: JSON.stringify(byName(files)) }) },
});

/** Deletes, best effort, what stages that can no longer commit left behind: packs the committed set does not name. */
async function sweep(projectId: number, committed: FileSetRef, committedVersion: number): Promise<void> {
  try {
    const stages = (await queryAll(keys.projectPartition(projectId), keys.prefixes.fileStage)).map((i) => fromItem<StageItem>(i));
    const dead = stages.filter((s) => Number(s.baseVersion) < committedVersion);
    if (dead.length === 0) return;
    const live = new Set(committed.packs);
    const garbage = new Set(dead.flatMap((s) => [...(s.packs ?? []), ...(s.supersedes ?? [])]).filter((id) => id && !live.has(id)));
    const deletes: Key[] = [...garbage].map((id) => keys.filePack(projectId, id));
    if (dead.some((s) => s.legacy)) deletes.push(...(await queryKeys(keys.projectPartition(projectId), keys.prefixes.file)));
    await batchWrite([...deletes, ...dead.map((s) => keys.fileStage(projectId, s.stageId))].map((Key) => ({ DeleteRequest: { Key } })));
  } catch (err) {
    logger.warn('superseded project files not cleaned up (the next write retries)', { projectId, error: (err as Error).message });
  }
}

/** Every committed entry of the project, contents in S3 not read. */
function committedEntries(project: Project): Promise<FileEntry[]> {
  return readCommitted(project, async (ref) => {
    if (!ref) return legacyEntries(project.id);
    const packs = await readPacks(project.id, ref, ref.packs);
    return packs && [...packs.values()].flat();
  });
}

export const fileRepository = {
  /** The project's committed files, by name. */
  async list(project: Project): Promise<ProjectFile[]> {
    const entries = await committedEntries(project);
    return Promise.all(byName(entries).map((e) => hydrate(project.id, e)));
  },

  /** Each committed file's content size in a files/read answer, by name (read from S3 only for entries older than the figure). */
  async answerSizes(project: Project): Promise<Map<string, number>> {
    const entries = await committedEntries(project);
    const sizes = await Promise.all(
      entries.map(async (e): Promise<[string, number]> => [e.name, e.answerBytes ?? answerBytes((await hydrate(project.id, e)).content)]),
    );
    return new Map(sizes);
  },

  async get(project: Project, name: string): Promise<ProjectFile | undefined> {
    // No file can have a longer name, and DynamoDB would refuse the key.
    if (Buffer.byteLength(name, 'utf8') > MAX_FILE_NAME_BYTES) return undefined;
    const found = await readCommitted(project, async (ref): Promise<{ entry?: FileEntry } | undefined> => {
      if (!ref) {
        const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: keys.file(project.id, name) }));
        return { entry: out.Item ? toEntry(out.Item) : undefined };
      }
      const id = ref.packs[bucketOf(name, ref.packs.length)];
      if (!id) return {};
      const packs = await readPacks(project.id, ref, [id]);
      return packs && { entry: packs.get(id)?.find((e) => e.name === name) };
    });
    return found.entry && hydrate(project.id, found.entry);
  },

  /** Creates a project with its first files, all or nothing (a handful of small files: one transaction). */
  async createProject(project: Project, files: ProjectFile[]): Promise<void> {
    const buckets = fullLayout(await Promise.all(files.map(dehydrate)), 0);
    const packs = buckets.map((b) => (b.length ? newId() : ''));
    const fileSet: FileSetRef = { packs, bytes: buckets.reduce((n, b) => n + sumBytes(b), 0) };
    await projectRepository.create(
      { ...project, fileSet },
      buckets.flatMap((b, i) => (b.length ? [packPut(project.id, packs[i] as string, 0, b)] : [])),
    );
  },

  /**
   * Writes file changes together with the project item (its `modified` time), conditional on the
   * project version read by the caller, all at once whatever their size: nothing of a refused or
   * interrupted write is ever read. Everything is validated before this is called.
   */
  async apply(project: Project, expectedVersion: number, changes: FileChanges, options: { previousName?: string } = {}): Promise<void> {
    const ref = project.fileSet;
    const count = ref?.packs.length ?? 0;
    const puts = await Promise.all(changes.put.map(dehydrate));
    const changed = new Set([...changes.remove, ...puts.map((e) => e.name)]);
    const putsByBucket = new Map<number, FileEntry[]>();
    for (const e of puts) {
      const bucket = bucketOf(e.name, count);
      const list = putsByBucket.get(bucket);
      if (list) list.push(e);
      else putsByBucket.set(bucket, [e]);
    }
    const merge = (current: FileEntry[], bucket?: number) => [
      ...current.filter((e) => !changed.has(e.name)),
      ...(bucket === undefined ? puts : (putsByBucket.get(bucket) ?? [])),
    ];
    const legacyKeys: Key[] = [];
    const loadAll = async (): Promise<FileEntry[]> => {
      if (!ref) {
        const entries = await legacyEntries(project.id);
        legacyKeys.push(...entries.map((e) => keys.file(project.id, e.name)));
        return entries;
      }
      const packs = await readPacks(project.id, ref, ref.packs);
      // A pack named by the version the caller read is gone only once a newer version committed.
      if (!packs) throw changedConcurrently();
      return [...packs.values()].flat();
    };

    // Rewrite only the buckets the changes fall in, unless the set outgrew (or shrank below) its bucket count.
    let rewrite: Map<number, FileEntry[]> | undefined;
    let bytes = 0;
    if (ref) {
      const touched = [...new Set([...changed].map((name) => bucketOf(name, count)))];
      const packs = await readPacks(
        project.id,
        ref,
        touched.map((b) => ref.packs[b] ?? ''),
      );
      if (!packs) throw changedConcurrently();
      rewrite = new Map();
      bytes = ref.bytes;
      for (const b of touched) {
        const current = packs.get(ref.packs[b] ?? '') ?? [];
        const next = merge(current, b);
        bytes += sumBytes(next) - sumBytes(current);
        rewrite.set(b, next);
      }
      const fits = bucketCount(bytes, count) === count && [...rewrite.values()].every((b) => sumBytes(b) <= MAX_PACK_BYTES);
      if (!fits) rewrite = undefined;
    }
    const packs = ref && rewrite ? [...ref.packs] : [];
    const supersedes: string[] = [];
    if (!rewrite) {
      const buckets = fullLayout(merge(await loadAll()), count);
      rewrite = new Map(buckets.map((b, i) => [i, b]));
      supersedes.push(...(ref?.packs.filter(Boolean) ?? []));
      bytes = buckets.reduce((n, b) => n + sumBytes(b), 0);
    } else {
      for (const b of rewrite.keys()) if (packs[b]) supersedes.push(packs[b] as string);
    }
    const newPacks: { id: string; files: FileEntry[] }[] = [];
    for (const [b, files] of rewrite) {
      const id = files.length ? newId() : '';
      packs[b] = id;
      if (id) newPacks.push({ id, files });
    }
    const fileSet: FileSetRef = { packs, bytes };
    const next = { ...project, fileSet };
    const guard = {
      Put: {
        TableName: tableName(),
        Item: projectItem(next, expectedVersion + 1),
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':v': expectedVersion },
      },
    };
    // A rename travels in the transaction with the version check, so a refused file write cannot leave the project renamed.
    const head = [guard, ...renameOps(next, options.previousName)];
    const packPuts = newPacks.map((p) => packPut(project.id, p.id, expectedVersion, p.files));
    const deletes = [...supersedes.map((id) => keys.filePack(project.id, id)), ...legacyKeys].map((Key) => ({ Delete: { TableName: tableName(), Key } }));
    const putBytes = newPacks.reduce((n, p) => n + sumBytes(p.files), 0);

    if (head.length + packPuts.length + deletes.length <= MAX_ITEMS_PER_TRANSACTION && putBytes <= MAX_BYTES_PER_TRANSACTION) {
      await writeProjectTransaction([...head, ...packPuts, ...deletes], next, options.previousName);
      await sweep(project.id, fileSet, expectedVersion + 1);
      return;
    }

    const stage: StageItem = {
      projectId: project.id,
      stageId: newId(),
      baseVersion: expectedVersion,
      packs: newPacks.map((p) => p.id),
      supersedes,
      legacy: !ref,
      created: isoNow(),
    };
    const stageKey = keys.fileStage(project.id, stage.stageId);
    await documentClient().send(new PutCommand({ TableName: tableName(), Item: toItem('FileStage', stageKey, stage) }));
    try {
      await batchWrite(packPuts.map((p) => ({ PutRequest: { Item: p.Put.Item } })));
      await writeProjectTransaction(head, next, options.previousName);
    } catch (err) {
      // Refused (or failed): what was put is garbage. Left behind, the stage lets a later write clean it.
      try {
        await batchWrite(stage.packs.map((id) => ({ DeleteRequest: { Key: keys.filePack(project.id, id) } })));
        await documentClient().send(new DeleteCommand({ TableName: tableName(), Key: stageKey }));
      } catch (cleanup) {
        logger.warn('refused file write not cleaned up (the next write retries)', { projectId: project.id, error: (cleanup as Error).message });
      }
      throw err;
    }
    await sweep(project.id, fileSet, expectedVersion + 1);
  },
};
