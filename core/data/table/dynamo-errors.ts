import { ConflictError } from '../../shared/errors';

/** True when a write failed only because its condition did not hold (alone or inside a transaction). */
export function isConditionFailure(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'ConditionalCheckFailedException') return true;
  if (err.name === 'TransactionCanceledException') {
    const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
    return reasons.some((r) => r.Code === 'ConditionalCheckFailed');
  }
  return false;
}

/** Runs a conditional write and turns a failed condition into the given domain error. */
export async function conditional<T>(write: () => Promise<T>, onFailure: () => Error = () => new ConflictError('conflict')): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isConditionFailure(err)) throw onFailure();
    throw err;
  }
}

/**
 * Runs a conditional write; a failed condition gives `undefined` instead of an error. For writes
 * whose condition failing is an expected answer ("someone else got there first").
 */
export async function unlessConditionFails<T>(write: () => Promise<T>): Promise<T | undefined> {
  try {
    return await write();
  } catch (err) {
    if (isConditionFailure(err)) return undefined;
    throw err;
  }
}
