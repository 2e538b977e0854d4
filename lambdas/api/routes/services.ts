import { commonSchemas } from '../schema';
import { defineRoute, type RouteDef, routeLookup, tableRead } from './route-types';

/** Route group `services` (the full table: ./index.ts): QuantConnect's terminal services. */
export const serviceRoutes = [
  defineRoute({
    path: 'services/terminal-news',
    group: 'services',
    summary: 'News for the terminal: always an empty list, a self-hosted server publishes none.',
    entry: 'services/read-terminal-news',
    schema: commonSchemas.empty,
    role: 'viewer',
    mutating: false,
    access: tableRead,
  }),
] as const satisfies readonly RouteDef[];

/** The typed route of a path of this group, for its handler files. */
export const route = routeLookup(serviceRoutes);
