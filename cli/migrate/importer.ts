import { createHash } from 'node:crypto';
import type { Chart } from '../../core/data/results/result-model';
import { type BacktestImport, importBacktest, importedBacktestIds } from '../../core/domain/backtests/backtest-import';
import type { ParameterValue } from '../../core/domain/backtests/types';
import { fileService } from '../../core/domain/files/file-service';
import { objectStoreService } from '../../core/domain/objects/object-store-service';
import { projectService } from '../../core/domain/projects/project-service';
import { mapLimit } from '../../core/shared/concurrency';
import { NotFoundError } from '../../core/shared/errors';
import type { Principal } from '../../core/shared/principal';
import { QcBacktests, type QcSource, type SourceBacktest, type SourceFile, type SourceProject } from './source';

/**
 * Imports a source organization into one of this server's organizations through the domain
 * services (never raw table writes). Projects are matched by name, so a re-run finds what an
 * earlier run imported; a project is written only when its content hash (language, description,
 * parameters, files, library names) differs from the target's, and then in one update, so the
 * target never holds half of a project's new file set. Libraries are linked in a second pass,
 * once every project exists, to the imported ids.
 */
export type ProjectAction = 'create' | 'update' | 'unchanged' | 'conflict' | 'failed';

export interface ProjectOutcome {
  name: string;
  sourceId: number;
  targetId?: number;
  action: ProjectAction;
  files: number;
  libraries: string[];
  hash?: string;
  error?: string;
  backtests?: BacktestOutcome;
}

export interface BacktestOutcome {
  imported: number;
  unchanged: number;
  failed: number;
  error?: string;
}

export interface ObjectOutcome {
  imported: number;
  unchanged: number;
  failed: number;
  bytes: number;
  error?: string;
}

export interface MigrationResult {
  source: string;
  sourceOrganizationId: string;
  organizationId: string;
  dryRun: boolean;
  projects: ProjectOutcome[];
  objects?: ObjectOutcome;
  seconds: number;
  source_requests: number;
  rateLimited: number;
  waitedSeconds: number;
}

export interface MigrationEvents {
  projectsStart?(total: number): void;
  projectStart?(name: string): void;
  projectDone?(outcome: ProjectOutcome): void;
  objectsStart?(total: number): void;
  objectsProgress?(done: number): void;
}

interface Desired {
  name: string;
  language: 'Py' | 'C#';
  description: string;
  parameters: { key: string; value: string }[];
  files: SourceFile[];
  libraryNames: string[];
}

