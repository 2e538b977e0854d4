import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { importBacktest } from '../../core/domain/backtests/backtest-import';
import { backtestResultsService } from '../../core/domain/backtests/backtest-results-service';
import { backtestService } from '../../core/domain/backtests/backtest-service';
import { fileService } from '../../core/domain/files/file-service';
import { identityService } from '../../core/domain/identity/identity-service';
import { objectStoreService } from '../../core/domain/objects/object-store-service';
import { projectService } from '../../core/domain/projects/project-service';
import type { Language, Project, ProjectProvenance } from '../../core/domain/projects/types';
import { NotFoundError } from '../../core/shared/errors';
import type { Principal } from '../../core/shared/principal';
import { type CommonOptions, describeError, fail, withTarget } from '../admin/action';
import { fields } from '../admin/output';
import { orgId } from '../admin/parse';
import { openTarget } from '../admin/target';
import { toImport } from '../migrate/importer';
import { actingAdmin, targetOrganization } from '../migrate/index';
import type { SourceBacktest } from '../migrate/source';
import { ArchiveWriter, readRecords, verifyArchive } from './archive';

/**
 * `lcs backup <file>` and `lcs restore <file>`: one organization to a streamed, versioned archive
 * (docs/backup-format.md) and back into an empty organization of any instance, through the domain
 * services while the server keeps serving. Never written: tokens, key secrets, brokerage credentials.
 */
interface BackupCliOptions extends CommonOptions {
  org?: string;
  force?: boolean;
}

const PAGE = 100;
const CHART_POINTS = 100_000;

async function backupOrganization(file: string, principal: Principal, organizationId: string) {
  const org = await identityService.getOrganization(organizationId);
  const writer = new ArchiveWriter(file, { created: new Date().toISOString(), organization: { id: org.id, name: org.name } });
  const counts = { members: 0, projects: 0, files: 0, objects: 0, objectBytes: 0, backtests: 0 };
  try {
    const members = await identityService.listMembers(organizationId);
    const users = await identityService.getUsers(members.map((m) => m.userId));
    for (const m of members) {
      const user = users.get(m.userId);
      await writer.write({ type: 'member', name: user?.name ?? '', email: user?.email ?? '', role: m.role });
      counts.members++;
    }
    // Each project's version now and at the end: a project whose version did not move was backed up
    // exactly as it was when the backup started (docs/backup-format.md, Consistency).
    const atStart = await projectService.listStored(principal, organizationId);
    const { projects } = await projectService.read(principal, { organizationId });
    const provenanceOf = new Map(atStart.map((s) => [s.project.id, s.project.importedFrom]));
    // By name, so two backups of the same content are the same records in the same order.
    for (const p of [...projects].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      // One read of the project's files: the set as it was at one moment, even while others push.
      // A project deleted since the listing is left out (and reported as changed).
      const files = await fileService.read(principal, { projectId: p.projectId }).then(
        (answer) => answer.files,
        (err: unknown) => {
          if (err instanceof NotFoundError) return undefined;
          throw err;
        },
      );
      if (!files) continue;
      await writer.write({
        type: 'project',
        name: p.name,
        language: p.language,
        description: p.description,
        parameters: p.parameters.map(({ key, value }) => ({ key, value })),
        libraries: p.libraries.map((l) => l.libraryName),
        leanVersionId: p.leanVersionId,
        leanEnvironment: p.leanEnvironment,
        ...(provenanceOf.get(p.projectId) ? { importedFrom: provenanceOf.get(p.projectId) } : {}),
      });
      counts.projects++;
      for (const f of files.filter((x) => !x.isLibrary)) {
        await writer.write({ type: 'file', project: p.name, name: f.name, content: f.content });
        counts.files++;
      }
      const { backtests } = await backtestService.list(principal, p.projectId, false).catch((err: unknown) => {
        if (err instanceof NotFoundError) return { backtests: [] };
        throw err;
      });
      for (const b of backtests.filter((x) => x.status === 'Completed.')) {
        const read = await readBacktest(principal, p.projectId, b.backtestId).catch((err: unknown) => {
          if (err instanceof NotFoundError) return undefined;
          throw err;
        });
        if (!read) continue;
        await writer.write({ type: 'backtest', project: p.name, backtestId: b.backtestId, ...read });
        counts.backtests++;
      }
    }
    for await (const o of objectStoreService.entries(organizationId)) {
      await writer.write({ type: 'object', key: o.key, data: o.data.toString('base64') });
      counts.objects++;
      counts.objectBytes += o.data.length;
    }
    const atEnd = await projectService.listStored(principal, organizationId);
    const { records, sha256 } = await writer.close();
    return { organizationId, file, records, sha256, ...counts, changedDuringBackup: changedProjects(atStart, atEnd) };
  } catch (err) {
    writer.abort();
    throw err;
  }
}

