import { createHash } from 'node:crypto';
import type { Chart } from '../../core/data/results/result-model';
import { type BacktestImport, importBacktest, importedBacktestIds } from '../../core/domain/backtests/backtest-import';
import type { ParameterValue } from '../../core/domain/backtests/types';
import { compileReads } from '../../core/domain/compile/compile-reads';
import { compileService } from '../../core/domain/compile/compile-service';
import { inProcessSyntaxChecker } from '../../core/domain/compile/python-syntax';
import { fileService } from '../../core/domain/files/file-service';
import { identityService } from '../../core/domain/identity/identity-service';
import { objectStoreService } from '../../core/domain/objects/object-store-service';
import { collaborationService } from '../../core/domain/projects/collaboration-service';
import { projectService } from '../../core/domain/projects/project-service';
import type { Project, ProjectProvenance } from '../../core/domain/projects/types';
import { mapLimit } from '../../core/shared/concurrency';
import { ConflictError, NotFoundError } from '../../core/shared/errors';
import type { Principal } from '../../core/shared/principal';
import { importOptimizations, type LiveOutcome, liveDeployment, type OptimizationOutcome } from './history';
import { QcBacktests, type QcSource, type SourceBacktest, type SourceFile, type SourceProject } from './source';

/**
 * Imports a source organization into one of this server's organizations through the domain
 * services (never raw table writes). A project created here records where it came from (its
 * provenance: the source's address, organization and project id), and a re-run finds its earlier
 * imports by that alone (organization and project id): a project of the same name made here by
 * anyone else is never touched; the import is then created as `<name> (imported)` instead.
 * A project is written only when its content hash (language, description, parameters, files,
 * library names) differs from the target's, and then in one update, so the target never holds
 * half of a project's new file set. Libraries are linked in a second pass, once every project
 * exists, to the imported ids.
 */
export type ProjectAction = 'create' | 'update' | 'unchanged' | 'conflict' | 'failed';

export interface ProjectOutcome {
  /** The source's name. */
  name: string;
  sourceId: number;
  targetId?: number;
  /** The name here, when it differs from the source's (a project of that name already existed). */
  targetName?: string;
  action: ProjectAction;
  files: number;
  libraries: string[];
  hash?: string;
  error?: string;
  /** Why the name here differs, and similar remarks that are not failures. */
  note?: string;
  backtests?: BacktestOutcome;
  optimizations?: OptimizationOutcome;
  /** `--with-live`: the source's latest deployment of the project, to redeploy here by hand. */
  live?: LiveOutcome;
  verify?: VerifyOutcome;
}

