import { fileRepository } from '../../data/files/file-repository';
import { nodeRepository } from '../../data/jobs/node-repository';
import { deploymentRepository } from '../../data/live/deployment-repository';
import { projectRepository } from '../../data/projects/project-repository';
import { nextId } from '../../data/table/counters';
import type { TaskLauncher } from '../../ports/task-runner';
import { DEFAULT_LEAN_ENVIRONMENT, DEFAULT_LEAN_VERSION_ID, LEAN_ENVIRONMENTS, LEAN_VERSIONS } from '../../shared/catalog';
import { isoNow } from '../../shared/dates';
import { ConflictError, ForbiddenError, InvalidError, NotFoundError } from '../../shared/errors';
import { relativePath } from '../../shared/paths';
import { answerBytes } from '../../shared/payload-limits';
import type { Principal } from '../../shared/principal';
import { stopProjectBacktests } from '../backtests/backtest-stop';
import { checkFileContent, checkFileName, checkProjectSize } from '../files/file-rules';
import type { ProjectFile } from '../files/types';
import { canSee, orgAccess, type ProjectAccess, projectAccess } from '../identity/access';
import { displayUsers } from '../identity/user-directory';
import { nodeView } from '../jobs/node-views';
import { isFinalLive } from '../live/types';
import { removeProjectOptimizations } from '../optimizations/optimization-service';
import { projectView } from './project-views';
import { starterFiles } from './starter-files';
import type { Language, Project, ProjectParameter, ProjectProvenance } from './types';

/** Projects: create, read, update (including lean-cli's push, which replaces the file set), delete. */
const FIRST_PROJECT_ID = 10_000_000;
const MAX_LIBRARIES = 20;
/** A lock taken by one editor expires on its own, so a crashed client cannot block a project. */
export const LOCK_SECONDS = 600;

/**
 * lean-cli sends the project's relative POSIX path as its name; tolerate stray slashes (outer
 * ones, which the CLI strips itself, and doubled ones inside), reject everything else a path must
 * not contain. lean-cli renames its local folder when the answered name differs.
 */
export function normaliseProjectName(name: string): string {
  const trimmed = name
    .trim()
    .replace(/\/{2,}/g, '/')
    .replace(/^\/+|\/+$/g, '');
  return relativePath(trimmed, 'name', 200);
}

export interface ProjectUpdate {
  projectId: number;
  name?: string;
  description?: string;
  parameters?: ProjectParameter[];
  versionId?: number;
  leanEnvironment?: number;
  files?: { name: string; content: string }[];
  libraries?: number[];
  encryptionKey?: string;
  codeSourceId?: string;
}

/** Refuses a write while another user holds the project's editing lock (a forced write has no codeSourceId). */
export function checkLock(access: ProjectAccess, principal: Principal, codeSourceId: string | undefined, now = Date.now()): void {
  const lock = access.project.lock;
  if (!lock || codeSourceId === undefined) return;
  const live = Date.parse(lock.acquired) + LOCK_SECONDS * 1000 > now;
  if (live && (lock.userId !== principal.userId || lock.codeSourceId !== codeSourceId)) {
    throw new ConflictError(
      `The project is locked for editing by user ${lock.userId} (${lock.codeSourceId}); you do not have write permission until the lock is released or expires.`,
    );
  }
}

async function checkLibraries(principal: Principal, project: Project, libraryIds: number[]): Promise<void> {
  if (libraryIds.length > MAX_LIBRARIES) throw new InvalidError(`libraries: at most ${MAX_LIBRARIES} libraries per project`);
  for (const id of libraryIds) {
    if (id === project.id) throw new InvalidError('libraries: a project cannot be its own library');
    const library = await projectAccess(principal, id, 'read').catch(() => {
      throw new NotFoundError(`Library project ${id}`);
    });
    if (library.project.orgId !== project.orgId) throw new NotFoundError(`Library project ${id}`);
    if (library.project.language !== project.language) {
      throw new InvalidError(`libraries: library ${id} is ${library.project.language} but the project is ${project.language}`);
    }
  }
}

/** Renders projects, reading their library projects, then every user they mention in one batch read. */
async function projectViews(projects: Project[], principal: Principal) {
  const libraryIds = [...new Set(projects.flatMap((p) => p.libraries))];
  const libraries = (await Promise.all(libraryIds.map((id) => projectRepository.get(id)))).flatMap((l) => (l ? [l] : []));
  const libraryById = new Map(libraries.map((l) => [l.project.id, l] as const));
  // Library owners are named too: a library is often another user's project.
  const userIds = [...projects, ...libraries.map((l) => l.project)].flatMap((p) => [p.ownerId, ...p.collaborators.map((c) => c.userId)]);
  const users = await displayUsers(userIds);
  return projects.map((p) => projectView(p, principal, { libraryById, users }));
}

