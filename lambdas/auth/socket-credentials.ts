import type { CredentialSource } from './credentials';

/**
 * A browser's WebSocket cannot send headers, so the real-time connection carries its credentials
 * as query parameters (docs/realtime.md): `userId`, `hash` and `timestamp` for the QuantConnect
 * hash, or `token` for a Bearer JWT. They are rewritten here into the forms credentials.ts reads
 * (the query form of Authorization, contract §1.3), so a connection is verified by the very code
 * that verifies a REST request, in the local server and in the $connect authorizer alike.
 */
type Query = Record<string, string | string[] | undefined>;

/** Every value of a parameter; credentials.ts refuses an Authorization sent more than once. */
function values(query: Query, name: string): string[] {
  const v = query[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export function socketCredentialSource(query: Query): CredentialSource {
  const tokens = values(query, 'token');
  const userIds = values(query, 'userId');
  const hashes = values(query, 'hash');
  const timestamp = query.timestamp;
  if (tokens.length) return { headers: {}, query: { authorization: tokens.map((t) => `Bearer ${t}`) } };
  if (!userIds.length && !hashes.length) return { headers: {}, query: {} };
  // One form per userId/hash pair: anything but exactly one of each is "sent more than once" (or malformed).
  const pairs = userIds.flatMap((u) => hashes.map((h) => Buffer.from(`${u}:${h}`).toString('base64')));
  return { headers: {}, query: { authorization: pairs.length ? pairs : 'missing', timestamp } };
}
