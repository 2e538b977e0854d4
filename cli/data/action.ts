import type { S3Client } from '@aws-sdk/client-s3';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { s3 } from '../../core/data/table/clients';
import { ensureBucket } from '../../local/embedded-storage';
import { awsOnly, describeError, fail } from '../admin/action';
import { collect } from '../admin/parse';
import { type OpenTarget, openTarget } from '../admin/target';

/** The frame of every `lcs data` command: target options, opening the data bucket, one-line errors. */
export interface DataOptions {
  dataDir: string;
  stack?: string[];
  region?: string;
  dataBucket?: string;
  json?: boolean;
}

export interface DataContext {
  target: OpenTarget;
  client: S3Client;
  bucket: string;
}

export function withDataTarget(command: Command): Command {
  command.option('--data-dir <dir>', 'local mode: the data folder of the server', '.lcs-data');
  return awsOnly(command, (c) =>
    c
      .option('--stack <name>', 'a deployed stack whose DataBucketName output names the bucket (repeatable)', collect)
      .option('--region <region>', 'the stack region (default: the AWS CLI/SDK default)')
      .option('--data-bucket <name>', 'the market-data bucket, instead of --stack'),
  );
}

export function positiveInt(max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) throw new InvalidArgumentError(`must be a whole number from 1 to ${max}`);
    return Number(value);
  };
}

/** Runs `run` against the opened bucket; prints nothing itself; exit 0, or one line and exit 1. */
export function dataAction<A extends unknown[], O extends DataOptions>(run: (ctx: DataContext, options: O, ...args: A) => Promise<void>) {
  return async (...received: unknown[]): Promise<void> => {
    // commander passes the arguments, then the options, then the command.
    const options = received[received.length - 2] as O;
    const args = received.slice(0, -2) as A;
    let target: OpenTarget | undefined;
    try {
      target = await openTarget({
        dataDir: options.dataDir,
        stack: options.stack,
        region: options.region,
        dataBucket: options.dataBucket,
        tableOptional: true,
      });
      const bucket = target.dataBucket;
      if (!bucket) {
        const many = (options.stack?.length ?? 0) > 1;
        throw new Error(
          `no data bucket: the stack${many ? 's' : ''} ${options.stack?.join(', ')} ${many ? 'have' : 'has'} no DataBucketName output; pass --data-bucket`,
        );
      }
      const { client } = await s3();
      // Storage started for this command from a data folder made before the data bucket existed.
      if (target.kind === 'local' && process.env.S3_ENDPOINT) await ensureBucket(process.env.S3_ENDPOINT, bucket);
      await run({ target, client, bucket }, options, ...args);
    } catch (err) {
      await target?.close().catch(() => undefined);
      fail(describeError(err));
    }
    await target.close().catch(() => undefined);
    process.exit(0);
  };
}

export function formatMB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
