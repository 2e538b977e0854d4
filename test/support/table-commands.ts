import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

// The document client's commands reach the middleware under the low-level client's names.
const READ_COMMANDS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand', 'TransactGetItemsCommand']);

/** Table commands this process sent, by name, counted once by a middleware on the shared document client. */
const sent = new Map<string, number>();
const counted = new WeakSet<DynamoDBDocumentClient>();

type Sent = Record<string, number>;

/** Reads (GetItem, Query, Scan and their batch forms) and writes (the rest) among commands sent. */
export function readsAndWrites(commands: Sent): { reads: number; writes: number } {
  let reads = 0;
  let writes = 0;
  for (const [name, n] of Object.entries(commands)) {
    if (READ_COMMANDS.has(name)) reads += n;
    else writes += n;
  }
  return { reads, writes };
}

/**
 * Counts the table commands a client sends (the real commands, against the real table: nothing is
 * stubbed). `snapshot` marks a moment, `since` gives what was sent after it, by command name.
 */
export function countCommands(client: DynamoDBDocumentClient) {
  if (!counted.has(client)) {
    counted.add(client);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = context.commandName ?? 'unknown';
        sent.set(name, (sent.get(name) ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize', name: 'testCommandCounter' },
    );
  }
  return {
    snapshot: (): Sent => Object.fromEntries(sent),
    since: (before: Sent): Sent => {
      const after: Sent = {};
      for (const [name, n] of sent) if (n > (before[name] ?? 0)) after[name] = n - (before[name] ?? 0);
      return after;
    },
  };
}
