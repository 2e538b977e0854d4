import { backtestSchemas } from '../backtests/schemas';
import { defineRoute, filesRead, type RouteDef, routeLookup, tableRead, tableWrite } from './route-types';

/** Pre-split results live in the artifacts bucket. */
const resultsRead = filesRead;
/** Two paths, one endpoint (one handler file): only the path and the summary differ. */
const insightsRead = {
  group: 'backtests',
  entry: 'backtests/read-insights',
  schema: backtestSchemas.backtestPage,
  role: 'viewer',
  mutating: false,
  access: resultsRead,
} as const;

/** Route group `backtests` (the full table: ./index.ts): compiles and backtests. */
export const backtestRoutes = [
  defineRoute({
    path: 'compile/create',
    group: 'backtests',
    summary: 'Snapshots the project files and starts a compile (Python syntax check here, C# build on a runner).',
    entry: 'backtests/create-compile',
    schema: backtestSchemas.compileCreate,
    role: 'member',
    mutating: true,
    access: { table: 'readWrite', buckets: { artifacts: 'readWrite' }, jobs: 'send', syntaxCheck: 'invoke' },
  }),
  defineRoute({
    path: 'compile/read',
    group: 'backtests',
    summary: 'State and logs of a compile.',
    entry: 'backtests/read-compile',
    schema: backtestSchemas.compileRead,
    role: 'viewer',
    mutating: false,
    access: tableRead,
  }),
  defineRoute({
    path: 'backtests/create',
    group: 'backtests',
    summary: 'Queues a backtest of a compile; always answers the backtest object.',
    entry: 'backtests/create-backtest',
    schema: backtestSchemas.backtestCreate,
    role: 'member',
    mutating: true,
    access: { table: 'readWrite', buckets: { artifacts: 'read' }, jobs: 'send' },
  }),
  defineRoute({
    path: 'backtests/read',
    group: 'backtests',
    summary: 'A backtest: progress while it runs, statistics and chart names once done.',
    entry: 'backtests/read-backtest',
    schema: backtestSchemas.backtestRef,
    role: 'viewer',
    mutating: false,
    access: resultsRead,
  }),
  defineRoute({
    path: 'backtests/list',
    group: 'backtests',
    summary: "A project's backtests, optionally with statistics.",
    entry: 'backtests/list-backtests',
    schema: backtestSchemas.backtestList,
    role: 'viewer',
    mutating: false,
    access: tableRead,
  }),
  defineRoute({
    path: 'backtests/update',
    group: 'backtests',
    summary: 'Renames a backtest or sets its note.',
    entry: 'backtests/update-backtest',
    schema: backtestSchemas.backtestUpdate,
    role: 'member',
    mutating: true,
    access: tableWrite,
  }),
  defineRoute({
    path: 'backtests/delete',
    group: 'backtests',
    summary: 'Deletes a backtest; a running one is stopped and its node freed.',
    entry: 'backtests/delete-backtest',
    schema: backtestSchemas.backtestRef,
    role: 'member',
    mutating: true,
    access: { table: 'readWrite', buckets: { artifacts: 'readWrite' }, jobs: 'sendAndStop' },
  }),
  defineRoute({
    path: 'backtests/tags/update',
    group: 'backtests',
    summary: "Replaces a backtest's tags.",
    entry: 'backtests/update-tags',
    schema: backtestSchemas.backtestTags,
    role: 'member',
    mutating: true,
    access: tableWrite,
  }),
  defineRoute({
    path: 'backtests/chart/read',
    group: 'backtests',
    summary: 'One chart, down-sampled to count points, optionally within start..end.',
    entry: 'backtests/read-chart',
    schema: backtestSchemas.backtestChart,
    role: 'viewer',
    mutating: false,
    access: resultsRead,
  }),
  defineRoute({
    path: 'backtests/orders/read',
    group: 'backtests',
    summary: 'Orders start..end (at most 100) with their events; length is the total.',
    entry: 'backtests/read-orders',
    schema: backtestSchemas.backtestPage,
    role: 'viewer',
    mutating: false,
    access: resultsRead,
  }),
  // Two paths, one endpoint: LEAN calls the first, the API specification names the second.
  defineRoute({ path: 'backtests/insights/read', summary: 'Insights start..end (at most 100); the path LEAN calls.', ...insightsRead }),
  defineRoute({ path: 'backtests/read/insights', summary: 'Insights start..end (at most 100); the path of the API specification.', ...insightsRead }),
  defineRoute({
    path: 'backtests/read/report',
    group: 'backtests',
    summary: "The backtest's HTML report, or the generating form until it is ready.",
    entry: 'backtests/read-report',
    schema: backtestSchemas.backtestRef,
    role: 'viewer',
    mutating: false,
    access: resultsRead,
  }),
  defineRoute({
    path: 'backtests/read/log',
    group: 'backtests',
    summary: "Lines start..end (at most 200) of the backtest's log, optionally only those containing query; length is their total.",
    entry: 'backtests/read-log',
    schema: backtestSchemas.backtestLog,
    role: 'viewer',
    mutating: false,
    access: resultsRead,
  }),
] as const satisfies readonly RouteDef[];

/** The typed route of a path of this group, for its handler files. */
export const route = routeLookup(backtestRoutes);
