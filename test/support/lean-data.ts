import { cpSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * A small stand-in for LEAN's own data folder (test/fixtures/lean-data): market-hours,
 * symbol-properties and SPY's CSV map/factor files, which real LEAN and the fake need.
 */
export const LEAN_DATA_FIXTURE = resolve(__dirname, '..', 'fixtures', 'lean-data');

/** Copies the fixture into `dir`, as the image's /Lean/Data is there for the runner in a task. */
export function seedLeanData(dir: string, only?: readonly string[]): string {
  if (only) for (const folder of only) cpSync(resolve(LEAN_DATA_FIXTURE, folder), resolve(dir, folder), { recursive: true });
  else cpSync(LEAN_DATA_FIXTURE, dir, { recursive: true });
  return dir;
}
