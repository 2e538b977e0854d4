import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ApiKey, ApiToken, Member, Organization, User } from '../../domain/identity/types';
import { ConflictError, NotFoundError } from '../../shared/errors';
import { documentClient, tableName } from '../table/clients';
import { conditional } from '../table/dynamo-errors';
import { fromItem, toItem } from '../table/item';
import { type Key, keys } from '../table/keys';
import { queryAll, queryIndexAll } from '../table/query';

/** Organisations, users, memberships and credentials. */
export interface UserForAuth {
  user: User;
  tokens: ApiToken[];
  memberships: Member[];
}

const db = () => documentClient();
const notExists = 'attribute_not_exists(PK)';

export const identityRepository = {
  async createOrganization(org: Organization): Promise<void> {
    await conditional(
      () =>
        db().send(
          new PutCommand({
            TableName: tableName(),
            Item: toItem('Organization', keys.org(org.id), org, { GSI1PK: keys.orgsIndex(), GSI1SK: keys.orgsSort(org.created, org.id) }),
            ConditionExpression: notExists,
          }),
        ),
      () => new ConflictError('Organization already exists'),
    );
  },

  async getOrganization(orgId: string): Promise<Organization | undefined> {
    const out = await db().send(new GetCommand({ TableName: tableName(), Key: keys.org(orgId) }));
    return out.Item ? fromItem<Organization>(out.Item) : undefined;
  },

  /** Every organisation, oldest first (one index partition; no scan). */
  async listOrganizations(): Promise<Organization[]> {
    const items = await queryIndexAll(keys.orgsIndex());
    return items.filter((i) => i.type === 'Organization').map((i) => fromItem<Organization>(i));
  },

  async getMember(orgId: string, userId: number): Promise<Member | undefined> {
    const out = await db().send(new GetCommand({ TableName: tableName(), Key: keys.member(orgId, userId) }));
    return out.Item ? fromItem<Member>(out.Item) : undefined;
  },

  async listMembers(orgId: string): Promise<Member[]> {
    const out = await queryAll(keys.orgPartition(orgId), keys.prefixes.member);
    return out.filter((i) => i.type === 'Member').map((i) => fromItem<Member>(i));
  },

  /** Adds or changes a membership; the mirror under the user keeps authentication to one query. */
  async putMember(member: Member): Promise<void> {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: tableName(), Item: toItem('Member', keys.member(member.orgId, member.userId), member) } },
          { Put: { TableName: tableName(), Item: toItem('MemberMirror', keys.memberMirror(member.userId, member.orgId), member) } },
        ],
      }),
    );
  },

  async removeMember(orgId: string, userId: number): Promise<void> {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: tableName(), Key: keys.member(orgId, userId) } },
          { Delete: { TableName: tableName(), Key: keys.memberMirror(userId, orgId) } },
        ],
      }),
    );
  },

  /** Creates a user; the email claim item makes emails unique. */
  async createUser(user: User): Promise<void> {
    await conditional(
      () =>
        db().send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: tableName(), Item: toItem('User', keys.user(user.id), user), ConditionExpression: notExists } },
              {
                Put: {
                  TableName: tableName(),
                  Item: toItem('EmailClaim', keys.email(user.email), { userId: user.id }),
                  ConditionExpression: notExists,
                },
              },
            ],
          }),
        ),
      () => new ConflictError(`A user with email ${user.email} already exists`),
    );
  },

  async getUser(userId: number): Promise<User | undefined> {
    const out = await db().send(new GetCommand({ TableName: tableName(), Key: keys.user(userId) }));
    return out.Item ? fromItem<User>(out.Item) : undefined;
  },

  async getUsers(userIds: number[]): Promise<Map<number, User>> {
    const found = new Map<number, User>();
    const unique = [...new Set(userIds)];
    for (let i = 0; i < unique.length; i += 100) {
      let request: Record<string, { Keys: Key[] }> | undefined = {
        [tableName()]: { Keys: unique.slice(i, i + 100).map((id) => keys.user(id)) },
      };
      while (request && Object.keys(request).length) {
        const out = await db().send(new BatchGetCommand({ RequestItems: request }));
        for (const item of out.Responses?.[tableName()] ?? []) {
          const user = fromItem<User>(item);
          found.set(user.id, user);
        }
        request = out.UnprocessedKeys as typeof request;
      }
    }
    return found;
  },

  async findUserIdByEmail(email: string): Promise<number | undefined> {
    const out = await db().send(new GetCommand({ TableName: tableName(), Key: keys.email(email) }));
    return out.Item ? Number(out.Item.userId) : undefined;
  },

  async setPreferredOrg(userId: number, orgId: string): Promise<void> {
    await setOnExisting(keys.user(userId), 'preferredOrgId', orgId, 'User');
  },

  /** Profile, tokens and memberships of a user in a single query. */
  async loadUserForAuth(userId: number): Promise<UserForAuth | undefined> {
    const items = await queryAll(keys.userPartition(userId));
    const profile = items.find((i) => i.type === 'User');
    if (!profile) return undefined;
    return {
      user: fromItem<User>(profile),
      tokens: items.filter((i) => i.type === 'ApiToken').map((i) => fromItem<ApiToken>(i)),
      memberships: items.filter((i) => i.type === 'MemberMirror').map((i) => fromItem<Member>(i)),
    };
  },

  async putToken(token: ApiToken): Promise<void> {
    await db().send(new PutCommand({ TableName: tableName(), Item: toItem('ApiToken', keys.token(token.userId, token.tokenId), token) }));
  },

  /** A user's API tokens, ciphertext included (callers strip it before showing anything). */
  async listTokens(userId: number): Promise<ApiToken[]> {
    const items = await queryAll(keys.userPartition(userId), keys.prefixes.token);
    return items.filter((i) => i.type === 'ApiToken').map((i) => fromItem<ApiToken>(i));
  },

  async revokeToken(userId: number, tokenId: string, at: string): Promise<void> {
    await setOnExisting(keys.token(userId, tokenId), 'revokedAt', at, 'Token');
  },

  async putKey(key: ApiKey): Promise<void> {
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: toItem('ApiKey', keys.apiKey(key.keyId), key, { GSI1PK: keys.userKeysIndex(key.userId), GSI1SK: key.keyId }),
        ConditionExpression: notExists,
      }),
    );
  },

  async getKey(keyId: string): Promise<ApiKey | undefined> {
    const out = await db().send(new GetCommand({ TableName: tableName(), Key: keys.apiKey(keyId) }));
    return out.Item ? fromItem<ApiKey>(out.Item) : undefined;
  },

  /** A user's API keys, following pages. */
  async listKeys(userId: number): Promise<ApiKey[]> {
    const items = await queryIndexAll(keys.userKeysIndex(userId));
    return items.filter((i) => i.type === 'ApiKey').map((i) => fromItem<ApiKey>(i));
  },

  async revokeKey(keyId: string, at: string): Promise<void> {
    await setOnExisting(keys.apiKey(keyId), 'revokedAt', at, 'API key');
  },

  /** Records use; skipped when it was recorded recently, so reads do not turn into a write each. */
  async touchKey(keyId: string, at: string, notBefore: string): Promise<void> {
    await conditional(
      () =>
        db().send(
          new UpdateCommand({
            TableName: tableName(),
            Key: keys.apiKey(keyId),
            UpdateExpression: 'SET lastUsedAt = :at',
            ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :nb)',
            ExpressionAttributeValues: { ':at': at, ':nb': notBefore },
          }),
        ),
      () => new ConflictError('recently used'),
    ).catch(() => undefined);
  },

  async deleteEmailClaim(email: string): Promise<void> {
    await db().send(new DeleteCommand({ TableName: tableName(), Key: keys.email(email) }));
  },
};

/** Sets one attribute of an item that must already exist; a missing item is "not found". */
async function setOnExisting(key: Key, attribute: string, value: unknown, what: string): Promise<void> {
  await conditional(
    () =>
      db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: key,
          UpdateExpression: 'SET #a = :v',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: { '#a': attribute },
          ExpressionAttributeValues: { ':v': value },
        }),
      ),
    () => new NotFoundError(what),
  );
}