async function readBacktest(principal: Principal, projectId: number, backtestId: string): Promise<SourceBacktest> {
  const { backtest } = await backtestService.read(principal, projectId, backtestId);
  const charts = [];
  for (const name of Object.keys(backtest.charts)) {
    const answer = await backtestResultsService.chart(principal, { projectId, backtestId, name, count: CHART_POINTS });
    if ('chart' in answer && answer.chart) charts.push(answer.chart as unknown as Record<string, unknown>);
  }
  const pages = async (read: (start: number) => Promise<Record<string, unknown>[]>) => {
    const all: Record<string, unknown>[] = [];
    for (let start = 0; ; start += PAGE) {
      const items = await read(start);
      all.push(...items);
      if (items.length < PAGE) return all;
    }
  };
  return {
    backtest: backtest as unknown as Record<string, unknown>,
    charts,
    orders: await pages(async (start) => (await backtestResultsService.orders(principal, { projectId, backtestId, start, end: start + PAGE })).orders),
    insights: await pages(async (start) => (await backtestResultsService.insights(principal, { projectId, backtestId, start, end: start + PAGE })).insights),
  };
}

/** Names of the projects written to, created or deleted between two listings, sorted. */
function changedProjects(before: { project: Project; version: number }[], after: { project: Project; version: number }[]): string[] {
  const versionBefore = new Map(before.map((s) => [s.project.id, s.version]));
  const versionAfter = new Map(after.map((s) => [s.project.id, s.version]));
  const changed = [...before.filter((s) => versionAfter.get(s.project.id) !== s.version), ...after.filter((s) => !versionBefore.has(s.project.id))].map(
    (s) => s.project.name,
  );
  return [...new Set(changed)].sort();
}

/** A project record's `importedFrom`, kept when it has the shape lcs migrate writes. */
function provenance(value: unknown): { importedFrom?: ProjectProvenance } {
  const v = value as Partial<ProjectProvenance> | undefined;
  if (!v || typeof v.source !== 'string' || typeof v.organizationId !== 'string' || !Number.isInteger(v.projectId)) return {};
  return { importedFrom: { source: v.source, organizationId: v.organizationId, projectId: v.projectId as number } };
}

