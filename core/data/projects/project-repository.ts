import { BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Project } from '../../domain/projects/types';
import { ConflictError, NotFoundError } from '../../shared/errors';
import { blobStore } from '../blobs/blob-store';
import { documentClient, tableName } from '../table/clients';
import { conditional, isConditionFailure, unlessConditionFails } from '../table/dynamo-errors';
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
export const changedConcurrently = () => new ConflictError('The project was changed by another request; please retry');

type TransactionItem = Record<string, unknown>;

/**
 * Name claims. QuantConnect lets several projects of an organization share a name (its own client
 * tests create one name twice), but refuses a rename onto a name in use. So the claim item, keyed
 * by the lower-cased name, counts its `holders`: a create adds one unconditionally, a delete or a
 * rename away takes one off, and a rename onto the name succeeds only while nobody holds it.
 * A claim written before the count existed has no `holders`: it reads as held (refuses a rename)
 * until a delete takes it below one.
 */
function claimOp(project: Project, exclusive: boolean): TransactionItem {
  return {
    Update: {
      TableName: tableName(),
      Key: keys.projectName(project.orgId, project.name),
      UpdateExpression: 'SET #type = :type, projectId = if_not_exists(projectId, :id) ADD holders :one',
      ...(exclusive ? { ConditionExpression: 'attribute_not_exists(PK) OR holders < :one' } : {}),
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: { ':type': 'ProjectName', ':id': project.id, ':one': 1 },
    },
  };
}

function releaseOp(orgId: string, name: string): TransactionItem {
  return {
    Update: {
      TableName: tableName(),
      Key: keys.projectName(orgId, name),
      UpdateExpression: 'ADD holders :minus',
      ExpressionAttributeValues: { ':minus': -1 },
    },
  };
}

/** Removes a claim nobody holds any more; a create racing it keeps its claim (the condition fails). */
async function dropUnheldClaim(orgId: string, name: string): Promise<void> {
  await unlessConditionFails(() =>
    db().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: keys.projectName(orgId, name),
        ConditionExpression: 'holders < :one',
        ExpressionAttributeValues: { ':one': 1 },
      }),
    ),
  );
}

const isClaim = (item: TransactionItem) => (item.Update as { UpdateExpression?: string } | undefined)?.UpdateExpression?.includes('holders :one') === true;

/**
 * The name-claim moves of a rename: release the old name, claim the new one if nobody holds it.
 * A change of case alone moves nothing.
 */
export function renameOps(project: Project, previousName?: string): TransactionItem[] {
  if (previousName === undefined || previousName.toLowerCase() === project.name.toLowerCase()) return [];
  return [releaseOp(project.orgId, previousName), claimOp(project, true)];
}

/** Writes one transaction about a project; a refused name claim is "name taken", any other refusal a concurrent change. */
export async function writeProjectTransaction(items: TransactionItem[], project: Project, previousName?: string): Promise<void> {
  try {
    await db().send(new TransactWriteCommand({ TransactItems: items as never }));
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
    const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
    const claim = items.findIndex(isClaim);
    throw claim >= 0 && reasons[claim]?.Code === 'ConditionalCheckFailed' ? nameTaken(project.name) : changedConcurrently();
  }
  if (previousName !== undefined && items.some(isClaim)) await dropUnheldClaim(project.orgId, previousName);
}

export const projectRepository = {
  /** Creates the project and claims its name; `with` are further items written in the same transaction (its starter files). */
  async create(project: Project, withItems: TransactionItem[] = []): Promise<void> {
    await conditional(
      () =>
        db().send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: tableName(), Item: projectItem(project, 1), ConditionExpression: 'attribute_not_exists(PK)' } },
              claimOp(project, false),
              ...withItems,
            ] as never,
          }),
        ),
      () => new ConflictError(`Project ${project.id} already exists`),
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
    await writeProjectTransaction([put, ...moves], project, previousName);
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
              releaseOp(project.orgId, project.name),
            ] as never,
          }),
        ),
      () => new NotFoundError('Project'),
    );
    await dropUnheldClaim(project.orgId, project.name);
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
