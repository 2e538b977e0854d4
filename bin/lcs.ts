#!/usr/bin/env -S node --import tsx
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { fail } from '../cli/admin/action';
import { registerAdmin } from '../cli/admin/index';
import { registerBackup } from '../cli/backup/index';
import { registerCost } from '../cli/cost/index';
import { registerData } from '../cli/data/index';
import { registerLeanConfig } from '../cli/lean-config/index';
import { registerMigrate } from '../cli/migrate/index';
import { registerModules } from '../cli/modules/index';
import { registerProxy } from '../cli/proxy/index';
import { registerStatus } from '../cli/status/index';
import { registerWorkspace } from '../cli/workspace/index';

/** `lcs`: the operator's command line (`npx lcs admin …`). */
const program = new Command()
  .name('lcs')
  .description('Lean Cloud Server command line')
  .version((JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version)
  .showSuggestionAfterError(false)
  .configureOutput({
    outputError: (message, write) =>
      write(
        `lcs: ${
          message
            .replace(/^error: /, '')
            .trim()
            .split('\n')[0]
        }\n`,
      ),
  });

registerAdmin(program);
registerData(program);
registerCost(program);
registerModules(program);
registerProxy(program);
registerStatus(program);
registerWorkspace(program);
registerLeanConfig(program);
registerMigrate(program);
registerBackup(program);

program.parseAsync().catch((err: unknown) => fail((err as Error).message));
