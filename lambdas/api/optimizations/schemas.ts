import { COMPARISON_OPERATORS, type ComparisonOperator } from '../../../core/domain/optimizations/types';
import * as z from '../../../core/shared/zod';
import { preprocess, projectIdField, qc } from '../schema';

/**
 * Request schemas of optimizations/* (contract §3.7). LEAN and MCP send JSON; lean-cli sends a
 * form with bracket keys (`parameters[0][key]`, `constraints[0][target-value]`, `targetValue=""`),
 * which the transport has already turned into nested objects: both spellings land here.
 */
const optimizationIdField = z.pipe(qc.string(), z.string().check(z.regex(/^O-[0-9a-f]{32}$/, 'must be an optimization id (O-<32 hex>)')));
const compileIdField = z.pipe(qc.string(), z.string().check(z.regex(/^[0-9a-f]{32}-[0-9a-f]{32}$/, 'must be a compile id (<32 hex>-<32 hex>)')));

/** lean-cli sends LEAN's enum member names (`LessOrEqual`), LEAN's JSON the camelCase values: any case. */
const operatorField = preprocess(
  (v) => (typeof v === 'string' ? (COMPARISON_OPERATORS.find((op) => op.toLowerCase() === v.trim().toLowerCase()) ?? v) : v),
  z.enum(COMPARISON_OPERATORS as unknown as [ComparisonOperator, ...ComparisonOperator[]], { error: `must be one of ${COMPARISON_OPERATORS.join(', ')}` }),
);

/** lean-cli names a parameter `key`, LEAN and the spec `name`. */
const parameter = preprocess(
  (v) => (v && typeof v === 'object' && !('name' in v) && 'key' in v ? { ...v, name: (v as { key: unknown }).key } : v),
  z
    .object({
      name: qc.text(200),
      min: qc.number(),
      max: qc.number(),
      step: z.pipe(qc.number(), z.number().check(z.positive('must be greater than 0'))),
      minStep: qc.optional(z.pipe(qc.number(), z.number().check(z.positive('must be greater than 0')))),
    })
    .check(
      z.refine((p) => p.min <= p.max, { message: 'min must not be greater than max', path: ['min'] }),
      z.refine((p) => p.minStep === undefined || p.minStep <= p.step, { message: 'must not be greater than step', path: ['minStep'] }),
    ),
);

/** lean-cli sends `target-value` (LEAN's backwards-compatible name), JSON clients `targetValue`. */
const constraint = preprocess(
  (v) =>
    v && typeof v === 'object' && !('targetValue' in v) && 'target-value' in v ? { ...v, targetValue: (v as Record<string, unknown>)['target-value'] } : v,
  z.object({ target: qc.text(300), operator: operatorField, targetValue: qc.number() }),
);

const optimizationRequest = z.object({
  projectId: projectIdField,
  compileId: compileIdField,
  name: qc.optional(qc.text(200)),
  target: qc.text(300),
  targetTo: preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), z.enum(['min', 'max'], { error: 'must be min or max' })),
  targetValue: qc.optional(qc.number()),
  strategy: qc.optional(qc.text(300)),
  parameters: qc.list(parameter, 50).check(z.minLength(1, 'must have at least one parameter')),
  constraints: z._default(qc.list(constraint, 50), []),
  estimatedCost: qc.optional(qc.number()),
  nodeType: qc.text(20),
  parallelNodes: z.pipe(qc.int(), z.number().check(z.int(), z.gte(1, 'must be at least 1'))),
});

export const optimizationSchemas = {
  optimizationRequest,
  optimizationRef: z.object({ optimizationId: optimizationIdField }),
  optimizationList: z.object({ projectId: projectIdField }),
  optimizationUpdate: z.object({ optimizationId: optimizationIdField, name: qc.text(200) }),
};
