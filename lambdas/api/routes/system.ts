import { commonSchemas } from '../schema';
import { defineRoute, filesRead, type RouteDef, routeLookup, tableRead } from './route-types';

/** Route group `system` (the full table: ./index.ts): reachability and the credential check. */
export const systemRoutes = [
  defineRoute({
    path: 'health',
    group: 'system',
    summary: 'Reachability of the table and the bucket (no authentication).',
    entry: 'system/health',
    schema: commonSchemas.empty,
    role: 'public',
    mutating: false,
    access: filesRead,
  }),
  defineRoute({
    path: 'authenticate',
    group: 'system',
    summary: 'Checks the credentials.',
    entry: 'system/authenticate',
    schema: commonSchemas.empty,
    role: 'viewer',
    mutating: false,
    access: tableRead,
  }),
] as const satisfies readonly RouteDef[];

/** The typed route of a path of this group, for its handler files. */
export const route = routeLookup(systemRoutes);
