import { readFile } from 'node:fs/promises';

/**
 * How the runner reads LEAN's JSON (lean-runtime §4.1). LEAN writes its result files in place
 * (`File.WriteAllText`, not atomically), so a read that finds a half-written file is "not yet",
 * not an error. Current builds write camelCase, older ones PascalCase, so field names are matched
 * case-insensitively and normalised to the contract's camelCase; dictionary keys (chart, series
 * and statistic names, `state` keys, parameters) are kept exactly as written.
 */

export type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
export const asObject = (value: unknown): Json => (isObject(value) ? value : {});

/** `Status` → `status`, `ID` → `id`, `AverageMAE` → `averageMAE`, `source-model` → `sourceModel`. */
export function camelKey(key: string): string {
  if (key.includes('-')) return key.replace(/-+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
  if (/^[A-Z][A-Z0-9]*$/.test(key)) return key.toLowerCase();
  return key.charAt(0).toLowerCase() + key.slice(1);
}

/** A field by name, whatever its case. */
export function field(object: Json, name: string): unknown {
  if (name in object) return object[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(object)) if (key.toLowerCase() === lower) return object[key];
  return undefined;
}

/**
 * Camel-cases a record's field names, recursively; fields named in `dictionaries` keep their inner
 * keys. Copy-on-write: current LEAN already writes camelCase, so the usual case allocates nothing.
 */
export function camelRecord(value: unknown, dictionaries: readonly string[] = []): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = camelRecord(value[i]);
      if (item === value[i]) continue;
      copy ??= value.slice();
      copy[i] = item;
    }
    return copy ?? value;
  }
  let copy: Json | undefined;
  const record = value as Json;
  for (const key in record) {
    const inner = record[key];
    const name = isCamel(key) ? key : camelKey(key);
    const normalised = dictionaries.includes(name) ? inner : camelRecord(inner);
    if (copy === undefined && (name !== key || normalised !== inner)) {
      // Rebuild from the start so the field order stays as LEAN wrote it.
      copy = {};
      for (const earlier in record) {
        if (earlier === key) break;
        copy[earlier] = record[earlier];
      }
    }
    if (copy !== undefined) copy[name] = normalised;
  }
  return copy ?? record;
}

/** Already camelCase: starts with a lower-case letter (or `$`) and has no dash. */
function isCamel(key: string): boolean {
  const first = key.charCodeAt(0);
  return ((first >= 97 && first <= 122) || first === 36) && !key.includes('-');
}

/** A string→string dictionary (statistics, state); LEAN writes `[]` for an empty one while running. */
export function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, inner] of Object.entries(asObject(value))) out[key] = inner === null || inner === undefined ? '' : String(inner);
  return out;
}

/** A text file, or undefined when it does not exist. */
export async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Parsed JSON, or undefined when the file is missing or (being written in place) not valid yet. */
export async function readJson(path: string): Promise<unknown> {
  const text = await readText(path);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
