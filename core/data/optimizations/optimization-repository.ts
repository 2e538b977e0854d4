import { BatchWriteCommand, GetCommand, PutCommand, ScanCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BestPoint, Optimization, OptimizationPoint, Round } from '../../domain/optimizations/types';
import { documentClient, tableName } from '../table/clients';
import { unlessConditionFails } from '../table/dynamo-errors';
import { fromItem, toItem } from '../table/item';
import { keys } from '../table/keys';
import { queryAll, queryIndexAll } from '../table/query';

/**
 * Optimizations and their points share one partition (`OPT#<id>`): reading an optimization with
 * its points is one query, deleting it removes them together. Every change that several workers
 * may race on (starting a point, recording one, ending a round, aborting) is one conditional
 * write, so whoever's condition fails simply does nothing.
 */
const db = () => documentClient();
const LIVE_STATUSES = { ':new': 'new', ':running': 'running' };

/**
 * A point's bulky fields (statistics array, equity candles, parameter set) are kept as one JSON
 * string: as nested DynamoDB lists, every number is a typed attribute to marshal and unmarshal,
 * and reading a 500-point optimization cost about a second of that. Items written before hold
 * the fields as lists and read as they are.
 */
const BULKY = ['statistics', 'equity', 'parameterSet'] as const;

function pointItem(point: OptimizationPoint): Record<string, unknown> {
  const bulky: Record<string, unknown> = {};
  const rest: Record<string, unknown> = { ...point };
  for (const field of BULKY) {
    if (point[field] !== undefined) bulky[field] = point[field];
    delete rest[field];
  }
  return toItem('OptimizationPoint', keys.optimizationPoint(point.optimizationId, point.backtestId), { ...rest, bulkyJson: JSON.stringify(bulky) });
}

function pointFromItem(item: Record<string, unknown>): OptimizationPoint {
  const { bulkyJson, ...rest } = fromItem<OptimizationPoint & { bulkyJson?: string }>(item);
  return typeof bulkyJson === 'string' ? { ...rest, ...(JSON.parse(bulkyJson) as Partial<OptimizationPoint>) } : rest;
}

