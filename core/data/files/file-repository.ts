import { createHash } from 'node:crypto';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { ProjectFile } from '../../domain/files/types';
import type { Project } from '../../domain/projects/types';
import { config } from '../../shared/config';
import { blobStore } from '../blobs/blob-store';
import { projectBlobPrefix, projectItem, projectRepository, renameOps, writeProjectTransaction } from '../projects/project-repository';
import { documentClient, tableName } from '../table/clients';
import { fromItem, toItem } from '../table/item';
import { keys } from '../table/keys';
import { queryAll } from '../table/query';

/**
 * Project files live in the project's partition. Content above the inline threshold is stored in
 * S3 under a content hash and the item keeps only the reference, so no item nears 400 KB.
 */
interface FileItem {
  projectId: number;
  name: string;
  created: string;
  modified: string;
  size: number;
  content?: string;
  contentKey?: string;
}

export interface FileChanges {
  put: ProjectFile[];
  remove: string[];
}

/** A file's name is in its sort key (`FILE#<name>`), which DynamoDB caps at 1024 bytes. */
export const MAX_FILE_NAME_BYTES = 1000;

// DynamoDB transactions take at most 100 items and 4 MB; stay clear of both.
const MAX_ITEMS_PER_TRANSACTION = 99;
const MAX_BYTES_PER_TRANSACTION = 3_000_000;

async function hydrate(item: FileItem): Promise<ProjectFile> {
  const content = item.contentKey ? await blobStore.getText(item.contentKey) : (item.content ?? '');
  return { projectId: item.projectId, name: item.name, content, created: item.created, modified: item.modified };
}

async function dehydrate(file: ProjectFile): Promise<FileItem> {
  const size = Buffer.byteLength(file.content, 'utf8');
  const base = { projectId: file.projectId, name: file.name, created: file.created, modified: file.modified, size };
  if (size <= config().LCS_FILE_INLINE_MAX_BYTES) return { ...base, content: file.content };
  const digest = createHash('sha256').update(file.content).digest('hex');
  const contentKey = `${projectBlobPrefix(file.projectId)}files/${digest}`;
  await blobStore.put(contentKey, file.content, 'text/plain; charset=utf-8');
  return { ...base, contentKey };
}

export const fileRepository = {
  async list(projectId: number): Promise<ProjectFile[]> {
    const items = await queryAll(keys.projectPartition(projectId), keys.prefixes.file);
    return Promise.all(items.map((i) => hydrate(fromItem<FileItem>(i))));
  },

  async get(projectId: number, name: string): Promise<ProjectFile | undefined> {
    // No file can have a longer name, and DynamoDB would refuse the key.
    if (Buffer.byteLength(name, 'utf8') > MAX_FILE_NAME_BYTES) return undefined;
    const out = await documentClient().send(new GetCommand({ TableName: tableName(), Key: keys.file(projectId, name) }));
    return out.Item ? hydrate(fromItem<FileItem>(out.Item)) : undefined;
  },

  /** Creates a project with its first files, all or nothing (a handful of small files: one transaction). */
  async createProject(project: Project, files: ProjectFile[]): Promise<void> {
    const items = await Promise.all(files.map(dehydrate));
    await projectRepository.create(
      project,
      items.map((item) => ({ Put: { TableName: tableName(), Item: toItem('ProjectFile', keys.file(item.projectId, item.name), item) } })),
    );
  },

  /**
   * Writes file changes together with the project item (its `modified` time), conditional on the
   * project version read by the caller. Everything is validated before this is called; large
   * change sets are split into several transactions, the first of which carries the version check.
   */
  async apply(project: Project, expectedVersion: number, changes: FileChanges, options: { previousName?: string } = {}): Promise<void> {
    const items = await Promise.all(changes.put.map(dehydrate));
    type Op = Record<string, unknown>;
    const ops: { op: Op; bytes: number }[] = [
      ...items.map((item) => ({
        op: { Put: { TableName: tableName(), Item: toItem('ProjectFile', keys.file(item.projectId, item.name), item) } },
        // UTF-8 bytes, not characters: the 4 MB transaction limit counts bytes.
        bytes: (item.content !== undefined ? item.size : 0) + Buffer.byteLength(item.name, 'utf8') + 512,
      })),
      ...changes.remove.map((name) => ({ op: { Delete: { TableName: tableName(), Key: keys.file(project.id, name) } }, bytes: 256 })),
    ];
    const guard = {
      Put: {
        TableName: tableName(),
        Item: projectItem(project, expectedVersion + 1),
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':v': expectedVersion },
      },
    };
    // A rename travels in the first transaction with the version check, so a refused file write
    // cannot leave the project renamed.
    const batches: Op[][] = [[guard, ...renameOps(project, options.previousName)]];
    let bytes = 0;
    for (const { op, bytes: size } of ops) {
      let current = batches[batches.length - 1] as Op[];
      if (current.length >= MAX_ITEMS_PER_TRANSACTION || bytes + size > MAX_BYTES_PER_TRANSACTION) {
        current = [];
        batches.push(current);
        bytes = 0;
      }
      current.push(op);
      bytes += size;
    }
    const [first, ...rest] = batches;
    await writeProjectTransaction(first as Op[], project, options.previousName);
    for (const batch of rest) await documentClient().send(new TransactWriteCommand({ TransactItems: batch as never }));
  },
};
