import type { Command } from 'commander';
import { registerLs } from './ls';
import { registerPush } from './push';
import { registerRm } from './rm';

/** `lcs data …`: the market-data bucket (LEAN's folder layout), locally (--data-dir) or in a deployed stack (--stack). */
export function registerData(program: Command): void {
  const data = program
    .command('data')
    .description('upload, list and delete LEAN market data in the data bucket, locally (--data-dir) or in a deployed stack (--stack)');
  registerPush(data);
  registerLs(data);
  registerRm(data);
}
