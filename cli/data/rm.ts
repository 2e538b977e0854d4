import { DeleteObjectsCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Command } from 'commander';
import { listPages } from '../../core/data/blobs/s3-objects';
import { type DataOptions, dataAction, withDataTarget } from './action';

/**
 * `lcs data rm <key-or-prefix>`: deletes one object, or every object under a folder prefix
 * (`equity/usa` means `equity/usa/…`, never `equity/usa2/…`); more than one needs --yes.
 */
interface RmOptions extends DataOptions {
  yes?: boolean;
}

async function exists(client: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (err) {
    if ((err as Error).name === 'NotFound' || (err as Error).name === 'NoSuchKey') return false;
    throw err;
  }
}

async function keysUnder(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of listPages(client, { Bucket: bucket, Prefix: prefix })) {
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
  }
  return keys;
}

export function registerRm(data: Command): void {
  withDataTarget(
    data
      .command('rm')
      .description('delete a key, or everything under a folder prefix, from the data bucket')
      .argument('<key-or-prefix>', 'an object key (equity/usa/daily/spy.zip) or a folder (equity/usa/daily)'),
  )
    .option('--yes', 'delete more than one object without asking')
    .option('--json', 'print the deleted keys as JSON')
    .action(
      dataAction<[string], RmOptions>(async ({ client, bucket }, options, target) => {
        const given = target.replace(/^\/+/, '');
        if (!given) throw new Error('name a key or a folder prefix; the whole bucket is not deleted at once');
        let keys: string[];
        if (!given.endsWith('/') && (await exists(client, bucket, given))) keys = [given];
        else {
          const prefix = given.endsWith('/') ? given : `${given}/`;
          keys = await keysUnder(client, bucket, prefix);
          if (keys.length === 0) throw new Error(`nothing in the data bucket at ${given}`);
          if (keys.length > 1 && !options.yes) throw new Error(`${keys.length} objects under ${prefix}; pass --yes to delete them all`);
        }
        for (let i = 0; i < keys.length; i += 1000) {
          const batch = keys.slice(i, i + 1000);
          const out = await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
          const failed = out.Errors?.[0];
          if (failed) throw new Error(`could not delete ${failed.Key}: ${failed.Message ?? failed.Code}`);
        }
        process.stdout.write(options.json ? `${JSON.stringify({ deleted: keys })}\n` : `deleted ${keys.length} object${keys.length === 1 ? '' : 's'}\n`);
      }),
    );
}