/** Restores a verified archive into an empty organization: projects and files, then library links, backtests and objects as they come. */
async function restoreOrganization(file: string, principal: Principal, organizationId: string, verified: Awaited<ReturnType<typeof verifyArchive>>) {
  const { header, records } = verified;
  const existing = await projectService.read(principal, { organizationId });
  if (existing.projects.length) {
    throw new Error(`organization ${organizationId} is not empty (${existing.projects.length} projects); restore into an empty organization`);
  }
  const counts = { members: 0, membersSkipped: [] as string[], projects: 0, files: 0, objects: 0, backtests: 0 };
  const idOf = new Map<string, number>();
  const librariesOf = new Map<number, string[]>();
  let pending: { projectId: number; record: Record<string, unknown>; files: { name: string; content: string }[] } | undefined;
  const flush = async () => {
    if (!pending) return;
    const r = pending.record;
    await projectService.update(principal, {
      projectId: pending.projectId,
      description: String(r.description ?? ''),
      parameters: (r.parameters as { key: string; value: string }[]) ?? [],
      files: pending.files,
      ...(typeof r.leanVersionId === 'number' ? { versionId: r.leanVersionId } : {}),
      ...(typeof r.leanEnvironment === 'number' ? { leanEnvironment: r.leanEnvironment } : {}),
    });
    pending = undefined;
  };
  const source = `backup:${header.organization.id}`;
  for await (const record of readRecords(file)) {
    if (record.type !== 'file') await flush();
    switch (record.type) {
      case 'member': {
        const user = await identityService.findUserByEmail(String(record.email));
        if (!user) {
          counts.membersSkipped.push(String(record.email));
          break;
        }
        if (!(await identityService.findMember(organizationId, user.id))) await identityService.addMember(organizationId, user.id, record.role as 'admin');
        counts.members++;
        break;
      }
      case 'project': {
        const created = await projectService.create(principal, {
          name: String(record.name),
          language: record.language as Language,
          organizationId,
          ...provenance(record.importedFrom),
        });
        idOf.set(String(record.name), created.project.id);
        librariesOf.set(created.project.id, (record.libraries as string[]) ?? []);
        pending = { projectId: created.project.id, record, files: [] };
        counts.projects++;
        break;
      }
      case 'file':
        pending?.files.push({ name: String(record.name), content: String(record.content) });
        counts.files++;
        break;
      case 'backtest': {
        const projectId = idOf.get(String(record.project));
        if (projectId === undefined) throw new Error(`${file} is damaged: a backtest of unknown project ${String(record.project)}`);
        await importBacktest(principal, projectId, toImport(record as unknown as SourceBacktest, String(record.backtestId), source));
        counts.backtests++;
        break;
      }
      case 'object':
        await objectStoreService.set(principal, { organizationId, key: String(record.key), objectData: Buffer.from(String(record.data), 'base64') });
        counts.objects++;
        break;
      default:
        // Records of later minor additions are skipped; the version says when that is unsafe.
        break;
    }
  }
  await flush();
  for (const [projectId, names] of librariesOf) {
    const ids = names.flatMap((n) => idOf.get(n) ?? []);
    if (ids.length) await projectService.update(principal, { projectId, libraries: ids });
  }
  return { organizationId, file, from: header.organization, created: header.created, records, ...counts };
}

export function registerBackup(program: Command): void {
  const run =
    (kind: 'backup' | 'restore') =>
    async (file: string, options: BackupCliOptions): Promise<void> => {
      let close: (() => Promise<void>) | undefined;
      let result: Record<string, unknown>;
      try {
        const path = resolve(file);
        if (kind === 'backup' && existsSync(path) && !options.force) throw new Error(`${path} exists; pass --force to replace it`);
        // A restore checks the whole archive before it opens the target.
        const verified = kind === 'restore' ? await verifyArchive(path) : undefined;
        const target = await openTarget(options);
        close = () => target.close();
        const organizationId = await targetOrganization(options);
        const principal = await actingAdmin(organizationId, options.as);
        result =
          kind === 'backup'
            ? await backupOrganization(path, principal, organizationId)
            : await restoreOrganization(path, principal, organizationId, verified as Awaited<ReturnType<typeof verifyArchive>>);
      } catch (err) {
        await close?.().catch(() => undefined);
        fail(describeError(err));
      }
      await close?.().catch(() => undefined);
      const text = fields(Object.entries(result).map(([k, v]): [string, string] => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]));
      process.stdout.write(`${options.json ? JSON.stringify(result, null, 2) : text}\n`);
      process.exit(0);
    };
  withTarget(
    program
      .command('backup')
      .description('write one organization (projects, files, libraries, object store, backtests, members by name; never credentials) to an archive')
      .argument('<file>', 'the archive to write (gzip-compressed JSON lines, docs/backup-format.md)')
      .option('--org <id>', "the organization (default: the first admin's)", orgId)
      .option('--force', 'replace an existing file'),
  ).action(run('backup'));
  withTarget(
    program
      .command('restore')
      .description('restore an archive into an empty organization of this server (checked in full before anything is written)')
      .argument('<file>', 'an archive written by lcs backup')
      .option('--org <id>', "the empty organization to restore into (default: the first admin's)", orgId),
  ).action(run('restore'));
}
