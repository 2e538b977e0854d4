import { DeleteCommand, GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Backtest, BacktestPhase } from '../../domain/backtests/types';
import type { Compile } from '../../domain/compile/types';
import { documentClient, tableName } from '../table/clients';
import { unlessConditionFails } from '../table/dynamo-errors';
import { fromItem, toItem } from '../table/item';
import { keys } from '../table/keys';
import { queryAll } from '../table/query';

/**
 * Backtests and compiles live in their project's partition, so listing a project's backtests is
 * one query and deleting a project removes them with it. Status changes are conditional on the
 * phase they leave, so the API, the dispatcher, the runner and the reconciler can race safely.
 */
const db = () => documentClient();

export const backtestRepository = {
  async put(backtest: Backtest): Promise<void> {
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: toItem('Backtest', keys.backtest(backtest.projectId, backtest.backtestId), backtest),
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  },

  async get(projectId: number, backtestId: string): Promise<Backtest | undefined> {
    const out = await db().send(new GetCommand({ TableName: tableName(), Key: keys.backtest(projectId, backtestId), ConsistentRead: true }));
    return out.Item ? fromItem<Backtest>(out.Item) : undefined;
  },

  async listByProject(projectId: number): Promise<Backtest[]> {
    const items = await queryAll(keys.projectPartition(projectId), keys.prefixes.backtest);
    return items.map((i) => fromItem<Backtest>(i)).sort((a, b) => a.created.localeCompare(b.created) || a.backtestId.localeCompare(b.backtestId));
  },

  /**
   * Every backtest in one of `phases`, in every organisation: a full table scan, meant for local
   * mode's start-up (backtests a previous server left running), where the table is small. A
   * deployment never calls it; the reconciler learns of dead tasks from ECS events instead.
   */
  async *scanInPhases(phases: readonly BacktestPhase[]): AsyncGenerator<Backtest> {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await db().send(
        new ScanCommand({
          TableName: tableName(),
          FilterExpression: `#type = :type AND #phase IN (${phases.map((_, i) => `:p${i}`).join(', ')})`,
          ExpressionAttributeNames: { '#type': 'type', '#phase': 'phase' },
          ExpressionAttributeValues: { ':type': 'Backtest', ...Object.fromEntries(phases.map((p, i) => [`:p${i}`, p])) },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) yield fromItem<Backtest>(item);
      start = page.LastEvaluatedKey;
    } while (start);
  },

  /**
   * Sets fields (undefined values remove the attribute) when the backtest is in one of `from`
   * (any phase when omitted). Returns the new backtest, or undefined when it is missing or the
   * phase did not match, which callers treat as "someone else moved it on".
   */
  async update(projectId: number, backtestId: string, changes: Partial<Backtest>, from?: readonly BacktestPhase[]): Promise<Backtest | undefined> {
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
    let condition = 'attribute_exists(PK)';
    if (from?.length) {
      names['#phase'] = 'phase';
      condition += ` AND #phase IN (${from.map((_, i) => `:p${i}`).join(', ')})`;
      from.forEach((p, i) => {
        values[`:p${i}`] = p;
      });
    }
    const expression = [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : ''].filter(Boolean).join(' ');
    const out = await unlessConditionFails(() =>
      db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.backtest(projectId, backtestId),
          UpdateExpression: expression,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return out?.Attributes ? fromItem<Backtest>(out.Attributes) : undefined;
  },

  async delete(projectId: number, backtestId: string): Promise<void> {
    await db().send(new DeleteCommand({ TableName: tableName(), Key: keys.backtest(projectId, backtestId) }));
  },
};

export const compileRepository = {
  async put(compile: Compile): Promise<void> {
    await db().send(new PutCommand({ TableName: tableName(), Item: toItem('Compile', keys.compile(compile.projectId, compile.compileId), compile) }));
  },

  async get(projectId: number, compileId: string): Promise<Compile | undefined> {
    const out = await db().send(new GetCommand({ TableName: tableName(), Key: keys.compile(projectId, compileId), ConsistentRead: true }));
    return out.Item ? fromItem<Compile>(out.Item) : undefined;
  },

  /** Records the build task once; false when another delivery already launched it. */
  async setTaskRef(projectId: number, compileId: string, taskRef: string): Promise<boolean> {
    const done = await unlessConditionFails(() =>
      db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.compile(projectId, compileId),
          UpdateExpression: 'SET taskRef = :ref',
          ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(taskRef) OR taskRef = :ref)',
          ExpressionAttributeValues: { ':ref': taskRef },
        }),
      ),
    );
    return done !== undefined;
  },

  /** Records a build outcome once: only an `InQueue` compile moves on. */
  async finish(projectId: number, compileId: string, state: 'BuildSuccess' | 'BuildError', logs: string[]): Promise<boolean> {
    const done = await unlessConditionFails(() =>
      db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.compile(projectId, compileId),
          UpdateExpression: 'SET #state = :state, logs = :logs',
          ConditionExpression: '#state = :queued',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':state': state, ':logs': logs, ':queued': 'InQueue' },
        }),
      ),
    );
    return done !== undefined;
  },
};
