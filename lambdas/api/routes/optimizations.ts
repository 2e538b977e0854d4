import { optimizationSchemas } from '../optimizations/schemas';
import { defineRoute, type RouteDef, routeLookup, tableRead, tableWrite } from './route-types';

/** Create queues the first points; abort and delete also stop running points and remove their results. */
const startsPoints = { table: 'readWrite', jobs: 'send' } as const;
const stopsPoints = { table: 'readWrite', buckets: { artifacts: 'readWrite' }, jobs: 'sendAndStop' } as const;
/** An ended optimization's read answer is kept whole in the artifacts bucket (final-view-store). */
const readsKeptView = { table: 'read', buckets: { artifacts: 'read' } } as const;

/** Route group `optimizations` (the full table: ./index.ts): contract §3.7. */
export const optimizationRoutes = [
  defineRoute({
    path: 'optimizations/estimate',
    group: 'optimizations',
    summary: 'Backtests in the grid and seconds per backtest (this project’s recent wall times), with the Fargate cost.',
    entry: 'optimizations/estimate-optimization',
    schema: optimizationSchemas.optimizationRequest,
    role: 'viewer',
    mutating: false,
    access: tableRead,
  }),
  defineRoute({
    path: 'optimizations/create',
    group: 'optimizations',
    summary: 'Starts a grid (or Euler) search: each point a backtest on the organization’s optimization nodes.',
    entry: 'optimizations/create-optimization',
    schema: optimizationSchemas.optimizationRequest,
    role: 'member',
    mutating: true,
    access: startsPoints,
  }),
  defineRoute({
    path: 'optimizations/read',
    group: 'optimizations',
    summary: 'An optimization with its progress (runtimeStatistics) and every finished point.',
    entry: 'optimizations/read-optimization',
    schema: optimizationSchemas.optimizationRef,
    role: 'viewer',
    mutating: false,
    access: readsKeptView,
  }),
  defineRoute({
    path: 'optimizations/list',
    group: 'optimizations',
    summary: "A project's optimizations.",
    entry: 'optimizations/list-optimizations',
    schema: optimizationSchemas.optimizationList,
    role: 'viewer',
    mutating: false,
    access: tableRead,
  }),
  defineRoute({
    path: 'optimizations/update',
    group: 'optimizations',
    summary: 'Renames an optimization.',
    entry: 'optimizations/update-optimization',
    schema: optimizationSchemas.optimizationUpdate,
    role: 'member',
    mutating: true,
    access: tableWrite,
  }),
  defineRoute({
    path: 'optimizations/abort',
    group: 'optimizations',
    summary: 'Stops running and queued points; finished points are kept.',
    entry: 'optimizations/abort-optimization',
    schema: optimizationSchemas.optimizationRef,
    role: 'member',
    mutating: true,
    access: stopsPoints,
  }),
  defineRoute({
    path: 'optimizations/delete',
    group: 'optimizations',
    summary: 'Removes an optimization with its backtests and their results (stopping what still runs).',
    entry: 'optimizations/delete-optimization',
    schema: optimizationSchemas.optimizationRef,
    role: 'member',
    mutating: true,
    access: stopsPoints,
  }),
] as const satisfies readonly RouteDef[];

export const route = routeLookup(optimizationRoutes);
