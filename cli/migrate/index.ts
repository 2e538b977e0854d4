import { existsSync, readFileSync } from 'node:fs';
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { identityService } from '../../core/domain/identity/identity-service';
import { resetConfig } from '../../core/shared/config';
import type { Principal } from '../../core/shared/principal';
import { dataPaths } from '../../local/embedded-storage';
import { type CommonOptions, describeError, fail, withTarget } from '../admin/action';
import { table } from '../admin/output';
import { orgId, positiveInt, wholeNumber } from '../admin/parse';
import { openTarget } from '../admin/target';
import { type MigrationEvents, type MigrationResult, migrate } from './importer';
import { QcSource, QUANTCONNECT_API, sourceCredentials } from './source';

/**
 * `lcs migrate`: copies a QuantConnect organization (QuantConnect's cloud, or any API v2 server)
 * into an organization of this server: projects with their settings and files, library links, and
 * with --with-object-store the object store, --with-backtests finished backtests, --with-collaborators
 * members and collaborators (by email). Safe to run again: imports are found by their provenance and
 * only what changed is written. --verify compiles every imported project here afterwards.
 */
interface MigrateCliOptions extends CommonOptions {
  from: string;
  userId?: string;
  apiToken?: string;
  fromOrg?: string;
  org?: string;
  dryRun?: boolean;
  withObjectStore?: boolean;
  withBacktests?: boolean;
  withCollaborators?: boolean;
  withOptimizations?: boolean;
  withLive?: boolean;
  reportWait: number;
  verify?: boolean;
  verifyTimeout: number;
  concurrency: number;
  retries: number;
  quiet?: boolean;
}

/** The target organization: --org, else local mode's first admin's (admin.json), else the oldest organization. */
export async function targetOrganization(options: Pick<MigrateCliOptions, 'org' | 'dataDir' | 'stack' | 'tableName'>): Promise<string> {
  if (options.org) return options.org;
  const admin = dataPaths(options.dataDir).admin;
  if (!options.stack?.length && !options.tableName && existsSync(admin)) {
    return (JSON.parse(readFileSync(admin, 'utf8')) as { organizationId: string }).organizationId;
  }
  const orgs = (await identityService.listOrganizations()).sort((a, b) => a.created.localeCompare(b.created));
  if (!orgs[0]) throw new Error('this server has no organization yet; create one with lcs admin org create');
  return orgs[0].id;
}

/** Who writes: --as (an admin of the organization), else its owner, else its first admin. */
export async function actingAdmin(organizationId: string, as: number | undefined): Promise<Principal> {
  const members = await identityService.listMembers(organizationId);
  const org = await identityService.getOrganization(organizationId);
  const admins = members.filter((m) => m.role === 'admin').sort((a, b) => a.userId - b.userId);
  const chosen = as !== undefined && as !== 0 ? admins.find((m) => m.userId === as) : (admins.find((m) => m.userId === org.ownerUserId) ?? admins[0]);
  if (!chosen) throw new Error(as ? `user ${as} is not an admin of organization ${organizationId}` : `organization ${organizationId} has no admin`);
  return {
    userId: chosen.userId,
    authMethod: 'api-key',
    credentialId: 'lcs-migrate',
    preferredOrgId: organizationId,
    memberships: [{ orgId: organizationId, role: 'admin' }],
  };
}

function progress(quiet: boolean | undefined): { events: MigrationEvents; stop(): void; note(text: string): void } {
  if (quiet || !process.stderr.isTTY) {
    return { events: {}, stop() {}, note: (text) => (quiet ? undefined : process.stderr.write(`lcs: ${text}\n`)) };
  }
  const bars = new MultiBar({ stream: process.stderr, hideCursor: true, fps: 5, format: '{bar} {value}/{total} {label}' }, Presets.shades_classic);
  let overall: SingleBar | undefined;
  const perProject = new Map<string, SingleBar>();
  let objects: SingleBar | undefined;
  return {
    events: {
      projectsStart: (total) => {
        overall = bars.create(Math.max(total, 1), 0, { label: 'projects' });
      },
      projectStart: (name) => perProject.set(name, bars.create(1, 0, { label: name })),
      projectDone: (outcome) => {
        const bar = perProject.get(outcome.name);
        bar?.update(1, { label: `${outcome.name}: ${outcome.action}` });
        if (bar) bars.remove(bar);
        overall?.increment();
      },
      objectsStart: (total) => {
        objects = bars.create(Math.max(total, 1), 0, { label: 'objects' });
      },
      objectsProgress: (done) => objects?.update(done),
    },
    stop: () => bars.stop(),
    note: (text) => bars.log(`${text}\n`),
  };
}

