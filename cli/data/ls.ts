import type { Command } from 'commander';
import { listPages } from '../../core/data/blobs/s3-objects';
import { type DataOptions, dataAction, formatMB, withDataTarget } from './action';

/** `lcs data ls [prefix]`: keys and sizes under a prefix, printed a ListObjectsV2 page at a time. */
export function registerLs(data: Command): void {
  withDataTarget(
    data
      .command('ls')
      .description('list the keys under a prefix of the data bucket, with their sizes')
      .argument('[prefix]', 'a key prefix, e.g. equity/usa/daily/', ''),
  )
    .option('--json', 'print JSON lines: {"key", "size", "lastModified"} per object')
    .action(
      dataAction<[string], DataOptions>(async ({ client, bucket }, options, prefix) => {
        let count = 0;
        let bytes = 0;
        for await (const page of listPages(client, { Bucket: bucket, Prefix: prefix || undefined })) {
          const lines = (page.Contents ?? []).map((o) => {
            count++;
            bytes += o.Size ?? 0;
            return options.json
              ? JSON.stringify({ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified?.toISOString() })
              : `${String(o.Size ?? 0).padStart(12)}  ${o.Key}`;
          });
          if (lines.length) process.stdout.write(`${lines.join('\n')}\n`);
        }
        if (!options.json) process.stdout.write(`${count} object${count === 1 ? '' : 's'}, ${formatMB(bytes)}\n`);
      }),
    );
}
