import { randomBytes } from 'node:crypto';

/** 32 lowercase hex characters: the QC format of organization, backtest and job ids. */
export function hexId(): string {
  return randomBytes(16).toString('hex');
}

/** Opaque identifier for API keys and tokens (not a secret). */
export function keyId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}

/** A high-entropy secret, shown once and stored only hashed or encrypted. */
export function secretValue(bytes = 32): string {
  return randomBytes(bytes).toString('hex');
}

export const HEX32 = /^[0-9a-f]{32}$/;
