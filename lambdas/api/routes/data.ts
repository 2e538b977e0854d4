import { dataSchemas } from '../data/schemas';
import { commonSchemas } from '../schema';
import { defineRoute, type RouteDef, routeLookup } from './route-types';

const dataRead = { table: 'read', buckets: { data: 'read' } } as const;

/**
 * Route group `data` (the full table: ./index.ts): market data. It is shared by the whole
 * deployment; the organisation named is checked, never used as a key prefix.
 */
export const dataRoutes = [
  defineRoute({
    path: 'data/read',
    group: 'data',
    summary: 'A short-lived download link for one market data file (LEAN ApiDataProvider, lean data download).',
    entry: 'data/read-data',
    schema: dataSchemas.dataRead,
    role: 'viewer',
    mutating: false,
    access: dataRead,
  }),
  defineRoute({
    path: 'data/list',
    group: 'data',
    summary: 'The files and sub-folders directly under a market data folder.',
    entry: 'data/list-data',
    schema: dataSchemas.dataList,
    role: 'viewer',
    mutating: false,
    access: dataRead,
  }),
  defineRoute({
    path: 'data/prices',
    group: 'data',
    summary: 'Market data prices: 0 for every top-level folder in the data bucket.',
    entry: 'data/read-prices',
    schema: commonSchemas.organization,
    role: 'viewer',
    mutating: false,
    access: dataRead,
  }),
  defineRoute({
    path: 'market/data/list',
    group: 'data',
    summary: 'The datasets on offer: one per top-level folder in the data bucket.',
    entry: 'data/list-market-data',
    schema: commonSchemas.empty,
    role: 'viewer',
    mutating: false,
    access: dataRead,
  }),
] as const satisfies readonly RouteDef[];

/** The typed route of a path of this group, for its handler files. */
export const route = routeLookup(dataRoutes);