export function summaryText(result: MigrationResult): string {
  const counts = (action: string) => result.projects.filter((p) => p.action === action).length;
  const verified = result.projects.some((p) => p.verify);
  const lines = [
    table(
      ['PROJECT', result.dryRun ? 'PLAN' : 'ACTION', 'FILES', 'LIBRARIES', 'BACKTESTS', 'OPTIMIZATIONS', ...(verified ? ['VERIFY'] : []), 'NOTE'],
      result.projects.map((p) => [
        p.targetName ? `${p.name} -> ${p.targetName}` : p.name,
        p.action,
        p.files,
        p.libraries.join(', '),
        p.backtests ? `${p.backtests.imported} new, ${p.backtests.unchanged} had${p.backtests.failed ? `, ${p.backtests.failed} failed` : ''}` : undefined,
        p.optimizations
          ? `${p.optimizations.imported} new, ${p.optimizations.unchanged} had${p.optimizations.skipped.length ? `, ${p.optimizations.skipped.length} running (skipped)` : ''}${p.optimizations.failed ? `, ${p.optimizations.failed} failed` : ''}`
          : undefined,
        ...(verified ? [p.verify?.state] : []),
        [p.error, p.backtests?.error, p.optimizations?.error, p.verify?.errors[0], p.note].filter(Boolean).join('; ') || undefined,
      ]),
    ),
    '',
    `${result.dryRun ? 'plan (dry run, nothing written)' : 'done'}: ${counts('create')} created, ${counts('update')} updated, ${counts('unchanged')} unchanged, ${counts('conflict')} conflicts, ${counts('failed')} failed`,
  ];
  if (verified) {
    const built = result.projects.filter((p) => p.verify?.state === 'BuildSuccess').length;
    const tried = result.projects.filter((p) => p.verify).length;
    lines.push(`verify: ${built} of ${tried} projects compiled here${built < tried ? `; ${tried - built} did not (see VERIFY and NOTE)` : ''}`);
  }
  for (const p of result.projects) {
    for (const skipped of p.optimizations?.skipped ?? []) lines.push(`optimization not imported (not ended on the source): ${p.name}: ${skipped}`);
  }
  const live = result.projects.filter((p) => p.live);
  if (live.length) {
    lines.push('', 'to redeploy (nothing was started here; brokerage credentials are not copied, lean-cli asks for them):');
    for (const p of live) {
      const d = p.live as NonNullable<typeof p.live>;
      lines.push(
        `  ${p.targetName ?? p.name}: ${d.status} on the source (${d.brokerage || 'brokerage unknown'}, node ${d.node ?? 'unknown'}, deploy ${d.deployId})`,
      );
      lines.push(`    ${d.command}`);
    }
    lines.push('');
  }
  if (result.objects) {
    const o = result.objects;
    lines.push(
      `object store: ${o.imported} ${result.dryRun ? 'to import' : 'imported'} (${o.bytes} bytes), ${o.unchanged} unchanged, ${o.failed} failed${o.error ? ` (${o.error})` : ''}`,
    );
  }
  if (result.people) {
    const p = result.people;
    const verb = result.dryRun ? 'to add' : 'added';
    lines.push(
      `people: ${p.membersAdded.length} members ${verb}${p.membersAdded.length ? ` (${p.membersAdded.join(', ')})` : ''}, ${p.membersPresent} already members; ${p.collaboratorsAdded} project collaborators ${verb}, ${p.collaboratorsPresent} already there${p.error ? `; failed: ${p.error}` : ''}`,
    );
    for (const u of p.unmatched) lines.push(`  not carried over: ${u.email}: ${u.reason}`);
  }
  lines.push(
    `${result.seconds.toFixed(1)} s, ${result.source_requests} source requests${result.rateLimited ? `, rate-limited ${result.rateLimited} times (waited ${result.waitedSeconds.toFixed(1)} s)` : ''}`,
  );
  return lines.join('\n');
}