export const optimizationRepository = {
  async create(optimization: Optimization): Promise<void> {
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: toItem('Optimization', keys.optimization(optimization.optimizationId), optimization, {
          GSI1PK: keys.projectOptimizationsIndex(optimization.projectId),
          GSI1SK: `${optimization.created}#${optimization.optimizationId}`,
        }),
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  },

  async get(optimizationId: string): Promise<Optimization | undefined> {
    const out = await db().send(new GetCommand({ TableName: tableName(), Key: keys.optimization(optimizationId), ConsistentRead: true }));
    return out.Item ? fromItem<Optimization>(out.Item) : undefined;
  },

  /** The optimization and its points in one query. */
  async getWithPoints(optimizationId: string): Promise<{ optimization?: Optimization; points: OptimizationPoint[] }> {
    const items = await queryAll(keys.optimizationPartition(optimizationId));
    const head = items.find((i) => i.SK === 'OPT');
    const points = items.filter((i) => i.SK !== 'OPT').map(pointFromItem);
    return { ...(head ? { optimization: fromItem<Optimization>(head) } : {}), points };
  },

  /**
   * Optimizations still new or running, in every organisation: a full table scan for local mode's
   * start-up (where the table is small), like backtestRepository.scanInPhases. A deployment never calls it.
   */
  async *scanLive(): AsyncGenerator<Optimization> {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await db().send(
        new ScanCommand({
          TableName: tableName(),
          FilterExpression: '#type = :type AND #status IN (:new, :running)',
          ExpressionAttributeNames: { '#type': 'type', '#status': 'status' },
          ExpressionAttributeValues: { ':type': 'Optimization', ...LIVE_STATUSES },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) yield fromItem<Optimization>(item);
      start = page.LastEvaluatedKey;
    } while (start);
  },

  async listByProject(projectId: number): Promise<Optimization[]> {
    return (await queryIndexAll(keys.projectOptimizationsIndex(projectId))).map((i) => fromItem<Optimization>(i));
  },

  /**
   * Takes the next point of the current round, when one is left and fewer than `parallelNodes`
   * points run: one atomic update, so concurrent finishers never start more. Returns the round
   * and the index taken.
   */
  async claimPoint(optimizationId: string): Promise<{ round: Round; index: number } | undefined> {
    const out = await unlessConditionFails(() =>
      db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.optimization(optimizationId),
          UpdateExpression: 'SET #round.#next = #round.#next + :one, running = running + :one, #status = :running',
          ConditionExpression:
            '#status IN (:new, :running) AND running < parallelNodes AND #round.#next < #round.#size AND attribute_not_exists(targetReached)',
          ExpressionAttributeNames: { '#round': 'round', '#next': 'next', '#size': 'size', '#status': 'status' },
          ExpressionAttributeValues: { ':one': 1, ...LIVE_STATUSES },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    if (!out?.Attributes) return undefined;
    const round = (out.Attributes as unknown as Optimization).round;
    return { round, index: round.next - 1 };
  },

  async putPoint(point: OptimizationPoint): Promise<void> {
    await db().send(new PutCommand({ TableName: tableName(), Item: pointItem(point) }));
  },

  async getPoint(optimizationId: string, backtestId: string): Promise<OptimizationPoint | undefined> {
    const out = await db().send(new GetCommand({ TableName: tableName(), Key: keys.optimizationPoint(optimizationId, backtestId), ConsistentRead: true }));
    return out.Item ? pointFromItem(out.Item) : undefined;
  },

  /**
   * Records a point's end and the optimization's totals together (one transaction): the point
   * leaves `running` only once, so a repeated delivery changes nothing. False when it had already
   * ended (or was removed by an abort).
   */
  async recordPoint(point: OptimizationPoint, seconds: number): Promise<boolean> {
    const counter = point.phase === 'completed' ? 'completed' : 'failed';
    const done = await unlessConditionFails(() =>
      db().send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName(),
                Item: pointItem(point),
                ConditionExpression: '#phase = :running',
                ExpressionAttributeNames: { '#phase': 'phase' },
                ExpressionAttributeValues: { ':running': 'running' },
              },
            },
            {
              Update: {
                TableName: tableName(),
                Key: keys.optimization(point.optimizationId),
                UpdateExpression: `SET running = running - :one, ${counter} = ${counter} + :one, runtimeSeconds = runtimeSeconds + :seconds`,
                ConditionExpression: 'attribute_exists(PK)',
                ExpressionAttributeValues: { ':one': 1, ':seconds': seconds },
              },
            },
          ],
        }),
      ),
    );
    return done !== undefined;
  },

  /** Removes a point that had not ended (an abort), giving its running slot back. */
  async dropRunningPoint(optimizationId: string, backtestId: string): Promise<boolean> {
    const done = await unlessConditionFails(() =>
      db().send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: tableName(),
                Key: keys.optimizationPoint(optimizationId, backtestId),
                ConditionExpression: '#phase = :running',
                ExpressionAttributeNames: { '#phase': 'phase' },
                ExpressionAttributeValues: { ':running': 'running' },
              },
            },
            {
              Update: {
                TableName: tableName(),
                Key: keys.optimization(optimizationId),
                UpdateExpression: 'SET running = running - :one, #total = #total - :one',
                ConditionExpression: 'attribute_exists(PK)',
                ExpressionAttributeNames: { '#total': 'total' },
                ExpressionAttributeValues: { ':one': 1 },
              },
            },
          ],
        }),
      ),
    );
    return done !== undefined;
  },

  /** Keeps `best` when it beats the stored one (or there is none); one conditional write. */
  async offerBest(optimizationId: string, best: BestPoint, extremum: 'min' | 'max', reached: boolean): Promise<boolean> {
    const done = await unlessConditionFails(() =>
      db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.optimization(optimizationId),
          UpdateExpression: reached ? 'SET best = :best, targetReached = :true' : 'SET best = :best',
          ConditionExpression: `attribute_exists(PK) AND (attribute_not_exists(best) OR best.#value ${extremum === 'max' ? '<' : '>'} :value)`,
          ExpressionAttributeNames: { '#value': 'value' },
          ExpressionAttributeValues: { ':best': best, ':value': best.value, ...(reached ? { ':true': true } : {}) },
        }),
      ),
    );
    return done !== undefined;
  },

  /**
   * Ends an optimization whose last point has finished (round exhausted or target reached), once:
   * the condition holds for exactly one of the racing finishers.
   */
  async complete(optimizationId: string, roundNumber: number, finished: string): Promise<boolean> {
    const done = await unlessConditionFails(() =>
      db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.optimization(optimizationId),
          UpdateExpression: 'SET #status = :completed, finished = :finished',
          ConditionExpression:
            '#status IN (:new, :running) AND running = :zero AND #round.#number = :round AND (#round.#next = #round.#size OR targetReached = :true)',
          ExpressionAttributeNames: { '#status': 'status', '#round': 'round', '#number': 'number', '#next': 'next', '#size': 'size' },
          ExpressionAttributeValues: { ':completed': 'completed', ':finished': finished, ':zero': 0, ':round': roundNumber, ':true': true, ...LIVE_STATUSES },
        }),
      ),
    );
    return done !== undefined;
  },

  /** Marks an ended optimization's read answer as kept (after it was stored). */
  async markFinalView(optimizationId: string): Promise<void> {
    await unlessConditionFails(() =>
      db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.optimization(optimizationId),
          UpdateExpression: 'SET finalView = :true',
          ConditionExpression: '#status IN (:completed, :aborted)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':true': true, ':completed': 'completed', ':aborted': 'aborted' },
        }),
      ),
    );
  },

  /** Moves an exhausted round (nothing running) to the next one, once. */
  async startRound(optimizationId: string, previous: number, round: Round): Promise<boolean> {
    const done = await unlessConditionFails(() =>
      db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.optimization(optimizationId),
          UpdateExpression: 'SET #round = :round, #total = #total + :size',
          ConditionExpression:
            '#status IN (:new, :running) AND running = :zero AND #round.#number = :previous AND #round.#next = #round.#size AND attribute_not_exists(targetReached)',
          ExpressionAttributeNames: { '#status': 'status', '#round': 'round', '#number': 'number', '#next': 'next', '#size': 'size', '#total': 'total' },
          ExpressionAttributeValues: { ':round': round, ':size': round.size, ':zero': 0, ':previous': previous, ...LIVE_STATUSES },
        }),
      ),
    );
    return done !== undefined;
  },

  /** new/running → aborted; undefined when it had already ended. */
  async abort(optimizationId: string, finished: string): Promise<Optimization | undefined> {
    const out = await unlessConditionFails(() =>
      db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.optimization(optimizationId),
          UpdateExpression: 'SET #status = :aborted, finished = :finished',
          ConditionExpression: '#status IN (:new, :running)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':aborted': 'aborted', ':finished': finished, ...LIVE_STATUSES },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return out?.Attributes ? fromItem<Optimization>(out.Attributes) : undefined;
  },

  async rename(optimizationId: string, name: string): Promise<boolean> {
    const done = await unlessConditionFails(() =>
      db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.optimization(optimizationId),
          UpdateExpression: 'SET #name = :name',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: { '#name': 'name' },
          ExpressionAttributeValues: { ':name': name },
        }),
      ),
    );
    return done !== undefined;
  },

  /** The optimization and all its points. */
  async delete(optimizationId: string): Promise<void> {
    const items = await queryAll(keys.optimizationPartition(optimizationId));
    for (let i = 0; i < items.length; i += 25) {
      const deletes = items.slice(i, i + 25).map((item) => ({ DeleteRequest: { Key: { PK: item.PK, SK: item.SK } } }));
      await db().send(new BatchWriteCommand({ RequestItems: { [tableName()]: deletes } }));
    }
  },
};
