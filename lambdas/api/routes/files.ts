import { fileSchemas } from '../files/schemas';
import { defineRoute, filesRead, filesWrite, type RouteDef, routeLookup } from './route-types';

/** Route group `files` (the full table: ./index.ts): the files of a project. */
export const fileRoutes = [
  defineRoute({
    path: 'files/create',
    group: 'files',
    summary: 'Adds a file to a project.',
    entry: 'files/create-file',
    schema: fileSchemas.fileCreate,
    role: 'member',
    mutating: true,
    access: filesWrite,
  }),
  defineRoute({
    path: 'files/read',
    group: 'files',
    summary: "One file, or all of a project's files with its libraries'.",
    entry: 'files/read-files',
    schema: fileSchemas.fileRead,
    role: 'viewer',
    mutating: false,
    access: filesRead,
  }),
  defineRoute({
    path: 'files/update',
    group: 'files',
    summary: 'Renames a file or replaces its content.',
    entry: 'files/update-file',
    schema: fileSchemas.fileUpdate,
    role: 'member',
    mutating: true,
    access: filesWrite,
  }),
  defineRoute({
    path: 'files/delete',
    group: 'files',
    summary: 'Deletes a file.',
    entry: 'files/delete-file',
    schema: fileSchemas.fileDelete,
    role: 'member',
    mutating: true,
    access: filesWrite,
  }),
  defineRoute({
    path: 'files/patch',
    group: 'files',
    summary: 'Applies a unified diff to project files, all or nothing.',
    entry: 'files/patch-files',
    schema: fileSchemas.filePatch,
    role: 'member',
    mutating: true,
    access: filesWrite,
  }),
] as const satisfies readonly RouteDef[];

/** The typed route of a path of this group, for its handler files. */
export const route = routeLookup(fileRoutes);
