import { defineRoute, type RouteDef } from './route-types';
import { schemas } from './schemas';

/**
 * THE route table (design §3). One row per endpoint; infrastructure, the local server, the
 * contract tests and the OpenAPI document are all derived from it. Add an endpoint here, write its
 * handler file, and it is deployed, served and tested.
 */
const read = { table: 'read' } as const;
const write = { table: 'readWrite' } as const;
const filesWrite = { table: 'readWrite', buckets: { artifacts: 'readWrite' } } as const;
const filesRead = { table: 'read', buckets: { artifacts: 'read' } } as const;

export const routes = [
  // system
  defineRoute({
    path: 'health',
    group: 'system',
    summary: 'Reachability of the table and the bucket (no authentication).',
    entry: 'system/health',
    schema: schemas.empty,
    role: 'public',
    mutating: false,
    access: filesRead,
  }),
  defineRoute({
    path: 'authenticate',
    group: 'system',
    summary: 'Checks the credentials.',
    entry: 'system/authenticate',
    schema: schemas.empty,
    role: 'viewer',
    mutating: false,
    access: read,
  }),

  // account, organisations, user, nodes
  defineRoute({
    path: 'account/read',
    group: 'account',
    summary: "An organization's account: id, credit balance, card.",
    entry: 'account/read-account',
    schema: schemas.organization,
    role: 'viewer',
    mutating: false,
    access: read,
  }),
  defineRoute({
    path: 'organizations/read',
    group: 'account',
    summary: 'An organization with members, products, credit and data agreement.',
    entry: 'account/read-organization',
    schema: schemas.organization,
    role: 'viewer',
    mutating: false,
    access: read,
  }),
  defineRoute({
    path: 'organizations/list',
    group: 'account',
    summary: "The caller's organizations.",
    entry: 'account/list-organizations',
    schema: schemas.empty,
    role: 'viewer',
    mutating: false,
    access: read,
  }),
  defineRoute({
    path: 'organizations/encryption/keys/list',
    group: 'account',
    summary: 'Registered project encryption keys.',
    entry: 'account/list-encryption-keys',
    schema: schemas.organization,
    role: 'viewer',
    mutating: false,
    access: read,
  }),
  defineRoute({
    path: 'user/read',
    group: 'account',
    summary: 'The calling user.',
    entry: 'account/read-user',
    schema: schemas.organization,
    role: 'viewer',
    mutating: false,
    access: read,
  }),
  defineRoute({
    path: 'nodes/read',
    group: 'account',
    summary: "The organization's virtual nodes by kind.",
    entry: 'account/read-nodes',
    schema: schemas.organization,
    role: 'viewer',
    mutating: false,
    access: read,
  }),

  // projects
  defineRoute({
    path: 'projects/create',
    group: 'projects',
    summary: 'Creates a project.',
    entry: 'projects/create-project',
    schema: schemas.projectCreate,
    role: 'member',
    mutating: true,
    access: write,
  }),
  defineRoute({
    path: 'projects/read',
    group: 'projects',
    summary: 'One project, or every visible project of the organization.',
    entry: 'projects/read-projects',
    schema: schemas.projectRead,
    role: 'viewer',
    mutating: false,
    access: read,
  }),
  defineRoute({
    path: 'projects/update',
    group: 'projects',
    summary: "Updates a project; lean-cli's form replaces its whole file set.",
    entry: 'projects/update-project',
    schema: schemas.projectUpdate,
    role: 'member',
    mutating: true,
    access: filesWrite,
  }),
  defineRoute({
    path: 'projects/delete',
    group: 'projects',
    summary: 'Deletes a project and everything in it.',
    entry: 'projects/delete-project',
    schema: schemas.project,
    role: 'member',
    mutating: true,
    access: filesWrite,
  }),
  defineRoute({
    path: 'projects/library/create',
    group: 'projects',
    summary: 'Links a library project.',
    entry: 'projects/create-library',
    schema: schemas.projectLibrary,
    role: 'member',
    mutating: true,
    access: write,
  }),
  defineRoute({
    path: 'projects/library/delete',
    group: 'projects',
    summary: 'Unlinks a library project.',
    entry: 'projects/delete-library',
    schema: schemas.projectLibrary,
    role: 'member',
    mutating: true,
    access: write,
  }),
  defineRoute({
    path: 'projects/nodes/read',
    group: 'projects',
    summary: "The project's node selection.",
    entry: 'projects/read-nodes',
    schema: schemas.project,
    role: 'viewer',
    mutating: false,
    access: read,
  }),
  defineRoute({
    path: 'projects/nodes/update',
    group: 'projects',
    summary: 'Selects the nodes a project may use.',
    entry: 'projects/update-nodes',
    schema: schemas.projectNodesUpdate,
    role: 'member',
    mutating: true,
    access: write,
  }),
  defineRoute({
    path: 'projects/collaboration/create',
    group: 'projects',
    summary: 'Adds a collaborator.',
    entry: 'projects/create-collaborator',
    schema: schemas.collaborationCreate,
    role: 'member',
    mutating: true,
    access: write,
  }),
  defineRoute({
    path: 'projects/collaboration/read',
    group: 'projects',
    summary: "The project's collaborators and the caller's permissions.",
    entry: 'projects/read-collaborators',
    schema: schemas.project,
    role: 'viewer',
    mutating: false,
    access: read,
  }),
  defineRoute({
    path: 'projects/collaboration/update',
    group: 'projects',
    summary: "Changes a collaborator's permissions.",
    entry: 'projects/update-collaborator',
    schema: schemas.collaborationUpdate,
    role: 'member',
    mutating: true,
    access: write,
  }),
  defineRoute({
    path: 'projects/collaboration/delete',
    group: 'projects',
    summary: 'Removes a collaborator.',
    entry: 'projects/delete-collaborator',
    schema: schemas.collaborationDelete,
    role: 'member',
    mutating: true,
    access: write,
  }),
  defineRoute({
    path: 'projects/collaboration/lock/acquire',
    group: 'projects',
    summary: 'Takes the editing lock of a project.',
    entry: 'projects/acquire-lock',
    schema: schemas.lockAcquire,
    role: 'member',
    mutating: true,
    access: write,
  }),

  // files
  defineRoute({
    path: 'files/create',
    group: 'files',
    summary: 'Adds a file to a project.',
    entry: 'files/create-file',
    schema: schemas.fileCreate,
    role: 'member',
    mutating: true,
    access: filesWrite,
  }),
  defineRoute({
    path: 'files/read',
    group: 'files',
    summary: "One file, or all of a project's files with its libraries'.",
    entry: 'files/read-files',
    schema: schemas.fileRead,
    role: 'viewer',
    mutating: false,
    access: filesRead,
  }),
  defineRoute({
    path: 'files/update',
    group: 'files',
    summary: 'Renames a file or replaces its content.',
    entry: 'files/update-file',
    schema: schemas.fileUpdate,
    role: 'member',
    mutating: true,
    access: filesWrite,
  }),
  defineRoute({
    path: 'files/delete',
    group: 'files',
    summary: 'Deletes a file.',
    entry: 'files/delete-file',
    schema: schemas.fileDelete,
    role: 'member',
    mutating: true,
    access: filesWrite,
  }),
  defineRoute({
    path: 'files/patch',
    group: 'files',
    summary: 'Applies a unified diff to project files, all or nothing.',
    entry: 'files/patch-files',
    schema: schemas.filePatch,
    role: 'member',
    mutating: true,
    access: filesWrite,
  }),

  // LEAN
  defineRoute({
    path: 'lean/versions/read',
    group: 'lean',
    summary: 'LEAN versions this server runs.',
    entry: 'lean/read-versions',
    schema: schemas.empty,
    role: 'viewer',
    mutating: false,
    access: read,
  }),
  defineRoute({
    path: 'lean/environments/read',
    group: 'lean',
    summary: 'LEAN environments.',
    entry: 'lean/read-environments',
    schema: schemas.empty,
    role: 'viewer',
    mutating: false,
    access: read,
  }),

  // data (market data) routes: insert here

  // object store routes: insert here
] as const satisfies readonly RouteDef[];

export type RoutePath = (typeof routes)[number]['path'];

const byPath = new Map<string, RouteDef>(routes.map((r) => [r.path, r]));

export function findRoute(path: string): RouteDef | undefined {
  return byPath.get(path);
}

/** The route of a path, typed with its schema, for handler files. */
export function route<P extends RoutePath>(path: P): Extract<(typeof routes)[number], { path: P }> {
  const found = byPath.get(path);
  if (!found) throw new Error(`No route ${path}`);
  return found as Extract<(typeof routes)[number], { path: P }>;
}
