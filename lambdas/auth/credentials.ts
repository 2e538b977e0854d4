import type { Principal } from '../../core/shared/principal';

/**
 * Reads which credentials a request carries, without checking them. Both the QuantConnect hash
 * and plain Basic use `Authorization: Basic`; a Timestamp (header or query) marks the hash form.
 */
export type Credentials =
  | { kind: 'qc-hash'; userId: string; hash: string; timestamp: string }
  | { kind: 'basic'; userId: string; token: string }
  | { kind: 'api-key'; keyId: string; secret: string }
  | { kind: 'jwt'; token: string }
  | { kind: 'none' }
  | { kind: 'malformed'; reason: string };

/** A verified caller, and when its credential stops being acceptable (ms; Infinity: never expires). */
export interface Verified {
  principal: Principal;
  notAfter: number;
}

/** A query parameter sent more than once arrives as a list (API Gateway's multi-value form). */
export interface CredentialSource {
  headers: Record<string, string | undefined>;
  query: Record<string, string | string[] | undefined>;
}

class Repeated extends Error {}

/**
 * The one value of `name`, matched in any letter case. Sent more than once (two spellings, or a
 * repeated query parameter) it is refused: which copy a reader takes is then a guess, and the
 * copy verified must be the copy trusted.
 */
function pick(map: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const found: string[] = [];
  for (const [key, value] of Object.entries(map)) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) if (v !== '') found.push(v);
  }
  if (found.length > 1) throw new Repeated(name);
  return found[0];
}

/**
 * A header sent twice reaches us joined with ", " (Node, API Gateway). LEAN may repeat its cached
 * Timestamp; identical repeats are accepted, differing ones are not.
 */
function single(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const parts = value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) return undefined;
  return parts.every((p) => p === parts[0]) ? parts[0] : '\u0000conflicting';
}

function decodeBasic(value: string): [string, string] | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)$/i.exec(value.trim());
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

export function readCredentials(source: CredentialSource): Credentials {
  try {
    return read(source);
  } catch (err) {
    if (!(err instanceof Repeated)) throw err;
    return { kind: 'malformed', reason: `The ${err.message} parameter was sent more than once.` };
  }
}

function read({ headers, query }: CredentialSource): Credentials {
  const apiKey = pick(headers, 'x-api-key');
  const apiSecret = pick(headers, 'x-api-secret');
  if (apiKey || apiSecret) {
    if (!apiKey || !apiSecret) return { kind: 'malformed', reason: 'X-API-Key and X-API-Secret must be sent together.' };
    return { kind: 'api-key', keyId: apiKey.trim(), secret: apiSecret.trim() };
  }
  // Node keeps only the first Authorization header; API Gateway may join repeats with ", ".
  const authorization = single(pick(headers, 'authorization')) ?? single(pick(query, 'authorization'));
  if (!authorization) return { kind: 'none' };
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (bearer?.[1]) return { kind: 'jwt', token: bearer[1] };
  // The query form carries the base64 value without the "Basic " scheme (contract §1.3).
  const basic = decodeBasic(/^basic\s/i.test(authorization) ? authorization : `Basic ${authorization}`);
  if (!basic) return { kind: 'malformed', reason: 'The Authorization header is not in a supported form.' };
  const [userId, secret] = basic;
  const timestamp = single(pick(headers, 'timestamp')) ?? single(pick(query, 'timestamp'));
  if (timestamp !== undefined) return { kind: 'qc-hash', userId, hash: secret, timestamp };
  return { kind: 'basic', userId, token: secret };
}