export function registerMigrate(program: Command): void {
  withTarget(
    program
      .command('migrate')
      .description(
        'copy a QuantConnect organization (projects, files, parameters, libraries; optionally the object store and backtests) into an organization of this server',
      )
      .option('--from <url>', 'the source API (any QuantConnect API v2 server)', QUANTCONNECT_API)
      .option('--user-id <id>', "source user id (default: QC_USER_ID, else lean-cli's ~/.lean/credentials)")
      .option('--api-token <token>', "source API token (default: QC_API_TOKEN, else lean-cli's ~/.lean/credentials)")
      .option('--from-org <id>', "the source organization (default: the source account's)")
      .option('--org <id>', "the organization here (default: the first admin's)", orgId)
      .option('--dry-run', 'print the plan; write nothing')
      .option('--with-object-store', "also copy the source organization's object store")
      .option('--with-backtests', 'also copy finished backtests (statistics, charts, orders, insights, report, log), stored read-only')
      .option(
        '--with-optimizations',
        'also copy ended optimizations (their backtests with parameters and statistics), stored read-only; running ones are listed as skipped',
      )
      .option(
        '--with-live',
        "list each project's live deployment on the source with the lean cloud live deploy command that redeploys it here (nothing is started; brokerage credentials are never copied)",
      )
      .option('--report-wait <seconds>', 'how long --with-backtests waits for a report the source is still generating', wholeNumber(0, 600), 60)
      .option(
        '--with-collaborators',
        'also carry over organization members and project collaborators, matched by email to users of this server (none are created)',
      )
      .option('--verify', 'afterwards compile every imported project here and report which fail (exit code 1 if any does)')
      .option('--verify-timeout <seconds>', 'how long --verify waits for one build (C# builds need the running server)', positiveInt(86_400), 600)
      .option('--concurrency <n>', 'projects imported at once', positiveInt(16), 4)
      .option(
        '--retries <n>',
        'retries of a source request that fails on the network or with HTTP 5xx, before the project counts as failed',
        positiveInt(20),
        4,
      )
      .option('--quiet', 'no progress output'),
  ).action(async (options: MigrateCliOptions) => {
    let close: (() => Promise<void>) | undefined;
    let result: MigrationResult;
    const shown = progress(options.quiet);
    try {
      const creds = sourceCredentials(options);
      if (!/^https?:\/\/\S+$/.test(options.from)) throw new Error('--from: must be an http(s) URL such as https://www.quantconnect.com/api/v2/');
      const source = new QcSource(options.from, creds, {
        maxRetries: options.retries,
        onWait: (ms, why) => shown.note(`source ${why}: waiting ${(ms / 1000).toFixed(1)} s`),
      });
      // The source is checked before anything here is opened: wrong credentials write nothing.
      await source.authenticate();
      const sourceOrganizationId = await source.organizationId(options.fromOrg);
      const target = await openTarget(options);
      close = () => target.close();
      // C# builds go to the job queue of the running server (local) or the jobs stack (deployed).
      if (options.verify && target.jobsQueueUrl && !process.env.JOBS_QUEUE_URL) {
        process.env.JOBS_QUEUE_URL = target.jobsQueueUrl;
        resetConfig();
      }
      const organizationId = await targetOrganization(options);
      const principal = await actingAdmin(organizationId, options.as);
      result = await migrate({
        source,
        sourceOrganizationId,
        principal,
        organizationId,
        dryRun: options.dryRun,
        withObjectStore: options.withObjectStore,
        withBacktests: options.withBacktests,
        withCollaborators: options.withCollaborators,
        withOptimizations: options.withOptimizations,
        withLive: options.withLive,
        reportWaitMs: options.reportWait * 1000,
        verify: options.verify,
        verifyTimeoutMs: options.verifyTimeout * 1000,
        concurrency: options.concurrency,
        events: shown.events,
      });
    } catch (err) {
      shown.stop();
      await close?.().catch(() => undefined);
      fail(describeError(err));
    }
    shown.stop();
    await close?.().catch(() => undefined);
    process.stdout.write(`${options.json ? JSON.stringify(result, null, 2) : summaryText(result)}\n`);
    const failed =
      result.projects.some(
        (p) =>
          p.action === 'failed' ||
          p.action === 'conflict' ||
          Boolean(p.backtests?.failed || p.optimizations?.failed) ||
          (p.verify && p.verify.state !== 'BuildSuccess'),
      ) || Boolean(result.objects?.failed || result.objects?.error || result.people?.error);
    process.exit(failed ? 1 : 0);
  });
}
