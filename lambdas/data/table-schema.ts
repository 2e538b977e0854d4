/**
 * The single table's key schema: shared by the repositories, local mode (which creates the table)
 * and the CDK stateful stack, so the three cannot drift.
 */
export const TABLE_SCHEMA = {
  partitionKey: 'PK',
  sortKey: 'SK',
  ttlAttribute: 'expiresAt',
  indexes: {
    /** Lists: an organisation's projects, a user's API keys, audit events by user. */
    gsi1: { name: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
  },
} as const;
