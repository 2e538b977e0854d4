import { accountRoutes } from './account';
import { aiRoutes } from './ai';
import { backtestRoutes } from './backtests';
import { dataRoutes } from './data';
import { fileRoutes } from './files';
import { leanRoutes } from './lean';
import { liveRoutes } from './live';
import { moduleRoutes } from './modules';
import { objectRoutes } from './objects';
import { optimizationRoutes } from './optimizations';
import { projectRoutes } from './projects';
import type { RouteDef } from './route-types';
import { serviceRoutes } from './services';
import { systemRoutes } from './system';

/**
 * THE route table (design §3), assembled from one file per route group. Infrastructure, the local
 * server, the contract tests and the OpenAPI document are all derived from it. Add an endpoint to
 * its group's file, write its handler file, and it is deployed, served and tested. Handlers never
 * import this file: each imports its own group's, so a bundle carries one group's schemas.
 */
export const routes = [
  ...systemRoutes,
  ...accountRoutes,
  ...projectRoutes,
  ...fileRoutes,
  ...leanRoutes,
  ...dataRoutes,
  ...objectRoutes,
  ...backtestRoutes,
  ...serviceRoutes,
  ...moduleRoutes,
  ...aiRoutes,
  ...optimizationRoutes,
  ...liveRoutes,
] as const satisfies readonly RouteDef[];

export type RoutePath = (typeof routes)[number]['path'];

const byPath = new Map<string, RouteDef>(routes.map((r) => [r.path, r]));

export function findRoute(path: string): RouteDef | undefined {
  return byPath.get(path);
}
