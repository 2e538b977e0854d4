import type { Command } from 'commander';
import { identityService } from '../../core/domain/identity/identity-service';
import { AppError } from '../../core/shared/errors';
import type { Output } from './output';
import { collect, userId } from './parse';
import { type OpenTarget, openTarget, type TargetOptions } from './target';

/**
 * The frame every `lcs admin` command runs in: shared options, opening and closing the target,
 * printing the result (text or `--json`), and turning any failure into one line and exit code 1.
 */
export interface CommonOptions extends TargetOptions {
  as?: number;
  json?: boolean;
}

export interface AdminContext {
  target: OpenTarget;
  /** The acting admin recorded in audit events (0: the CLI itself). */
  actor: number;
}

export function fail(message: string): never {
  process.stderr.write(`lcs: ${message.split('\n')[0]}\n`);
  process.exit(1);
}

/** What an error says, on one line, without a stack trace. */
export function describeError(err: unknown): string {
  if (err instanceof AppError) return err.message;
  const e = err as Error & { $metadata?: unknown; code?: string };
  if (e?.$metadata) return `${e.name}: ${e.message}`;
  if (e?.code === 'ECONNREFUSED') return `cannot reach the storage (${e.message}); is the local server still running?`;
  return e?.message || String(err);
}

/** Adds the target and output options to a leaf command. */
export function withTarget(command: Command): Command {
  command
    .option('--data-dir <dir>', 'local mode: the data folder of the server', '.lcs-data')
    .option('--as <userId>', 'the acting admin recorded in the audit trail (default 0: the CLI)', userId)
    .option('--json', 'print JSON');
  return awsOnly(command, (c) =>
    c
      .option('--stack <name>', 'a deployed stack whose outputs name the table, KMS key and usage plan (repeatable)', collect)
      .option('--region <region>', 'the stack region (default: the AWS CLI/SDK default)')
      .option('--table-name <name>', 'the table, instead of --stack')
      .option('--kms-key-id <id>', 'the token KMS key, instead of --stack')
      .option('--usage-plan-id <id>', 'the usage plan for organization keys, instead of --stack'),
  );
}

/** The help heading of options that only apply to a deployed stack. */
export const AWS_OPTIONS_HEADING = 'Deployed stack (AWS) options, not needed in local mode:';

/**
 * Adds options that only apply to a deployed stack under their own help heading, after the
 * command's other options, so a local-mode user can tell them apart (and skip them).
 */
export function awsOnly(command: Command, add: (c: Command) => Command): Command {
  command.optionsGroup(AWS_OPTIONS_HEADING);
  add(command);
  return command.optionsGroup('Options:');
}

export function adminAction<O extends object>(run: (options: O & CommonOptions, ctx: AdminContext) => Promise<Output>) {
  return async (options: O & CommonOptions): Promise<void> => {
    let target: OpenTarget | undefined;
    let output: Output;
    try {
      target = await openTarget(options);
      if (options.as !== undefined && options.as !== 0) await identityService.getUser(options.as);
      output = await run(options, { target, actor: options.as ?? 0 });
    } catch (err) {
      await target?.close().catch(() => undefined);
      fail(describeError(err));
    }
    await target.close().catch(() => undefined);
    process.stdout.write(`${options.json ? JSON.stringify(output.json, null, 2) : output.text}\n`);
    process.exit(0);
  };
}
