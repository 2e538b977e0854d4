import { InvalidArgumentError } from 'commander';
import type { Role } from '../../core/shared/principal';

/** Option parsers: each turns a bad value into one clear commander error. */
export const ROLES: readonly Role[] = ['admin', 'member', 'viewer'];

export function userId(value: string): number {
  if (!/^\d{1,15}$/.test(value)) throw new InvalidArgumentError('must be a numeric user id');
  return Number(value);
}

export function orgId(value: string): string {
  const id = value.trim().toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(id)) throw new InvalidArgumentError('must be a 32-character hex organization id');
  return id;
}

export function text(max: number) {
  return (value: string): string => {
    const trimmed = value.trim();
    if (!trimmed) throw new InvalidArgumentError('must not be empty');
    if (trimmed.length > max) throw new InvalidArgumentError(`must be at most ${max} characters`);
    return trimmed;
  };
}

export function email(value: string): string {
  const trimmed = value.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(trimmed)) throw new InvalidArgumentError('must be an email address');
  return trimmed;
}

/** An ISO-8601 date or date-time; a date alone stays as given so it matches the whole day in ranges. */
export function isoTime(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value.trim()) || Number.isNaN(Date.parse(value))) {
    throw new InvalidArgumentError('must be an ISO-8601 date or time, e.g. 2026-01-31 or 2026-01-31T12:00:00Z');
  }
  const trimmed = value.trim();
  return trimmed.length === 10 ? trimmed : new Date(trimmed.replace(' ', 'T')).toISOString();
}

/** An expiry: a date or time in the future, stored as a full ISO timestamp. */
export function expiry(value: string): string {
  const at = new Date(isoTime(value));
  if (at.getTime() <= Date.now()) throw new InvalidArgumentError('must be in the future');
  return at.toISOString();
}

export function positiveInt(max: number) {
  return wholeNumber(1, max);
}

export function wholeNumber(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    return n;
  };
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
