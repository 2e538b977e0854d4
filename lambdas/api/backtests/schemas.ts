import * as z from '../../../core/shared/zod';
import { preprocess, projectIdField, qc, storableNumber } from '../schema';

/**
 * Request schemas of compile and backtest endpoints (contract §3.5, §3.6). Ids are checked for
 * shape only: an id of the right shape that does not exist is "not found", like another
 * organisation's.
 */
const backtestIdField = z.pipe(qc.string(), z.string().check(z.regex(/^[0-9a-f]{32}$/, 'must be a 32-character hex backtest id')));
const compileIdField = z.pipe(qc.string(), z.string().check(z.regex(/^[0-9a-f]{32}-[0-9a-f]{32}$/, 'must be a compile id (<32 hex>-<32 hex>)')));
const backtestRef = { projectId: projectIdField, backtestId: backtestIdField };
const index = z.pipe(qc.int(), z.number().check(z.int(), z.gte(0, 'must be 0 or more')));

/**
 * Backtest parameters: an object of name → string/number/bool (LEAN, lean-cli, MCP); values keep
 * their JSON types, as QuantConnect echoes them in `parameterSet` (contract §8 item 12); the
 * runner hands them to LEAN as text. Nested objects are refused (MCP test).
 */
const backtestParameters = qc.optional(
  z
    .record(
      z.string().check(z.minLength(1, 'names must not be empty'), z.maxLength(200, 'names must be at most 200 characters')),
      z.union([z.string().check(z.maxLength(10_000)), storableNumber(), z.boolean()], { error: 'values must be strings or numbers' }),
    )
    .check(z.refine((p) => Object.keys(p).length <= 500, 'must have at most 500 parameters')),
);

/** A page window: `end - start` ≤ 100 (contract §3.6: LEAN asks 0..100, 0..200 must fail). */
const pageWindow = z.object({ ...backtestRef, start: z._default(qc.optional(index), 0), end: z._default(qc.optional(index), 100) }).check(
  z.refine((w) => w.end >= w.start, { message: 'end: must not be less than start', path: ['end'] }),
  z.refine((w) => w.end - w.start <= 100, { message: 'end: at most 100 items per call (end - start ≤ 100)', path: ['end'] }),
);

/**
 * `backtests/read/log` (QuantConnect's API reference): lines start..end of the log, `end - start` ≤ 200,
 * counted among the lines that contain `query` (case-insensitive) when one is given.
 */
const logWindow = z
  .object({
    ...backtestRef,
    start: z._default(qc.optional(index), 0),
    end: z._default(qc.optional(index), 200),
    query: preprocess((v) => (v === null ? undefined : v), z.optional(z.pipe(qc.string(), z.string().check(z.maxLength(200))))),
    format: qc.optional(qc.text(20)),
  })
  .check(
    z.refine((w) => w.end >= w.start, { message: 'end: must not be less than start', path: ['end'] }),
    z.refine((w) => w.end - w.start <= 200, { message: 'end: at most 200 lines per call (end - start ≤ 200)', path: ['end'] }),
  );

export const backtestSchemas = {
  compileCreate: z.object({ projectId: projectIdField }),
  compileRead: z.object({ projectId: projectIdField, compileId: compileIdField }),
  backtestCreate: z.object({
    projectId: projectIdField,
    compileId: compileIdField,
    backtestName: qc.optional(qc.text(200)),
    parameters: backtestParameters,
    requestSource: qc.optional(qc.text(200)),
  }),
  backtestRef: z.object(backtestRef),
  backtestList: z.object({ projectId: projectIdField, includeStatistics: z._default(qc.optional(qc.bool()), false) }),
  backtestUpdate: z.object({
    ...backtestRef,
    name: qc.optional(qc.text(200)),
    // LEAN always sends `note`, "" by default, which clears it.
    note: preprocess((v) => (v === null ? undefined : v), z.optional(z.pipe(qc.string(), z.string().check(z.maxLength(10_000))))),
  }),
  backtestTags: z.object({ ...backtestRef, tags: qc.list(qc.text(100), 100) }),
  backtestChart: z
    .object({
      ...backtestRef,
      name: qc.text(200),
      count: z._default(
        qc.optional(z.pipe(qc.int(), z.number().check(z.int(), z.gte(1, 'must be at least 1'), z.lte(100_000, 'must be at most 100000')))),
        100,
      ),
      start: qc.optional(index),
      end: qc.optional(index),
    })
    .check(z.refine((c) => c.start === undefined || c.end === undefined || c.end >= c.start, { message: 'end: must not be before start', path: ['end'] })),
  backtestPage: pageWindow,
  backtestLog: logWindow,
};
