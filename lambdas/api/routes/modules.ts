import { moduleSchemas } from '../modules/schemas';
import { defineRoute, type RouteDef, routeLookup } from './route-types';

/** Module files sit in the data bucket beside market data (core/data/market-data). */
const moduleRead = { table: 'read', buckets: { data: 'read' } } as const;

/** Route group `modules` (the full table: ./index.ts): LEAN modules the operator uploaded, for lean-cli. */
export const moduleRoutes = [
  defineRoute({
    path: 'modules/list',
    group: 'modules',
    summary: "The file names of a product's module (NuGet packages uploaded with `lcs modules push`); empty when none.",
    entry: 'modules/list-modules',
    schema: moduleSchemas.moduleList,
    role: 'viewer',
    mutating: false,
    access: moduleRead,
  }),
  defineRoute({
    path: 'modules/read',
    group: 'modules',
    summary: "A short-lived download link for one file of a product's module.",
    entry: 'modules/read-module',
    schema: moduleSchemas.moduleRead,
    role: 'viewer',
    mutating: false,
    access: moduleRead,
  }),
] as const satisfies readonly RouteDef[];

/** The typed route of a path of this group, for its handler files. */
export const route = routeLookup(moduleRoutes);