/** `--verify`: the outcome of compiling the imported project here. */
export interface VerifyOutcome {
  state: 'BuildSuccess' | 'BuildError' | 'TimedOut' | 'Failed';
  compileId?: string;
  /** The build's error lines (BuildError), or why no build ran. */
  errors: string[];
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

/** `--with-collaborators`: people matched by email. */
export interface PeopleOutcome {
  /** Source members added to the organization here (by email), with the source's admin flag as their role. */
  membersAdded: string[];
  /** Source members who already belonged to the organization here (their role is left as it is). */
  membersPresent: number;
  /** Project collaborators added; ones already present are left as they are. */
  collaboratorsAdded: number;
  collaboratorsPresent: number;
  /** Source people not carried over, and why. */
  unmatched: { email: string; reason: string }[];
  error?: string;
}

export interface MigrationResult {
  source: string;
  sourceOrganizationId: string;
  organizationId: string;
  dryRun: boolean;
  projects: ProjectOutcome[];
  objects?: ObjectOutcome;
  people?: PeopleOutcome;
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

/** The target organization as an import sees it: its earlier imports from this source by source project id, and every name in use. */
interface TargetState {
  imported: Map<number, Project>;
  /** Lower-cased, as the server compares names; a name chosen for a new import is added at once. */
  names: Set<string>;
}

/**
 * Organization ids are random (32 hex digits on QuantConnect and here), so the source organization
 * identifies the source; its address is recorded but not compared, so the same server reached by
 * another URL (a proxy, `quantconnect.com` for `www.quantconnect.com`) still finds its imports.
 */
function isFrom(project: Project, sourceOrganizationId: string): boolean {
  return project.importedFrom?.organizationId === sourceOrganizationId;
}

async function targetState(principal: Principal, organizationId: string, sourceOrganizationId: string): Promise<TargetState> {
  const projects = (await projectService.listStored(principal, organizationId)).map((s) => s.project);
  return {
    imported: new Map(projects.filter((p) => isFrom(p, sourceOrganizationId)).map((p) => [p.importedFrom?.projectId as number, p])),
    names: new Set(projects.map((p) => p.name.toLowerCase())),
  };
}

/** The source's name if nobody here uses it, else `<name> (imported)`, `<name> (imported 2)`, …; reserved at once. */
function importName(name: string, names: Set<string>): string {
  let chosen = name;
  for (let n = 1; names.has(chosen.toLowerCase()); n++) chosen = `${name} (imported${n > 1 ? ` ${n}` : ''})`;
  names.add(chosen.toLowerCase());
  return chosen;
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
  withCollaborators?: boolean;
  withOptimizations?: boolean;
  withLive?: boolean;
  /** How long a backtest report the source is still generating is waited for (default: LEAN's minute). */
  reportWaitMs?: number;
  concurrency?: number;
  events?: MigrationEvents;
  /** Compile every imported project here afterwards and report the outcome (not in a dry run). */
  verify?: boolean;
  /** How long one compile may stay queued before it counts as timed out (C# builds need a running worker). */
  verifyTimeoutMs?: number;
}

export async function migrate(options: MigrateOptions): Promise<MigrationResult> {
  const started = performance.now();
  const { source, principal, organizationId, events = {} } = options;
  const dryRun = options.dryRun ?? false;
  const sourceProjects = await source.projects(options.sourceOrganizationId);
  const nameOfSource = new Map(sourceProjects.map((p) => [p.projectId, p.name]));
  const target = await targetState(principal, organizationId, options.sourceOrganizationId);
  const provenance = (sp: SourceProject): ProjectProvenance => ({ source: source.base, organizationId: options.sourceOrganizationId, projectId: sp.projectId });
  events.projectsStart?.(sourceProjects.length);

  // Pass 1: each project's settings and files, one project at a time per worker.
  const outcomes = await mapLimit(sourceProjects, options.concurrency ?? 4, async (sp): Promise<ProjectOutcome> => {
    events.projectStart?.(sp.name);
    const libraryNames = sp.libraries.flatMap((id) => nameOfSource.get(id) ?? []);
    const base: ProjectOutcome = { name: sp.name, sourceId: sp.projectId, action: 'failed', files: 0, libraries: libraryNames };
    let outcome: ProjectOutcome;
    try {
      outcome = await importProject(sp, libraryNames, target, provenance(sp), principal, organizationId, source, dryRun);
    } catch (err) {
      outcome = { ...base, error: (err as Error).message };
    }
    events.projectDone?.(outcome);
    return outcome;
  });

  // Pass 2: library links, re-pointed to the imported ids (by source id, as projects are matched).
  const targetIdOf = new Map(outcomes.flatMap((o) => (o.targetId !== undefined ? [[o.sourceId, o.targetId] as const] : [])));
  const planned = new Set(outcomes.filter((o) => o.action !== 'failed' && o.action !== 'conflict').map((o) => o.sourceId));
  for (const [i, sp] of sourceProjects.entries()) {
    const outcome = outcomes[i] as ProjectOutcome;
    if (outcome.action === 'failed' || outcome.action === 'conflict') continue;
    const missing = sp.libraries.filter((id) => !targetIdOf.has(id) && !(dryRun && planned.has(id)));
    if (missing.length) {
      const named = missing.flatMap((id) => nameOfSource.get(id) ?? []);
      outcome.error = `library not imported: ${named.join(', ') || 'a library outside the source organization'}`;
    }
    const wanted = sp.libraries.flatMap((id) => targetIdOf.get(id) ?? []);
    const current = target.imported.get(sp.projectId)?.libraries ?? [];
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
    const backtests = new QcBacktests(source, options.reportWaitMs);
    await mapLimit(
      sourceProjects.map((sp, i) => [sp, outcomes[i] as ProjectOutcome] as const),
      options.concurrency ?? 4,
      async ([sp, outcome]) => {
        if (outcome.action === 'failed' || outcome.action === 'conflict') return;
        outcome.backtests = await importBacktests(backtests, sp.projectId, outcome.targetId, principal, source.base, dryRun);
      },
    );
  }

  if (options.withOptimizations || options.withLive) {
    await mapLimit(
      sourceProjects.map((sp, i) => [sp, outcomes[i] as ProjectOutcome] as const),
      options.concurrency ?? 4,
      async ([sp, outcome]) => {
        if (outcome.action === 'failed' || outcome.action === 'conflict') return;
        if (options.withOptimizations) outcome.optimizations = await importOptimizations(source, sp.projectId, outcome.targetId, principal, dryRun);
        if (options.withLive) {
          const live = await liveDeployment(source, sp.projectId, outcome.targetName ?? sp.name).catch((err: unknown) => {
            outcome.error = [outcome.error, `reading its live deployment: ${(err as Error).message}`].filter(Boolean).join('; ');
            return undefined;
          });
          if (live) outcome.live = live;
        }
      },
    );
  }

  const objects = options.withObjectStore ? await importObjects(options, dryRun, events) : undefined;
  const people = options.withCollaborators ? await importPeople(options, sourceProjects, outcomes, dryRun) : undefined;
  if (options.verify && !dryRun) {
    await mapLimit(outcomes, options.concurrency ?? 4, async (outcome) => {
      if (outcome.targetId === undefined || outcome.action === 'failed' || outcome.action === 'conflict') return;
      outcome.verify = await verifyProject(principal, outcome.targetId, options.verifyTimeoutMs ?? 600_000);
    });
  }
  return {
    source: source.base,
    sourceOrganizationId: options.sourceOrganizationId,
    organizationId,
    dryRun,
    projects: outcomes,
    ...(objects ? { objects } : {}),
    ...(people ? { people } : {}),
    seconds: (performance.now() - started) / 1000,
    source_requests: source.stats.requests,
    rateLimited: source.stats.rateLimited,
    waitedSeconds: source.stats.waitedMs / 1000,
  };
}

async function importProject(
  sp: SourceProject,
  libraryNames: string[],
  state: TargetState,
  importedFrom: ProjectProvenance,
  principal: Principal,
  organizationId: string,
  source: QcSource,
  dryRun: boolean,
): Promise<ProjectOutcome> {
  const files = await source.files(sp.projectId);
  const desired: Desired = { name: sp.name, language: sp.language, description: sp.description, parameters: sp.parameters, files, libraryNames };
  const hash = projectHash(desired);
  const outcome: ProjectOutcome = { name: sp.name, sourceId: sp.projectId, action: 'create', files: files.length, libraries: libraryNames, hash };
  const target = state.imported.get(sp.projectId);
  if (target) {
    outcome.targetId = target.id;
    if (target.name !== sp.name) outcome.targetName = target.name;
    if (target.language !== sp.language) {
      return { ...outcome, action: 'conflict', error: `imported here as a ${target.language} project; the source's is now ${sp.language}` };
    }
    const current: Desired = {
      name: target.name,
      language: target.language,
      description: target.description,
      parameters: target.parameters.map(({ key, value }) => ({ key, value })),
      files: await targetFiles(principal, target.id),
      // Library links are compared (and written) in pass 2.
      libraryNames,
    };
    if (projectHash(current) === hash) return { ...outcome, action: 'unchanged' };
    outcome.action = 'update';
  } else {
    // A project here of the same name that this source did not create is someone's own: left alone.
    const name = importName(sp.name, state.names);
    if (name !== sp.name) {
      outcome.targetName = name;
      outcome.note = `${dryRun ? 'to be created' : 'created'} as '${name}': a project named '${sp.name}' already exists here`;
    }
  }
  if (dryRun) return outcome;
  const projectId =
    target?.id ??
    (await projectService.create(principal, { name: outcome.targetName ?? sp.name, language: sp.language, organizationId, importedFrom })).project.id;
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
    ...(read.report !== undefined ? { report: read.report } : {}),
    ...(read.log !== undefined ? { log: read.log } : {}),
  };
}

const VERIFY_POLL_MS = 500;

/** Compiles one imported project here as lean-cli does (create, then read until it leaves the queue); the error lines of a failed build. */
export async function verifyProject(principal: Principal, projectId: number, timeoutMs: number): Promise<VerifyOutcome> {
  let compileId: string;
  try {
    // The CLI checks Python syntax itself, as the local server does (no syntax-check function to call).
    compileId = (await compileService.createCompile(principal, projectId, inProcessSyntaxChecker)).answer.compileId;
  } catch (err) {
    const message = (err as Error).message;
    // A C# build is queued for a worker: without the running server's (or the jobs stack's) queue there is none.
    return {
      state: 'Failed',
      errors: [/JOBS_QUEUE_URL/.test(message) ? 'C# builds need the running server (npm start) or a deployed stack with its jobs stack' : message],
    };
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const read = await compileReads.readCompile(principal, projectId, compileId).catch((err: unknown) => ({ state: 'Failed' as const, error: err as Error }));
    if ('error' in read) return { state: 'Failed', compileId, errors: [read.error.message] };
    if (read.state === 'BuildSuccess') return { state: 'BuildSuccess', compileId, errors: [] };
    if (read.state === 'BuildError') {
      const errors = read.logs.filter((line) => /error/i.test(line));
      return { state: 'BuildError', compileId, errors: errors.length ? errors : read.logs };
    }
    if (Date.now() >= deadline) {
      return {
        state: 'TimedOut',
        compileId,
        errors: [`still ${read.state} after ${Math.round(timeoutMs / 1000)} s (C# builds need the server's worker running)`],
      };
    }
    await new Promise((done) => setTimeout(done, VERIFY_POLL_MS));
  }
}

/**
 * Members and collaborators, matched by email to users of this server (never created here): a
 * source member missing from the organization here joins it (admin if an admin there, else
 * member); a project's source collaborators are added to the imported project with their write
 * and live-control permissions. Nothing is removed or downgraded, so a re-run adds only what is
 * new. People with no user of the same email here are reported.
 */
async function importPeople(options: MigrateOptions, sourceProjects: SourceProject[], outcomes: ProjectOutcome[], dryRun: boolean): Promise<PeopleOutcome> {
  const { source, principal, organizationId } = options;
  const result: PeopleOutcome = { membersAdded: [], membersPresent: 0, collaboratorsAdded: 0, collaboratorsPresent: 0, unmatched: [] };
  const userIdOf = new Map<string, number | undefined>();
  const reported = new Set<string>();
  const skip = (email: string, reason: string) => {
    if (reported.has(email.toLowerCase())) return;
    reported.add(email.toLowerCase());
    result.unmatched.push({ email, reason });
  };
  const userOf = async (email: string) => {
    const key = email.trim().toLowerCase();
    if (!userIdOf.has(key)) userIdOf.set(key, (await identityService.findUserByEmail(email.trim()))?.id);
    return userIdOf.get(key);
  };
  try {
    const inOrg = new Set((await identityService.listMembers(organizationId)).map((m) => m.userId));
    const collaboratorsHere = new Map<number, Set<number>>();
    for (const member of await source.members(options.sourceOrganizationId)) {
      if (!member.email) continue;
      const userId = await userOf(member.email);
      if (userId === undefined) {
        skip(member.email, 'no user with this email here');
        continue;
      }
      if (inOrg.has(userId)) {
        result.membersPresent++;
        continue;
      }
      if (!dryRun) await identityService.addMember(organizationId, userId, member.isAdmin ? 'admin' : 'member');
      inOrg.add(userId);
      result.membersAdded.push(member.email);
    }
    for (const [i, sp] of sourceProjects.entries()) {
      const outcome = outcomes[i] as ProjectOutcome;
      if (outcome.action === 'failed' || outcome.action === 'conflict') continue;
      for (const c of sp.collaborators) {
        if (!c.email) continue;
        const userId = await userOf(c.email);
        if (userId === undefined) {
          skip(c.email, 'no user with this email here');
          continue;
        }
        if (!inOrg.has(userId)) {
          skip(c.email, 'collaborates on a source project but is not a member of the source organization');
          continue;
        }
        if (userId === principal.userId) continue;
        if (outcome.targetId !== undefined && !collaboratorsHere.has(outcome.targetId)) {
          const { collaborators } = await collaborationService.read(principal, outcome.targetId);
          collaboratorsHere.set(outcome.targetId, new Set(collaborators.map((x) => x.uid)));
        }
        if (outcome.targetId !== undefined && collaboratorsHere.get(outcome.targetId)?.has(userId)) {
          result.collaboratorsPresent++;
          continue;
        }
        if (dryRun || outcome.targetId === undefined) {
          result.collaboratorsAdded++;
          continue;
        }
        try {
          // The source owner collaborates with full rights; the project here stays owned by whoever imported it.
          await collaborationService.create(principal, {
            projectId: outcome.targetId,
            collaboratorUserId: String(userId),
            write: c.write || c.owner,
            liveControl: c.liveControl || c.owner,
          });
          result.collaboratorsAdded++;
        } catch (err) {
          if (!(err instanceof ConflictError)) throw err;
          result.collaboratorsPresent++;
        }
      }
    }
  } catch (err) {
    result.error = (err as Error).message;
  }
  return result;
}
