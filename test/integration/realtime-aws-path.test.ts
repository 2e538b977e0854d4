import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { connectionRepository } from '../../core/data/realtime/connection-repository';
import { keys } from '../../core/data/table/keys';
import { connectionEnded, connectionMessage, connectionOpened, publishChange } from '../../core/domain/realtime/socket-connections';
import type { ConnectionSender } from '../../core/ports/connection-sender';
import { authenticate } from '../../lambdas/auth/authenticate';
import { socketCredentialSource } from '../../lambdas/auth/socket-credentials';
import { apiUrl } from '../support/api';
import { algorithm, type BacktestBody, pollBacktest, pythonProject } from '../support/backtests';
import { socketUrl } from '../support/realtime';
import { createTenant, type Tenant } from '../support/tenants';

/**
 * The AWS side of the real-time protocol (core/domain/realtime/socket-connections.ts), run against
 * the same DynamoDB Local as the server: a connection authorised from the socket's query
 * parameters, subscriptions kept in the table, and a stream record of a backtest the real runner
 * wrote (read as DynamoDB's typed image, as the stream delivers it) pushed to its subscribers. The
 * sender is the port's recording implementation: what API Gateway's @connections would be posted.
 */
jest.setTimeout(90_000);

let tenant: Tenant;
let other: Tenant;

beforeAll(async () => {
  [tenant, other] = await Promise.all([createTenant('realtime aws'), createTenant('realtime aws other')]);
});

class RecordingSender implements ConnectionSender {
  readonly posted: { connectionId: string; message: Record<string, unknown> }[] = [];
  constructor(private readonly gone = new Set<string>()) {}
  async send(connectionId: string, message: unknown): Promise<'sent' | 'gone'> {
    if (this.gone.has(connectionId)) return 'gone';
    this.posted.push({ connectionId, message: message as Record<string, unknown> });
    return 'sent';
  }
  to(connectionId: string) {
    return this.posted.filter((p) => p.connectionId === connectionId).map((p) => p.message);
  }
}

/** The principal the $connect authorizer would resolve from the socket URL's query. */
async function principalFromSocketUrl(url: string) {
  const query = Object.fromEntries(new URL(url).searchParams);
  return authenticate(socketCredentialSource(query));
}

/** A backtest item as DynamoDB's typed JSON, the form of a stream record's images. */
async function rawBacktest(projectId: number, backtestId: string) {
  const client = new DynamoDBClient({ region: process.env.AWS_REGION ?? 'us-east-1', endpoint: process.env.DYNAMODB_ENDPOINT });
  const key = keys.backtest(projectId, backtestId);
  const out = await client.send(new GetItemCommand({ TableName: process.env.TABLE_NAME, Key: { PK: { S: key.PK }, SK: { S: key.SK } }, ConsistentRead: true }));
  client.destroy();
  if (!out.Item) throw new Error('backtest item not found');
  return out.Item as unknown as Record<string, Record<string, unknown>>;
}

test('connections and subscriptions live in the table; a changed backtest is posted to its subscribers, a gone one is dropped', async () => {
  const principal = await principalFromSocketUrl(socketUrl(apiUrl(), tenant.admin));
  expect(principal.userId).toBe(tenant.admin.userId);
  const { projectId, compileId } = await pythonProject(tenant.cli, 'realtime aws', algorithm({ seconds: 1 }));
  const created = await tenant.cli.createBacktest(projectId, compileId, 'Streamed Heron');
  const backtestId = (created.body.backtest as BacktestBody).backtestId;
  const before = await rawBacktest(projectId, backtestId);

  const [a, b] = [`conn-a-${backtestId.slice(0, 8)}=`, `conn-b-${backtestId.slice(0, 8)}=`];
  const sender = new RecordingSender(new Set([b]));
  await connectionOpened(a, principal);
  await connectionOpened(b, principal);
  const subscribe = JSON.stringify({ action: 'subscribe', topic: 'backtest', projectId, backtestId });
  await connectionMessage(a, subscribe, sender);
  expect(sender.to(a)).toEqual([
    { type: 'subscribed', topic: `backtest:${projectId}:${backtestId}` },
    expect.objectContaining({ type: 'backtest', projectId, backtestId, final: false }),
  ]);
  await connectionMessage(b, subscribe, sender);
  // b was gone when its answer was posted: it and its subscription are removed.
  expect(await connectionRepository.get(b)).toBeUndefined();

  // Another organisation's project: "not found", nothing recorded.
  const foreign = (await other.cli.createProject('not yours')).body.projects as { projectId: number }[];
  await connectionMessage(a, JSON.stringify({ action: 'subscribe', topic: 'live', projectId: foreign[0]!.projectId }), sender);
  expect(sender.to(a).at(-1)).toEqual({ type: 'error', action: 'subscribe', topic: `live:${foreign[0]!.projectId}`, message: 'Project not found' });
  expect(await connectionRepository.countSubscriptions(a)).toBe(1);

  // The runner finishes the backtest; the stream record (old and new image) reaches subscriber a.
  await pollBacktest(tenant.cli, projectId, backtestId);
  const after = await rawBacktest(projectId, backtestId);
  await connectionOpened(b, principal);
  await connectionMessage(b, subscribe, new RecordingSender());
  const posted = await publishChange(before, after, sender);
  expect(posted).toBe(1);
  expect(sender.to(a).at(-1)).toMatchObject({ type: 'backtest', backtestId, phase: 'completed', status: 'Completed.', progress: 1, final: true });
  expect(await connectionRepository.subscribers(`backtest:${projectId}:${backtestId}`)).toEqual([a]);
  // The same image again changes nothing a subscriber sees: nothing is posted.
  expect(await publishChange(after, after, sender)).toBe(0);

  await connectionEnded(a);
  expect(await connectionRepository.get(a)).toBeUndefined();
  expect(await connectionRepository.subscribers(`backtest:${projectId}:${backtestId}`)).toEqual([]);
});