/** The content hash compared between source and target: everything a project import writes. */
export function projectHash(p: Desired): string {
  const hash = createHash('sha256');
  const files = [...p.files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  hash.update(JSON.stringify([p.language, p.description, p.parameters.map((x) => [x.key, x.value]), [...p.libraryNames].sort()]));
  for (const f of files) hash.update(`\0${f.name}\0${createHash('sha256').update(f.content).digest('hex')}`);
  return hash.digest('hex');
}

interface TargetProject {
  projectId: number;
  name: string;
  language: 'Py' | 'C#';
  description: string;
  parameters: { key: string; value: string }[];
  libraries: { projectId: number; libraryName: string }[];
}

async function targetProjects(principal: Principal, organizationId: string): Promise<Map<string, TargetProject>> {
  const answer = await projectService.read(principal, { organizationId });
  return new Map(
    answer.projects.map((p) => [
      p.name,
      {
        projectId: p.projectId,
        name: p.name,
        language: p.language,
        description: p.description,
        parameters: p.parameters.map(({ key, value }) => ({ key, value })),
        libraries: p.libraries,
      },
    ]),
  );
}

async function targetFiles(principal: Principal, projectId: number): Promise<SourceFile[]> {
  const { files } = await fileService.read(principal, { projectId });
  return files.filter((f) => !f.isLibrary).map((f) => ({ name: f.name, content: f.content }));
}

export interface MigrateOptions {
  source: QcSource;
  sourceOrganizationId: string;
  principal: Principal;
  organizationId: string;
  dryRun?: boolean;
  withObjectStore?: boolean;
  withBacktests?: boolean;
  concurrency?: number;
  events?: MigrationEvents;
}

export async function migrate(options: MigrateOptions): Promise<MigrationResult> {
  const started = performance.now();
  const { source, principal, organizationId, events = {} } = options;
  const dryRun = options.dryRun ?? false;
  const sourceProjects = await source.projects(options.sourceOrganizationId);
  const nameOfSource = new Map(sourceProjects.map((p) => [p.projectId, p.name]));
  const existing = await targetProjects(principal, organizationId);
  events.projectsStart?.(sourceProjects.length);

  // Pass 1: each project's settings and files, one project at a time per worker.
  const outcomes = await mapLimit(sourceProjects, options.concurrency ?? 4, async (sp): Promise<ProjectOutcome> => {
    events.projectStart?.(sp.name);
    const libraryNames = sp.libraries.flatMap((id) => nameOfSource.get(id) ?? []);
    const base: ProjectOutcome = { name: sp.name, sourceId: sp.projectId, action: 'failed', files: 0, libraries: libraryNames };
    let outcome: ProjectOutcome;
    try {
      outcome = await importProject(sp, libraryNames, existing.get(sp.name), principal, organizationId, source, dryRun);
    } catch (err) {
      outcome = { ...base, error: (err as Error).message };
    }
    events.projectDone?.(outcome);
    return outcome;
  });

  // Pass 2: library links, re-pointed to the imported ids (by name, as projects are matched).
  const targetIdOf = new Map(outcomes.flatMap((o) => (o.targetId !== undefined ? [[o.name, o.targetId] as const] : [])));
  const planned = new Set(outcomes.filter((o) => o.action !== 'failed' && o.action !== 'conflict').map((o) => o.name));
  for (const [i, sp] of sourceProjects.entries()) {
    const outcome = outcomes[i] as ProjectOutcome;
    if (outcome.action === 'failed' || outcome.action === 'conflict') continue;
    const missing = outcome.libraries.filter((name) => !targetIdOf.has(name) && !(dryRun && planned.has(name)));
    if (missing.length || sp.libraries.length !== outcome.libraries.length) {
      outcome.error = `library not imported: ${missing.join(', ') || 'a library outside the source organization'}`;
    }
    const wanted = outcome.libraries.flatMap((name) => targetIdOf.get(name) ?? []);
    const current = existing.get(sp.name)?.libraries.map((l) => l.projectId) ?? [];
    const same = wanted.length === current.length && wanted.every((id) => current.includes(id));
    if (same || outcome.targetId === undefined) continue;
    if (dryRun) {
      if (outcome.action === 'unchanged') outcome.action = 'update';
      continue;
    }
    try {
      await projectService.update(principal, { projectId: outcome.targetId, libraries: wanted });
      if (outcome.action === 'unchanged') outcome.action = 'update';
    } catch (err) {
      outcome.action = 'failed';
      outcome.error = `linking libraries: ${(err as Error).message}`;
    }
  }

  if (options.withBacktests) {
    const backtests = new QcBacktests(source);
    await mapLimit(
      sourceProjects.map((sp, i) => [sp, outcomes[i] as ProjectOutcome] as const),
      options.concurrency ?? 4,
      async ([sp, outcome]) => {
        if (outcome.action === 'failed' || outcome.action === 'conflict') return;
        outcome.backtests = await importBacktests(backtests, sp.projectId, outcome.targetId, principal, source.base, dryRun);
      },
    );
  }

  const objects = options.withObjectStore ? await importObjects(options, dryRun, events) : undefined;
  return {
    source: source.base,
    sourceOrganizationId: options.sourceOrganizationId,
    organizationId,
    dryRun,
    projects: outcomes,
    ...(objects ? { objects } : {}),
    seconds: (performance.now() - started) / 1000,
    source_requests: source.stats.requests,
    rateLimited: source.stats.rateLimited,
    waitedSeconds: source.stats.waitedMs / 1000,
  };
}

async function importProject(
  sp: SourceProject,
  libraryNames: string[],
  target: TargetProject | undefined,
  principal: Principal,
  organizationId: string,
  source: QcSource,
  dryRun: boolean,
): Promise<ProjectOutcome> {
  const files = await source.files(sp.projectId);
  const desired: Desired = { name: sp.name, language: sp.language, description: sp.description, parameters: sp.parameters, files, libraryNames };
  const hash = projectHash(desired);
  const outcome: ProjectOutcome = { name: sp.name, sourceId: sp.projectId, action: 'create', files: files.length, libraries: libraryNames, hash };
  if (target) {
    outcome.targetId = target.projectId;
    if (target.language !== sp.language) {
      return { ...outcome, action: 'conflict', error: `a ${target.language} project of this name exists here; the source's is ${sp.language}` };
    }
    const current: Desired = {
      name: target.name,
      language: target.language,
      description: target.description,
      parameters: target.parameters,
      files: await targetFiles(principal, target.projectId),
      // Library links are compared (and written) in pass 2.
      libraryNames,
    };
    if (projectHash(current) === hash) return { ...outcome, action: 'unchanged' };
    outcome.action = 'update';
  }
  if (dryRun) return outcome;
  const projectId = target?.projectId ?? (await projectService.create(principal, { name: sp.name, language: sp.language, organizationId })).project.id;
  outcome.targetId = projectId;
  await projectService.update(principal, { projectId, description: sp.description, parameters: sp.parameters, files });
  return outcome;
}

const OBJECT_BATCH = 50;
const OBJECT_BATCH_BYTES = 8 * 1024 * 1024;

async function importObjects(options: MigrateOptions, dryRun: boolean, events: MigrationEvents): Promise<ObjectOutcome> {
  const { source, principal, organizationId, sourceOrganizationId } = options;
  const result: ObjectOutcome = { imported: 0, unchanged: 0, failed: 0, bytes: 0 };
  let keys: { key: string; size: number }[];
  try {
    keys = await source.objectKeys(sourceOrganizationId);
  } catch (err) {
    return { ...result, error: (err as Error).message };
  }
  events.objectsStart?.(keys.length);
  // Batches of at most OBJECT_BATCH keys and OBJECT_BATCH_BYTES (one object larger than that goes alone):
  // the source zips each batch into one download, and servers cap its size.
  const batches: (typeof keys)[] = [];
  for (const k of keys) {
    const last = batches.at(-1);
    const bytes = (last ?? []).reduce((sum, o) => sum + o.size, 0);
    if (last && last.length < OBJECT_BATCH && bytes + k.size <= OBJECT_BATCH_BYTES) last.push(k);
    else batches.push([k]);
  }
  let done = 0;
  for (const batch of batches) {
    let contents: Map<string, Uint8Array>;
    try {
      contents = await source.objects(
        sourceOrganizationId,
        batch.map((k) => k.key),
      );
    } catch (err) {
      result.failed += batch.length;
      result.error = (err as Error).message;
      continue;
    }
    for (const { key } of batch) {
      const data = contents.get(key);
      if (!data) {
        result.failed++;
        continue;
      }
      const md5 = createHash('md5').update(data).digest('hex');
      const here = await objectStoreService.properties(principal, { organizationId, key }).catch((err: unknown) => {
        if (err instanceof NotFoundError) return undefined;
        throw err;
      });
      if (here?.metadata.md5 === md5) {
        result.unchanged++;
        continue;
      }
      if (!dryRun) await objectStoreService.set(principal, { organizationId, key, objectData: Buffer.from(data) });
      result.imported++;
      result.bytes += data.length;
    }
    done += batch.length;
    events.objectsProgress?.(done);
  }
  return result;
}

/** One project's finished backtests: those not imported before are read in full and stored read-only. */
async function importBacktests(
  backtests: QcBacktests,
  sourceProjectId: number,
  targetId: number | undefined,
  principal: Principal,
  sourceUrl: string,
  dryRun: boolean,
): Promise<BacktestOutcome> {
  const result: BacktestOutcome = { imported: 0, unchanged: 0, failed: 0 };
  try {
    const listed = (await backtests.list(sourceProjectId)).filter((b) => b.completed);
    const done = targetId === undefined ? new Set<string>() : await importedBacktestIds(principal, targetId, sourceUrl);
    for (const summary of listed) {
      if (done.has(summary.backtestId)) {
        result.unchanged++;
        continue;
      }
      if (dryRun || targetId === undefined) {
        result.imported++;
        continue;
      }
      try {
        const read = await backtests.read(sourceProjectId, summary.backtestId);
        await importBacktest(principal, targetId, toImport(read, summary.backtestId, sourceUrl));
        result.imported++;
      } catch (err) {
        result.failed++;
        result.error = (err as Error).message;
      }
    }
  } catch (err) {
    result.failed++;
    result.error = (err as Error).message;
  }
  return result;
}

const objectOr = <T extends object>(value: unknown, fallback: T): T => (value && typeof value === 'object' && !Array.isArray(value) ? (value as T) : fallback);

/** QuantConnect's "2023-09-15 16:23:31" (UTC) as ISO; now when absent or unreadable. */
function isoOf(value: unknown): string {
  const parsed = typeof value === 'string' ? Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`) : Number.NaN;
  return Number.isFinite(parsed) ? new Date(parsed).toISOString() : new Date().toISOString();
}

export function toImport(read: SourceBacktest, sourceBacktestId: string, source: string): BacktestImport {
  const b = read.backtest;
  const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  return {
    source,
    sourceBacktestId,
    name: text(b.name) ?? sourceBacktestId,
    note: text(b.note) ?? '',
    tags: Array.isArray(b.tags) ? b.tags.map(String) : [],
    created: isoOf(b.created),
    parameterSet: objectOr<Record<string, ParameterValue>>(b.parameterSet, {}),
    summary: {
      statistics: objectOr(b.statistics, {}),
      runtimeStatistics: objectOr(b.runtimeStatistics, {}),
      totalPerformance: b.totalPerformance && typeof b.totalPerformance === 'object' ? (b.totalPerformance as Record<string, unknown>) : null,
      rollingWindow: objectOr(b.rollingWindow, {}),
      state: { Status: 'Completed' },
      ...(text(b.backtestStart) ? { backtestStart: text(b.backtestStart) } : {}),
      ...(text(b.backtestEnd) ? { backtestEnd: text(b.backtestEnd) } : {}),
    },
    charts: read.charts.map((c) => ({ ...c, name: String(c.name), series: objectOr(c.series, {}) }) as Chart),
    orders: read.orders,
    insights: read.insights,
  };
}
