import * as z from 'zod';
import { projectIdField, qc } from '../schema';

/**
 * Request schemas of compile and backtest endpoints (contract §3.5, §3.6). Ids are checked for
 * shape only: an id of the right shape that does not exist is "not found", like another
 * organisation's.
 */
const backtestIdField = qc.string().pipe(z.string().regex(/^[0-9a-f]{32}$/, 'must be a 32-character hex backtest id'));
const compileIdField = qc.string().pipe(z.string().regex(/^[0-9a-f]{32}-[0-9a-f]{32}$/, 'must be a compile id (<32 hex>-<32 hex>)'));
const backtestRef = { projectId: projectIdField, backtestId: backtestIdField };
const index = qc.int().pipe(z.number().int().min(0, 'must be 0 or more'));

/**
 * Backtest parameters: an object of name → string/number/bool (LEAN, lean-cli, MCP); values are
 * kept as text because that is how LEAN reads them. Nested objects are refused (MCP test).
 */
const backtestParameters = qc.optional(
  z
    .record(
      z.string().min(1, 'names must not be empty').max(200, 'names must be at most 200 characters'),
      z.union([z.string().max(10_000), z.number().finite(), z.boolean()], { error: 'values must be strings or numbers' }),
    )
    .refine((p) => Object.keys(p).length <= 500, 'must have at most 500 parameters')
    .transform((p) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, String(v)]))),
);

/** A page window: `end - start` ≤ 100 (contract §3.6: LEAN asks 0..100, 0..200 must fail). */
const pageWindow = z
  .object({ ...backtestRef, start: qc.optional(index).default(0), end: qc.optional(index).default(100) })
  .refine((w) => w.end >= w.start, { message: 'end: must not be less than start', path: ['end'] })
  .refine((w) => w.end - w.start <= 100, { message: 'end: at most 100 items per call (end - start ≤ 100)', path: ['end'] });

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
  backtestList: z.object({ projectId: projectIdField, includeStatistics: qc.optional(qc.bool()).default(false) }),
  backtestUpdate: z.object({
    ...backtestRef,
    name: qc.optional(qc.text(200)),
    // LEAN always sends `note`, "" by default, which clears it.
    note: z.preprocess((v) => (v === null ? undefined : v), qc.string().pipe(z.string().max(10_000)).optional()),
  }),
  backtestTags: z.object({ ...backtestRef, tags: qc.list(qc.text(100), 100) }),
  backtestChart: z
    .object({
      ...backtestRef,
      name: qc.text(200),
      count: qc.optional(qc.int().pipe(z.number().int().min(1, 'must be at least 1').max(100_000, 'must be at most 100000'))).default(100),
      start: qc.optional(index),
      end: qc.optional(index),
    })
    .refine((c) => c.start === undefined || c.end === undefined || c.end >= c.start, { message: 'end: must not be before start', path: ['end'] }),
  backtestPage: pageWindow,
};
