#!/usr/bin/env -S node --import tsx
import { Command } from 'commander';
import { fail } from '../cli/admin/action';
import { registerAdmin } from '../cli/admin/index';
import { registerData } from '../cli/data/index';
import { registerModules } from '../cli/modules/index';
import { registerStatus } from '../cli/status/index';

/** `lcs`: the operator's command line (`npm run lcs -- admin …`). */
const program = new Command()
  .name('lcs')
  .description('Lean Cloud Server command line')
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
registerModules(program);
registerStatus(program);

program.parseAsync().catch((err: unknown) => fail((err as Error).message));
