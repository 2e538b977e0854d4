import * as z from '../../../core/shared/zod';
import { organizationIdField, preprocess, projectIdField, qc, storableNumber } from '../schema';

/**
 * Request schemas of the live endpoints (contract §3.8). lean-cli sends `live/create` as JSON with
 * the brokerage's settings flattened into `brokerage` (lean-cli:`lean/components/api/live_client.py`
 * `start`: `{id, …settings, cash?, holdings?}`), `dataProviders` keyed by provider id, each
 * `{id, …settings}`, `automaticRedeploy`, `versionId` (an int) and, when asked, `notification`
 * `{events, targets}`; LEAN adds `signature` and `parameters` and sends `versionId: "-1"`.
 */
const compileIdField = z.pipe(qc.string(), z.string().check(z.regex(/^[0-9a-f]{32}-[0-9a-f]{32}$/, 'must be a compile id (<32 hex>-<32 hex>)')));
const deployIdField = z.pipe(qc.string(), z.string().check(z.regex(/^L-[0-9a-f]{32}$/, 'must be a deploy id (L-<32 hex>)')));
const index = z.pipe(qc.int(), z.number().check(z.int(), z.gte(0, 'must be 0 or more')));
const settingValue = z.union([z.string().check(z.maxLength(10_000)), storableNumber(), z.boolean()], {
  error: 'settings must be strings, numbers or booleans',
});
/** Any JSON value (a command's fields, notification targets): passed on as given. */
const anyValue = z
  .custom<unknown>(() => true)
  .register(z.globalRegistry, {
    // The document generator needs a type; a command's fields may be any JSON value.
    type: 'object',
    description: 'any JSON value',
  });
/** Settings with a null value count as not given. */
const withoutNulls = (v: unknown) =>
  v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).filter(([, inner]) => inner !== null)) : v;

/** A JSON object that may arrive as JSON text (the query-string form of a GET link). */
const jsonObject = (what: string) =>
  preprocess(
    (v) => {
      if (typeof v !== 'string') return v;
      try {
        return JSON.parse(v);
      } catch {
        return v;
      }
    },
    z.record(z.string(), anyValue, { error: `${what} must be an object` }),
  );

const cash = z.array(z.object({ currency: qc.text(10), amount: qc.number() })).check(z.maxLength(100));
const holdings = z.array(z.object({ symbol: qc.text(100), symbolId: qc.text(200), quantity: qc.number(), averagePrice: qc.number() })).check(z.maxLength(1000));

const brokerage = preprocess(
  withoutNulls,
  z.catchall(
    z.object({
      id: qc.text(100),
      cash: qc.optional(cash),
      holdings: qc.optional(holdings),
    }),
    settingValue,
  ),
);

const dataProviders = z
  .record(qc.text(100), preprocess(withoutNulls, z.catchall(z.object({ id: qc.optional(qc.text(100)) }), settingValue)))
  .check(z.refine((p) => Object.keys(p).length <= 10, 'at most 10 data providers'));

/** A page window with a maximum size. */
const pageWindow = (max: number, defaultSize: number) =>
  z.object({ projectId: projectIdField, start: z._default(qc.optional(index), 0), end: z._default(qc.optional(index), defaultSize) }).check(
    z.refine((w) => w.end >= w.start, { message: 'end: must not be less than start', path: ['end'] }),
    z.refine((w) => w.end - w.start <= max, { message: `end: at most ${max} items per call (end - start ≤ ${max})`, path: ['end'] }),
  );

export const LIVE_STATUS_FILTER = ['Running', 'Stopped', 'RuntimeError', 'Liquidated', 'DeployError', 'Initializing'] as const;

export const liveSchemas = {
  liveCreate: z.object({
    projectId: projectIdField,
    compileId: compileIdField,
    nodeId: qc.text(100),
    versionId: qc.optional(qc.int()),
    brokerage,
    dataProviders: z._default(qc.optional(dataProviders), {}),
    automaticRedeploy: z._default(qc.optional(qc.bool()), false),
    // Checked by the live domain (core/domain/live/notifications.ts), whose refusals never echo a target's secret values.
    notification: qc.optional(z.record(z.string(), anyValue)),
    signature: qc.optional(qc.text(100)),
    parameters: qc.optional(z.record(z.string(), anyValue)),
  }),
  liveRead: z.object({ projectId: projectIdField, deployId: qc.optional(deployIdField) }),
  liveList: z.object({
    status: qc.optional(z.enum(LIVE_STATUS_FILTER, { error: `must be one of ${LIVE_STATUS_FILTER.join(', ')}` })),
    projectId: qc.optional(projectIdField),
  }),
  liveLogs: z
    .object({
      format: qc.optional(qc.text(10)),
      projectId: projectIdField,
      algorithmId: deployIdField,
      startLine: z._default(qc.optional(index), 0),
      endLine: z._default(qc.optional(index), 250),
    })
    .check(
      z.refine((w) => w.endLine >= w.startLine, { message: 'endLine: must not be less than startLine', path: ['endLine'] }),
      z.refine((w) => w.endLine - w.startLine <= 250, { message: 'endLine: at most 250 lines per call (endLine - startLine ≤ 250)', path: ['endLine'] }),
    ),
  liveOrders: pageWindow(1000, 100),
  liveInsights: pageWindow(100, 100),
  liveChart: z
    .object({
      projectId: projectIdField,
      name: qc.text(200),
      count: z._default(
        qc.optional(z.pipe(qc.int(), z.number().check(z.int(), z.gte(1, 'must be at least 1'), z.lte(100_000, 'must be at most 100000')))),
        100,
      ),
      start: qc.optional(index),
      end: qc.optional(index),
    })
    .check(z.refine((c) => c.start === undefined || c.end === undefined || c.end >= c.start, { message: 'end: must not be before start', path: ['end'] })),
  liveCommand: z.object({ projectId: projectIdField, command: jsonObject('command') }),
  liveBroadcast: z.object({ organizationId: organizationIdField, excludeProjectId: qc.optional(projectIdField), command: jsonObject('command') }),
  liveAuth0Read: z.object({ brokerage: qc.text(100), userId: qc.optional(qc.string()) }),
  liveAuth0Authorize: z.object({ brokerage: qc.optional(qc.text(100)), projectId: qc.optional(qc.string()), userId: qc.optional(qc.string()) }),
};
