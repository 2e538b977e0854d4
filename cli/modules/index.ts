import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type DataOptions, dataAction, withDataTarget } from '../data/action';
import { summary } from '../data/push';
import { pushFiles } from '../data/uploader';
import { walkFolder } from '../data/walk';
import { moduleFiles } from './module-files';

/**
 * `lcs modules push <folder>`: uploads LEAN module packages (brokerages, data feeds) beside the
 * market data, for lean-cli's modules/list and modules/read. The folder holds one sub-folder per
 * QuantConnect product id with that product's NuGet packages: `<folder>/<productId>/<Package>.<version>.nupkg`.
 */

export function registerModules(program: Command): void {
  const modules = program
    .command('modules')
    .description('LEAN modules (brokerage and data-feed NuGet packages) that lean-cli installs through modules/list and modules/read');
  withDataTarget(
    modules
      .command('push')
      .description('upload module packages from <folder>/<productId>/<Package>.<version>.nupkg; unchanged files are skipped')
      .argument('<folder>', 'a folder with one sub-folder per product id'),
  )
    .option('--json', 'print the summary as JSON')
    .action(
      dataAction<[string], DataOptions>(async ({ client, bucket }, options, folder) => {
        const files = moduleFiles(await walkFolder(resolve(folder)));
        const result = await pushFiles({ client, bucket, files });
        process.stdout.write(`${options.json ? JSON.stringify({ bucket, ...result }) : summary(result)}\n`);
      }),
    );
}
