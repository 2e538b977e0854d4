import { GetCommand, PutCommand, ScanCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { LiveCommand, LiveDeployment, LiveStatus } from '../../domain/live/types';
import { documentClient, tableName } from '../table/clients';
import { isConditionFailure, unlessConditionFails } from '../table/dynamo-errors';
import { fromItem, toItem } from '../table/item';
import { keys } from '../table/keys';
import { queryAll, queryIndexAll } from '../table/query';

/**
 * Live deployments live in their project's partition (deleting a project removes them), indexed by
 * organisation (GSI1) for `live/list` and broadcasts. The project's live slot item makes "one
 * running deployment per project" a conditional write: a deployment is created only together with
 * taking a free slot, and the slot is freed when the deployment reaches a final status.
 */
const db = () => documentClient();

/** The project's live slot: its newest deployment, and whether that one still runs. */
interface LiveSlot {
  deployId: string;
  active: boolean;
  /** Log lines of every finished deployment of the project: the next one's offset. */
  logLines: number;
}

function setExpression(changes: Record<string, unknown>) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes: string[] = [];
  Object.entries(changes).forEach(([field, value], i) => {
    names[`#f${i}`] = field;
    if (value === undefined) removes.push(`#f${i}`);
    else {
      values[`:v${i}`] = value;
      sets.push(`#f${i} = :v${i}`);
    }
  });
  const expression = [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : ''].filter(Boolean).join(' ');
  return { names, values, expression };
}

export const deploymentRepository = {
  /** Log lines before a new deployment of the project (the finished ones'). */
  async slotLogLines(projectId: number): Promise<number> {
    const out = await db().send(new GetCommand({ TableName: tableName(), Key: keys.liveSlot(projectId), ConsistentRead: true }));
    return (out.Item as LiveSlot | undefined)?.logLines ?? 0;
  },

  /**
   * Creates the deployment and takes the project's live slot in one transaction; false when
   * another deployment of the project still runs.
   */
  async create(d: LiveDeployment): Promise<boolean> {
    try {
      await db().send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName(),
                Item: toItem('LiveSlot', keys.liveSlot(d.projectId), { deployId: d.deployId, active: true, logLines: d.logOffset } satisfies LiveSlot),
                ConditionExpression: 'attribute_not_exists(PK) OR active = :false',
                ExpressionAttributeValues: { ':false': false },
              },
            },
            {
              Put: {
                TableName: tableName(),
                Item: toItem('LiveDeployment', keys.liveDeployment(d.projectId, d.deployId), d, {
                  GSI1PK: keys.orgLiveIndex(d.orgId),
                  GSI1SK: `${d.launched}#${d.deployId}`,
                }),
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
          ],
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  },

  async get(projectId: number, deployId: string): Promise<LiveDeployment | undefined> {
    const out = await db().send(new GetCommand({ TableName: tableName(), Key: keys.liveDeployment(projectId, deployId), ConsistentRead: true }));
    return out.Item ? fromItem<LiveDeployment>(out.Item) : undefined;
  },

  /** The project's newest deployment (running or not). */
  async latest(projectId: number): Promise<LiveDeployment | undefined> {
    const out = await db().send(new GetCommand({ TableName: tableName(), Key: keys.liveSlot(projectId), ConsistentRead: true }));
    const slot = out.Item as LiveSlot | undefined;
    return slot ? deploymentRepository.get(projectId, slot.deployId) : undefined;
  },

  async listByProject(projectId: number): Promise<LiveDeployment[]> {
    return (await queryAll(keys.projectPartition(projectId), keys.prefixes.live)).map((i) => fromItem<LiveDeployment>(i));
  },

  /** Every deployment of the organisation, oldest first. */
  async listByOrg(orgId: string): Promise<LiveDeployment[]> {
    return (await queryIndexAll(keys.orgLiveIndex(orgId))).map((i) => fromItem<LiveDeployment>(i));
  },

  /**
   * Every deployment still Initializing or Running, in every organisation: a full table scan, for
   * local mode's start-up only (what a previous server left running), where the table is small.
   */
  async *scanActive(): AsyncGenerator<LiveDeployment> {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await db().send(
        new ScanCommand({
          TableName: tableName(),
          FilterExpression: '#type = :type AND #status IN (:i, :r)',
          ExpressionAttributeNames: { '#type': 'type', '#status': 'status' },
          ExpressionAttributeValues: { ':type': 'LiveDeployment', ':i': 'Initializing', ':r': 'Running' },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) yield fromItem<LiveDeployment>(item);
      start = page.LastEvaluatedKey;
    } while (start);
  },

  /**
   * Sets fields (undefined removes) when the status is one of `from` (any when omitted); undefined
   * when missing or the status did not match ("someone else moved it on").
   */
  async update(projectId: number, deployId: string, changes: Partial<LiveDeployment>, from?: readonly LiveStatus[]): Promise<LiveDeployment | undefined> {
    const { names, values, expression } = setExpression(changes);
    let condition = 'attribute_exists(PK)';
    if (from?.length) {
      names['#status'] = 'status';
      condition += ` AND #status IN (${from.map((_, i) => `:s${i}`).join(', ')})`;
      from.forEach((s, i) => {
        values[`:s${i}`] = s;
      });
    }
    const out = await unlessConditionFails(() =>
      db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.liveDeployment(projectId, deployId),
          UpdateExpression: expression,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return out?.Attributes ? fromItem<LiveDeployment>(out.Attributes) : undefined;
  },

  /** Frees the project's slot if this deployment holds it, carrying its log lines into the project's count. */
  async freeSlot(projectId: number, deployId: string, logLines: number): Promise<void> {
    await unlessConditionFails(() =>
      db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.liveSlot(projectId),
          UpdateExpression: 'SET active = :false, logLines = logLines + :lines',
          ConditionExpression: 'deployId = :id AND active = :true',
          ExpressionAttributeValues: { ':false': false, ':true': true, ':id': deployId, ':lines': logLines },
        }),
      ),
    );
  },

  /**
   * The command is the client's arbitrary JSON: stored as text, because DynamoDB refuses some
   * JSON as a map (an empty key, numbers beyond its range) and the runner hands it to LEAN as is.
   */
  async putCommand(projectId: number, command: LiveCommand): Promise<void> {
    const item = { ...command, command: JSON.stringify(command.command) };
    await db().send(
      new PutCommand({ TableName: tableName(), Item: toItem('LiveCommand', keys.liveCommand(projectId, command.deployId, command.commandId), item) }),
    );
  },

  async listCommands(projectId: number, deployId: string): Promise<LiveCommand[]> {
    return (await queryAll(keys.projectPartition(projectId), keys.liveCommandPrefix(deployId))).map((i) => {
      const stored = fromItem<Omit<LiveCommand, 'command'> & { command: string | Record<string, unknown> }>(i);
      return { ...stored, command: typeof stored.command === 'string' ? (JSON.parse(stored.command) as Record<string, unknown>) : stored.command };
    });
  },

  async updateCommand(projectId: number, deployId: string, commandId: string, changes: Partial<LiveCommand>): Promise<void> {
    const { names, values, expression } = setExpression(changes);
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.liveCommand(projectId, deployId, commandId),
        UpdateExpression: expression,
        ExpressionAttributeNames: names,
        ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
      }),
    );
  },
};
