import { TABLE_SCHEMA } from '../../shared/table-schema';
import type { Key } from './keys';

/** Item = key + entity type tag + the entity's own attributes. */
export function toItem<T extends object>(type: string, key: Key, entity: T, extra: Record<string, unknown> = {}) {
  return { ...key, type, ...extra, ...entity };
}

const INTERNAL = new Set(['PK', 'SK', 'GSI1PK', 'GSI1SK', 'type', TABLE_SCHEMA.ttlAttribute]);

/** Strips the storage attributes, leaving the entity. */
export function fromItem<T>(item: Record<string, unknown>): T {
  const entity: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) if (!INTERNAL.has(k)) entity[k] = v;
  return entity as T;
}
