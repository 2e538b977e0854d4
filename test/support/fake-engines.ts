import { join, resolve } from 'node:path';
import { LEAN_DATA_FIXTURE } from './lean-data';

const root = resolve(__dirname, '..', '..');

/**
 * What a local server of a test's own needs to run jobs without Docker or .NET: the fake LEAN and
 * fake dotnet as its engine commands, and the small LEAN data fixture as LEAN's own data folder.
 */
export const FAKE_ENGINE_ENV = {
  LCS_LEAN_COMMAND: `'${process.execPath}' '${join(root, 'test', 'support', 'fake-lean', 'fake-lean.mjs')}'`,
  LCS_DOTNET_COMMAND: `'${process.execPath}' '${join(root, 'test', 'support', 'fake-dotnet.mjs')}'`,
  LCS_LEAN_DATA_DIR: LEAN_DATA_FIXTURE,
};
