import { routes } from '../../lambdas/api/routes';

/**
 * Every endpoint of the wire contract's catalogue (qc-api-contract.md §3: 78 endpoints, 79 paths
 * with LEAN's `backtests/insights/read` alias) is in the route table. The list is copied here
 * (tests never read the shared docs); a trailing slash (`organizations/encryption/keys/list/`, as
 * lean-cli posts it) is tolerated by the transport, so paths are compared without it.
 */
const CATALOGUE = [
  // §3.1 authentication, §3.2 account / organisations / user
  'authenticate',
  'account/read',
  'organizations/read',
  'organizations/list',
  'organizations/encryption/keys/list',
  'user/read',
  // §3.3 projects
  'projects/create',
  'projects/read',
  'projects/update',
  'projects/delete',
  'projects/library/create',
  'projects/library/delete',
  'projects/nodes/read',
  'projects/nodes/update',
  'projects/collaboration/create',
  'projects/collaboration/read',
  'projects/collaboration/update',
  'projects/collaboration/delete',
  'projects/collaboration/lock/acquire',
  // §3.4 files, §3.5 compile
  'files/create',
  'files/read',
  'files/update',
  'files/delete',
  'files/patch',
  'compile/create',
  'compile/read',
  // §3.6 backtests
  'backtests/create',
  'backtests/read',
  'backtests/list',
  'backtests/update',
  'backtests/delete',
  'backtests/tags/update',
  'backtests/chart/read',
  'backtests/orders/read',
  'backtests/read/insights',
  'backtests/insights/read',
  'backtests/read/report',
  // §3.7 optimizations
  'optimizations/estimate',
  'optimizations/create',
  'optimizations/read',
  'optimizations/list',
  'optimizations/update',
  'optimizations/abort',
  'optimizations/delete',
  // §3.8 live trading
  'live/create',
  'live/read',
  'live/list',
  'live/update/stop',
  'live/update/liquidate',
  'live/logs/read',
  'live/portfolio/read',
  'live/orders/read',
  'live/insights/read',
  'live/chart/read',
  'live/commands/create',
  'live/commands/broadcast',
  'live/auth0/read',
  'live/auth0/authorize',
  // §3.9 data, §3.10 object store
  'data/read',
  'data/list',
  'data/prices',
  'market/data/list',
  'object/set',
  'object/get',
  'object/properties',
  'object/list',
  'object/delete',
  // §3.11 LEAN versions / environments / nodes / modules / misc
  'lean/versions/read',
  'lean/environments/read',
  'nodes/read',
  'modules/list',
  'modules/read',
  'services/terminal-news',
  'ai/tools/backtest-init',
  'ai/tools/complete',
  'ai/tools/error-enhance',
  'ai/tools/pep8-convert',
  'ai/tools/syntax-check',
  'ai/tools/search',
] as const;

const served = new Set(routes.map((r) => r.path.replace(/\/$/, '')));

test('the catalogue is the contract’s 79 paths, none twice', () => {
  expect(CATALOGUE).toHaveLength(79);
  expect(new Set(CATALOGUE).size).toBe(CATALOGUE.length);
});

test('every catalogue path is in the route table', () => {
  expect(CATALOGUE.filter((p) => !served.has(p))).toEqual([]);
});
