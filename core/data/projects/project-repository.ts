import { BatchWriteCommand, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Project } from '../../domain/projects/types';
import { ConflictError, NotFoundError } from '../../shared/errors';
import { blobStore } from '../blobs/blob-store';
import { documentClient, tableName } from '../table/clients';
import { conditional, isConditionFailure } from '../table/dynamo-errors';
import { fromItem, toItem } from '../table/item';
import { keys } from '../table/keys';
import { queryAll, queryIndexAll } from '../table/query';

/**
 * Projects. Each project item carries a `version` for optimistic concurrency: every write names
 * the version it read, so two concurrent pushes cannot silently overwrite each other.
 */
export interface StoredProject {
  project: Project;
  version: number;
}

const db = () => documentClient();

export function projectItem(project: Project, version: number) {
  return toItem('Project', keys.project(project.id), project, {
    GSI1PK: keys.orgProjectsIndex(project.orgId),
    GSI1SK: keys.projectSort(project.id),
    version,
  });
}

function toStored(item: Record<string, unknown>): StoredProject {
  const { version, ...rest } = fromItem<Project & { version: number }>(item);
  return { project: rest, version: Number(version ?? 0) };
}

const nameTaken = (name: string) => new ConflictError(`A project named '${name}' already exists in this organization`);
const changedConcurrently = () => new ConflictError('The project was changed by another request; please retry');

type TransactionItem = Record<string, unknown>;

/**
 * The name-claim moves of a rename: free the old name, claim the new one if nobody holds it.
 * Claims are keyed by the lower-cased name, so a change of case alone moves nothing.
 */
export function renameOps(project: Project, previousName?: string): TransactionItem[] {
  if (previousName === undefined || previousName.toLowerCase() === project.name.toLowerCase()) return [];
  return [
    { Delete: { TableName: tableName(), Key: keys.projectName(project.orgId, previousName) } },
    {
      Put: {
        TableName: tableName(),
        Item: toItem('ProjectName', keys.projectName(project.orgId, project.name), { projectId: project.id }),
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
  ];
}

/** Writes one transaction about a project; a refused name claim is "name taken", any other refusal a concurrent change. */
export async function writeProjectTransaction(items: TransactionItem[], project: Project): Promise<void> {
  try {
    await db().send(new TransactWriteCommand({ TransactItems: items as never }));
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
    const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
    const claim = items.findIndex((i) => (i.Put as { Item?: { type?: string } } | undefined)?.Item?.type === 'ProjectName');
    throw claim >= 0 && reasons[claim]?.Code === 'ConditionalCheckFailed' ? nameTaken(project.name) : changedConcurrently();
  }
}

export const projectRepository = {
  async create(project: Project): Promise<void> {
    await conditional(
      () =>
        db().send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: tableName(), Item: projectItem(project, 1), ConditionExpression: 'attribute_not_exists(PK)' } },
              {
                Put: {
                  TableName: tableName(),
                  Item: toItem('ProjectName', keys.projectName(project.orgId, project.name), { projectId: project.id }),
                  ConditionExpression: 'attribute_not_exists(PK)',
                },
              },
            ],
          }),
        ),
      () => nameTaken(project.name),
    );
  },

  async get(projectId: number): Promise<StoredProject | undefined> {
    const out = await db().send(new GetCommand({ TableName: tableName(), Key: keys.project(projectId) }));
    return out.Item ? toStored(out.Item) : undefined;
  },

  async listByOrg(orgId: string): Promise<StoredProject[]> {
    return (await queryIndexAll(keys.orgProjectsIndex(orgId))).map(toStored);
  },

  /** Replaces the project item if nobody changed it since `expectedVersion`; renames move the name claim. */
  async save(project: Project, expectedVersion: number, previousName?: string): Promise<number> {
    const next = expectedVersion + 1;
    const put = {
      Put: {
        TableName: tableName(),
        Item: projectItem(project, next),
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':v': expectedVersion },
      },
    };
    const moves = renameOps(project, previousName);
    if (moves.length === 0) {
      await conditional(() => db().send(new PutCommand(put.Put)), changedConcurrently);
      return next;
    }
    await writeProjectTransaction([put, ...moves], project);
    return next;
  },

  /** Removes the project, every item in its partition, its name claim and its stored objects. */
  async delete(project: Project, expectedVersion: number): Promise<void> {
    await conditional(
      () =>
        db().send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Delete: {
                  TableName: tableName(),
                  Key: keys.project(project.id),
                  ConditionExpression: 'version = :v',
                  ExpressionAttributeValues: { ':v': expectedVersion },
                },
              },
              { Delete: { TableName: tableName(), Key: keys.projectName(project.orgId, project.name) } },
            ],
          }),
        ),
      () => new NotFoundError('Project'),
    );
    const rest = await queryAll(keys.projectPartition(project.id));
    for (let i = 0; i < rest.length; i += 25) {
      let request: Record<string, unknown[]> | undefined = {
        [tableName()]: rest.slice(i, i + 25).map((item) => ({ DeleteRequest: { Key: { PK: item.PK, SK: item.SK } } })),
      };
      while (request && Object.keys(request).length) {
        const out = await db().send(new BatchWriteCommand({ RequestItems: request as never }));
        request = out.UnprocessedItems as typeof request;
      }
    }
    await blobStore.deletePrefix(projectBlobPrefix(project.id));
  },
};

export function projectBlobPrefix(projectId: number): string {
  return `projects/${projectId}/`;
}