/** `importedFrom` is for imports (lcs migrate, lcs restore) only; the API's projects/create never passes it. */
export async function createProject(
  principal: Principal,
  input: { name: string; language: Language; organizationId?: string; importedFrom?: ProjectProvenance },
) {
  const { orgId } = orgAccess(principal, input.organizationId, 'member');
  const now = isoNow();
  const project: Project = {
    id: await nextId('project', FIRST_PROJECT_ID),
    orgId,
    name: normaliseProjectName(input.name),
    description: '',
    language: input.language,
    ownerId: principal.userId,
    created: now,
    modified: now,
    leanVersionId: DEFAULT_LEAN_VERSION_ID,
    leanPinnedToMaster: true,
    leanEnvironment: DEFAULT_LEAN_ENVIRONMENT,
    parameters: [],
    libraries: [],
    collaborators: [{ userId: principal.userId, write: true, liveControl: true, owner: true, added: now }],
    activeNodes: [],
    autoSelectNode: true,
    ...(input.importedFrom ? { importedFrom: { ...input.importedFrom } } : {}),
  };
  const files = starterFiles(project.language).map((f) => ({ ...f, projectId: project.id, created: now, modified: now }));
  await fileRepository.createProject(project, files);
  return { project, projects: await projectViews([project], principal), versions: LEAN_VERSIONS };
}

export async function readProjects(principal: Principal, input: { projectId?: number; organizationId?: string; start?: number; end?: number }) {
  if (input.projectId !== undefined) {
    const { project } = await projectAccess(principal, input.projectId, 'read');
    if (input.organizationId && input.organizationId !== project.orgId) throw new NotFoundError('Project');
    return { projects: await projectViews([project], principal), versions: LEAN_VERSIONS };
  }
  const { orgId } = orgAccess(principal, input.organizationId, 'viewer');
  const start = input.start ?? 0;
  if (input.end !== undefined && input.end <= start) throw new InvalidError('end: must be greater than start');
  const visible = (await projectRepository.listByOrg(orgId))
    .filter((stored) => canSee(principal, stored))
    .map((s) => s.project)
    .sort((a, b) => b.modified.localeCompare(a.modified) || b.id - a.id);
  // Without start/end every project is returned: lean-cli's pull and name lookup need the full list.
  const page = visible.slice(start, input.end ?? visible.length);
  return { projects: await projectViews(page, principal), versions: LEAN_VERSIONS, count: visible.length };
}

/**
 * Every project of the organization as stored, provenance included, with its version (which
 * every write to the project or its files raises): for imports and backups, so organization admins only.
 */
export async function listStoredProjects(principal: Principal, organizationId: string): Promise<{ project: Project; version: number }[]> {
  const { orgId } = orgAccess(principal, organizationId, 'admin');
  return (await projectRepository.listByOrg(orgId)).map(({ project, version }) => ({ project, version }));
}

export async function updateProject(principal: Principal, input: ProjectUpdate) {
  const access = await projectAccess(principal, input.projectId, 'write');
  checkLock(access, principal, input.codeSourceId);
  const { project, version } = access;
  if (input.encryptionKey) throw new InvalidError('encryptionKey: project encryption is not supported by this server');
  if (input.versionId !== undefined && !LEAN_VERSIONS.some((v) => v.id === input.versionId)) {
    throw new InvalidError(`versionId: unknown LEAN version ${input.versionId}; see lean/versions/read`);
  }
  if (input.leanEnvironment !== undefined && !LEAN_ENVIRONMENTS.some((e) => e.id === input.leanEnvironment)) {
    throw new InvalidError(`leanEnvironment: unknown environment ${input.leanEnvironment}; see lean/environments/read`);
  }
  const parameterKeys = new Set<string>();
  for (const p of input.parameters ?? []) {
    if (parameterKeys.has(p.key)) throw new InvalidError(`parameters: duplicate parameter '${p.key}'`);
    parameterKeys.add(p.key);
  }
  const files = input.files?.map((f, i) => ({ name: checkFileName(f.name, `files.${i}.name`), content: f.content }));
  if (files) {
    const seen = new Set<string>();
    for (const f of files) {
      if (seen.has(f.name)) throw new InvalidError(`files: '${f.name}' is listed twice`);
      seen.add(f.name);
      checkFileContent(f.name, f.content, { allowEmpty: true });
    }
    // The pushed set is the project's whole file set.
    checkProjectSize(new Map(files.map((f) => [f.name, answerBytes(f.content)])));
  }
  const now = isoNow();
  const next: Project = {
    ...project,
    name: input.name !== undefined ? normaliseProjectName(input.name) : project.name,
    description: input.description ?? project.description,
    parameters: input.parameters ?? project.parameters,
    leanVersionId: input.versionId ?? project.leanVersionId,
    leanEnvironment: input.leanEnvironment ?? project.leanEnvironment,
    libraries: input.libraries ? [...new Set(input.libraries)] : project.libraries,
    modified: now,
  };
  if (input.libraries) await checkLibraries(principal, next, next.libraries);
  if (!files) {
    await projectRepository.save(next, version, project.name);
    return { projectId: next.id, organizationId: next.orgId };
  }
  // A pushed file set replaces the project's files: unchanged files are left alone,
  // changed and new ones written, and files the client no longer has are deleted.
  const existing = new Map((await fileRepository.list(project)).map((f) => [f.name, f]));
  const put: ProjectFile[] = files
    .filter((f) => existing.get(f.name)?.content !== f.content)
    .map((f) => ({ projectId: project.id, name: f.name, content: f.content, created: existing.get(f.name)?.created ?? now, modified: now }));
  const incoming = new Set(files.map((f) => f.name));
  const remove = [...existing.keys()].filter((name) => !incoming.has(name));
  await fileRepository.apply(next, version, { put, remove }, { previousName: project.name });
  return { projectId: next.id, organizationId: next.orgId, changed: { written: put.length, deleted: remove.length } };
}

