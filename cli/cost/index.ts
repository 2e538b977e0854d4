import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { SKUS } from '../../core/shared/catalog';
import type { FargateSize } from '../../lib/constructs/runner-task';
import { describeError, fail } from '../admin/action';
import { HOURS_PER_MONTH, PRICES, PRICES_CHECKED } from './prices';
import { type CostReport, fargateMonth, idleCost, perRequestCost, type Template } from './template-cost';

/** Every template of the app as `cdk synth` writes it (nested stacks included), without bundling. */
export async function synthesizedTemplates(): Promise<Template[]> {
  const { createApp } = await import('../../lib/app');
  const outdir = mkdtempSync(join(tmpdir(), 'lcs-cost-'));
  try {
    createApp({ context: { 'aws:cdk:bundling-stacks': [] }, outdir, nag: false }).app.synth();
    return readdirSync(outdir)
      .filter((f) => f.endsWith('.template.json'))
      .map((f) => JSON.parse(readFileSync(join(outdir, f), 'utf8')) as Template);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const dollars = (n: number) => `$${n.toFixed(2)}`;

export function formatCost(report: CostReport, settings: { ephemeralStorageGiB: number }, fargateSize: (sku: (typeof SKUS)[number]) => FargateSize): string {
  const out: string[] = [`Idle cost a month (us-east-1 list prices of ${PRICES_CHECKED}, nothing running):`, ''];
  for (const line of report.lines) {
    out.push(`  ${line.item.padEnd(32)} ${String(line.count).padStart(4)}  ${dollars(line.monthly).padStart(8)}${line.note ? `  (${line.note})` : ''}`);
  }
  out.push(`  ${'Total'.padEnd(32)} ${''.padStart(4)}  ${dollars(report.idleMonthly).padStart(8)}`, '');
  out.push('Not counted (cents at rest): table and bucket storage, log storage, the Cognito user pool (free to 10,000 users).');
  out.push(
    `Not counted: the runner image in CDK's bootstrap ECR repository, ${dollars(PRICES.ecrStoredGbMonth)}/GB-month for every version kept (the LEAN image is several GB; docs/jobs.md says how to prune).`,
  );
  for (const warning of report.warnings) out.push(`Note: ${warning}.`);
  out.push('', 'In use:');
  const request = perRequestCost({ memoryMb: 256, lambdaMs: 20, invocations: 2, reads: 2, writes: 0 });
  out.push(`  one API request (API Gateway, authorizer + endpoint at 256 MB x 20 ms, two table reads): ${dollars(request * 1e6)} per million`);
  for (const sku of SKUS.filter((s) => s.kind !== 'research')) {
    const size = fargateSize(sku);
    const task = { ...size, storageGiB: settings.ephemeralStorageGiB };
    const month = fargateMonth(task);
    if (sku.kind === 'live') {
      out.push(
        `  live ${sku.sku.padEnd(8)} ${size.cpu / 1024} vCPU ${size.memoryMiB / 1024} GB: ${dollars(month)} a month on demand, ${dollars(fargateMonth(task, true))} on Spot`,
      );
    } else {
      out.push(
        `  backtest ${sku.sku.padEnd(8)} ${size.cpu / 1024} vCPU ${size.memoryMiB / 1024} GB: ${dollars(month / HOURS_PER_MONTH)} an hour on demand, ${dollars(fargateMonth(task, true) / HOURS_PER_MONTH)} on Spot`,
      );
    }
  }
  out.push(
    `  custom metrics: ${dollars(PRICES.customMetricMonth)} per metric series published in a month; logs ${dollars(PRICES.logsIngestedGb)} per GB ingested`,
  );
  return out.join('\n');
}

/** `lcs cost`: what the configured stacks cost idle and in use, counted from the synthesized templates. */
export function registerCost(program: Command): void {
  program
    .command('cost')
    .description('count the idle and per-use cost of the stacks lcs.config.json describes, from their synthesized templates and a dated price table')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      try {
        // The CDK app loads only here: every other lcs command starts without aws-cdk-lib.
        const [{ createApp }, { fargateSize }] = await Promise.all([import('../../lib/app'), import('../../lib/constructs/runner-task')]);
        const { settings } = createApp({ context: { 'aws:cdk:bundling-stacks': [] }, nag: false });
        const report = idleCost(await synthesizedTemplates());
        process.stdout.write(
          `${options.json ? JSON.stringify({ pricesChecked: PRICES_CHECKED, ...report }, null, 2) : formatCost(report, settings.jobs, fargateSize)}\n`,
        );
      } catch (err) {
        fail(describeError(err));
      }
    });
}
