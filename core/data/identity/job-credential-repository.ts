import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { JobCredential } from '../../domain/identity/types';
import { ConflictError } from '../../shared/errors';
import { TABLE_SCHEMA } from '../../shared/table-schema';
import { documentClient, tableName } from '../table/clients';
import { conditional, unlessConditionFails } from '../table/dynamo-errors';
import { fromItem, toItem } from '../table/item';
import { keys } from '../table/keys';

/**
 * Job credentials, one item each, found by the id LEAN sends. The table's TTL removes an item a
 * day after it expires (authentication checks `expiresAt` itself: TTL deletion is lazy).
 */
const KEEP_AFTER_EXPIRY_SECONDS = 86_400;
const ttlOf = (expiresAt: string) => Math.floor(Date.parse(expiresAt) / 1000) + KEEP_AFTER_EXPIRY_SECONDS;
const db = () => documentClient();

export const jobCredentialRepository = {
  /** Fails with a conflict when the id is taken (ids are random; the caller draws another). */
  async create(credential: JobCredential): Promise<void> {
    await conditional(
      () =>
        db().send(
          new PutCommand({
            TableName: tableName(),
            Item: toItem('JobCredential', keys.jobCredential(credential.credentialId), credential, {
              [TABLE_SCHEMA.ttlAttribute]: ttlOf(credential.expiresAt),
            }),
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        ),
      () => new ConflictError('Job credential id taken'),
    );
  },

  async get(credentialId: number): Promise<JobCredential | undefined> {
    const out = await db().send(new GetCommand({ TableName: tableName(), Key: keys.jobCredential(credentialId) }));
    return out.Item ? fromItem<JobCredential>(out.Item) : undefined;
  },

  /** Moves the expiry (a live deployment renews its credential); refused once revoked. */
  async extend(credentialId: number, expiresAt: string): Promise<boolean> {
    const done = await unlessConditionFails(async () => {
      await db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.jobCredential(credentialId),
          UpdateExpression: 'SET expiresAt = :e, #ttl = :ttl',
          ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(revokedAt)',
          ExpressionAttributeNames: { '#ttl': TABLE_SCHEMA.ttlAttribute },
          ExpressionAttributeValues: { ':e': expiresAt, ':ttl': ttlOf(expiresAt) },
        }),
      );
      return true;
    });
    return done === true;
  },

  /** Idempotent: revoking a revoked or vanished credential changes nothing. */
  async revoke(credentialId: number, at: string): Promise<void> {
    await unlessConditionFails(() =>
      db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.jobCredential(credentialId),
          UpdateExpression: 'SET revokedAt = :at',
          ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(revokedAt)',
          ExpressionAttributeValues: { ':at': at },
        }),
      ),
    );
  },
};