export async function deleteProject(principal: Principal, projectId: number, tasks: TaskLauncher) {
  const access = await projectAccess(principal, projectId, 'write');
  if (access.role !== 'admin' && !access.collaborator?.owner) {
    throw new ForbiddenError('Only the project owner or an organization admin can delete a project.');
  }
  // A live algorithm holds positions at a brokerage: deleting its project would orphan them
  // and its results; the owner stops or liquidates it deliberately first.
  const live = await deploymentRepository.latest(access.project.id);
  if (live && !isFinalLive(live)) {
    throw new ConflictError('The project has a live algorithm running: stop or liquidate it first (lean cloud live stop), then delete the project.');
  }
  await removeProjectOptimizations(access.project.id, tasks);
  // Running backtests stop now rather than when their runner next finds the project gone.
  await stopProjectBacktests(access.project.id, tasks);
  await projectRepository.delete(access.project, access.version);
  await unlinkLibrary(access.project);
  return access.project;
}

export async function addProjectLibrary(principal: Principal, projectId: number, libraryId: number) {
  const { project, version } = await projectAccess(principal, projectId, 'write');
  if (project.libraries.includes(libraryId)) throw new ConflictError(`Project ${libraryId} is already a library of this project`);
  const libraries = [...project.libraries, libraryId];
  await checkLibraries(principal, project, libraries);
  await projectRepository.save({ ...project, libraries, modified: isoNow() }, version);
  return project;
}

export async function removeProjectLibrary(principal: Principal, projectId: number, libraryId: number) {
  const { project, version } = await projectAccess(principal, projectId, 'write');
  if (!project.libraries.includes(libraryId)) throw new NotFoundError(`Library project ${libraryId}`);
  await projectRepository.save({ ...project, libraries: project.libraries.filter((id) => id !== libraryId), modified: isoNow() }, version);
  return project;
}

export async function readProjectNodes(principal: Principal, projectId: number) {
  const { project } = await projectAccess(principal, projectId, 'read');
  return nodesOfProject(project);
}

/** Selects the nodes a project may use; an empty list means "any free node" (autoSelectNode, no node active). */
export async function updateProjectNodes(principal: Principal, projectId: number, nodeIds: string[]) {
  const { project, version } = await projectAccess(principal, projectId, 'write');
  const known = new Set((await nodeRepository.listByOrg(project.orgId)).map((n) => n.id));
  const unknown = nodeIds.filter((id) => !known.has(id));
  if (unknown.length) throw new InvalidError(`nodes: node ${unknown.join(', ')} not found in this organization; see nodes/read`);
  const next = { ...project, activeNodes: [...new Set(nodeIds)], autoSelectNode: nodeIds.length === 0 };
  await projectRepository.save(next, version);
  return { orgId: project.orgId, view: await nodesOfProject(next) };
}

export async function acquireProjectLock(principal: Principal, projectId: number, codeSourceId: string) {
  const access = await projectAccess(principal, projectId, 'write');
  checkLock(access, principal, codeSourceId);
  const lock = { userId: principal.userId, codeSourceId, acquired: isoNow() };
  await projectRepository.save({ ...access.project, lock }, access.version);
  return access.project;
}

/** A deleted project stops being a library of the organisation's other projects. */
async function unlinkLibrary(deleted: Project): Promise<void> {
  const users = (await projectRepository.listByOrg(deleted.orgId)).filter((s) => s.project.libraries.includes(deleted.id));
  for (const { project, version } of users) {
    await projectRepository.save({ ...project, libraries: project.libraries.filter((id) => id !== deleted.id) }, version);
  }
}

async function nodesOfProject(project: Project) {
  const nodes = await nodeRepository.listByOrg(project.orgId);
  const of = (kind: string) => nodes.filter((n) => n.kind === kind).map((n) => nodeView(n, { active: project.activeNodes.includes(n.id) }));
  return { nodes: { backtest: of('backtest'), research: of('research'), live: of('live') }, autoSelectNode: project.autoSelectNode };
}

/** The operations as one object, for callers that use several (the CLI); handlers import the one they serve, so each bundle carries only what its route uses. */
export const projectService = {
  create: createProject,
  read: readProjects,
  listStored: listStoredProjects,
  update: updateProject,
  delete: deleteProject,
  addLibrary: addProjectLibrary,
  removeLibrary: removeProjectLibrary,
  readNodes: readProjectNodes,
  updateNodes: updateProjectNodes,
  acquireLock: acquireProjectLock,
};
