import { commonSchemas } from '../schema';
import { defineRoute, type RouteDef, routeLookup, tableRead } from './route-types';

/** Route group `lean` (the full table: ./index.ts): LEAN versions and environments. */
export const leanRoutes = [
  defineRoute({
    path: 'lean/versions/read',
    group: 'lean',
    summary: 'LEAN versions this server runs.',
    entry: 'lean/read-versions',
    schema: commonSchemas.empty,
    role: 'viewer',
    mutating: false,
    access: tableRead,
  }),
  defineRoute({
    path: 'lean/environments/read',
    group: 'lean',
    summary: 'LEAN environments.',
    entry: 'lean/read-environments',
    schema: commonSchemas.empty,
    role: 'viewer',
    mutating: false,
    access: tableRead,
  }),
] as const satisfies readonly RouteDef[];

/** The typed route of a path of this group, for its handler files. */
export const route = routeLookup(leanRoutes);
