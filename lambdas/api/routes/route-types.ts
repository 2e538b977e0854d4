import type { Binding } from '../../../core/shared/config';
import type { Role } from '../../../core/shared/principal';
import type * as z from '../../../core/shared/zod';

/**
 * One row of the route table. Plain data: CDK reads it to create functions, grants and methods;
 * the local server mounts it; contract tests iterate it; the OpenAPI document is generated from it.
 */
export type RouteGroup =
  | 'system'
  | 'account'
  | 'projects'
  | 'files'
  | 'lean'
  | 'data'
  | 'objects'
  | 'backtests'
  | 'optimizations'
  | 'services'
  | 'modules'
  | 'ai'
  | 'live';

/** artifacts: spilled files, compile snapshots, results; data: LEAN market data; objects: the object store. */
export type BucketName = 'artifacts' | 'data' | 'objects';

export interface RouteAccess {
  table: 'read' | 'readWrite';
  buckets?: Partial<Record<BucketName, 'read' | 'readWrite'>>;
  /** Job queue and runner tasks: `send` enqueues jobs; `stop` may also stop a running task. */
  jobs?: 'send' | 'sendAndStop';
  /** The object/get zip queue: `send` records a zip job for the zip worker. */
  objectZips?: 'send';
  /** Amazon Bedrock: bedrock:InvokeModel on the operator's configured model, when AI tools are enabled. */
  bedrock?: true;
  /** Live runners (design §8): `manage` starts and removes a deployment's service and its secret. */
  live?: 'manage';
  /**
   * The Python syntax check (design §7): `invoke` calls the syntax-check function synchronously
   * (SYNTAX_CHECK_FUNCTION_NAME, required at cold start on Lambda by the handler: lambdas/api/aws-ports.ts).
   */
  syntaxCheck?: 'invoke';
}

/** The environment variable naming a bucket: CDK sets it with the bucket's grant, config() reads it. */
export function bucketVariable(name: BucketName): `${Uppercase<BucketName>}_BUCKET_NAME` {
  return `${name.toUpperCase() as Uppercase<BucketName>}_BUCKET_NAME`;
}

/**
 * The variables a route's function is deployed with (ApiFunction.bindRouteAccess), which the
 * pipeline requires at cold start. CLUSTER_ARN (stopping tasks) is left to the ECS launcher: local
 * mode stops its tasks without one.
 */
export function routeBindings(access: RouteAccess): Binding[] {
  const buckets = Object.keys(access.buckets ?? {}) as BucketName[];
  return [
    'TABLE_NAME',
    ...buckets.map(bucketVariable),
    ...(access.jobs ? (['JOBS_QUEUE_URL'] as const) : []),
    ...(access.objectZips ? (['OBJECT_ZIP_QUEUE_URL'] as const) : []),
  ];
}

export interface RouteDef<S extends z.ZodMiniType = z.ZodMiniType> {
  /** Endpoint path under /api/v2/, e.g. `projects/read`. */
  path: string;
  group: RouteGroup;
  summary: string;
  /** Handler module under lambdas/api, without extension; it exports `handler`. */
  entry: string;
  schema: S;
  /** Least role the caller needs in the organisation concerned; `public` skips authentication. */
  role: 'public' | Role;
  /** Mutating routes need write permission and write an audit event. */
  mutating: boolean;
  access: RouteAccess;
}

/** Keeps the literal path and the schema type, so `route('x')` gives handlers typed input. */
export function defineRoute<const P extends string, S extends z.ZodMiniType>(route: RouteDef<S> & { path: P }): RouteDef<S> & { path: P } {
  return route;
}

/**
 * The typed lookup of one group's routes, for its handler files: `route('projects/read')` is the
 * row with its schema's type. A handler imports only its own group's file, so its bundle carries
 * no other group's schemas.
 */
export function routeLookup<const T extends readonly RouteDef[]>(table: T) {
  const byPath = new Map<string, RouteDef>(table.map((r) => [r.path, r]));
  return <P extends T[number]['path']>(path: P): Extract<T[number], { path: P }> => {
    const found = byPath.get(path);
    if (!found) throw new Error(`No route ${path}`);
    return found as Extract<T[number], { path: P }>;
  };
}

/** Access profiles several groups share. */
export const tableRead = { table: 'read' } as const satisfies RouteAccess;
export const tableWrite = { table: 'readWrite' } as const satisfies RouteAccess;
export const filesRead = { table: 'read', buckets: { artifacts: 'read' } } as const satisfies RouteAccess;
export const filesWrite = { table: 'readWrite', buckets: { artifacts: 'readWrite' } } as const satisfies RouteAccess;
