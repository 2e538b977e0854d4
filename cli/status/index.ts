import type { Command } from 'commander';
import { awsOnly, describeError, fail } from '../admin/action';
import { collect, orgId } from '../admin/parse';
import { type OpenTarget, openTarget } from '../admin/target';
import { formatStatus } from './format';
import { readStatus } from './job-status';

interface StatusOptions {
  org?: string;
  json?: boolean;
  dataDir: string;
  stack?: string[];
  region?: string;
}

/** `lcs status`: the job queues and, per organization, who holds each node and who waits for one. */
export function registerStatus(program: Command): void {
  const status = program
    .command('status')
    .description(
      'show the job queue, the dead-letter queue, and each organization’s nodes and waiting jobs, locally (--data-dir) or in a deployed stack (--stack)',
    )
    .option('--org <id>', 'only this organization', orgId)
    .option('--data-dir <dir>', 'local mode: the data folder of the server', '.lcs-data')
    .option('--json', 'print JSON');
  awsOnly(status, (c) =>
    c
      .option('--stack <name>', 'a deployed stack whose outputs name the table and job queues (repeatable: the API and jobs stacks)', collect)
      .option('--region <region>', 'the stack region (default: the AWS CLI/SDK default)'),
  ).action(async (options: StatusOptions) => {
    let target: OpenTarget | undefined;
    let text: string;
    try {
      target = await openTarget({ dataDir: options.dataDir, stack: options.stack, region: options.region });
      const report = await readStatus(target, { org: options.org, stacks: options.stack });
      text = options.json ? JSON.stringify(report, null, 2) : formatStatus(report, process.env.SQS_ENDPOINT);
    } catch (err) {
      await target?.close().catch(() => undefined);
      fail(describeError(err));
    }
    await target.close().catch(() => undefined);
    process.stdout.write(`${text}\n`);
    process.exit(0);
  });
}
