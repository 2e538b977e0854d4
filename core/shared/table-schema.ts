/**
 * The single table's key schema: shared by the repositories, local mode (which creates the table)
 * and the CDK stateful stack, so the three cannot drift.
 */
export const TABLE_SCHEMA = {
  partitionKey: 'PK',
  sortKey: 'SK',
  /**
   * Epoch seconds after which DynamoDB deletes the item (audit events). Deliberately not
   * `expiresAt`: tokens and keys have an `expiresAt` of their own (an ISO time that authentication
   * checks), and sharing the name made the storage layer strip it.
   */
  ttlAttribute: 'ttl',
  indexes: {
    /** Lists: an organisation's projects, a user's API keys, audit events by user. */
    gsi1: { name: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
  },
} as const;
