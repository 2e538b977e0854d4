import * as z from '../../core/shared/zod';

/**
 * Zod building blocks for the QuantConnect wire: the same field may arrive as a JSON number,
 * a query-string value or a form value (contract §2). These helpers accept each spelling and
 * hand the service one type. An empty string means "not given" (lean-cli sends `targetValue=""`).
 */
const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);

function toNumber(v: unknown): unknown {
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Number(v);
  return v;
}

function toBoolean(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const s = v.trim().toLowerCase();
  if (s === 'true' || s === '1') return true;
  if (s === 'false' || s === '0') return false;
  return v;
}

/** A list that a form may have sent as `{0: a, 1: b}`, a single value, or an empty string. */
function toList(v: unknown): unknown {
  if (v === undefined || v === '' || v === null) return [];
  if (Array.isArray(v)) return v;
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v);
    if (entries.every(([k]) => /^\d+$/.test(k))) {
      return entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, item]) => item);
    }
  }
  return [v];
}

/** Runs `fn` on the raw value before `schema` sees it (classic zod's `preprocess`). */
export function preprocess<S extends z.core.$ZodType>(fn: (value: unknown) => unknown, schema: S): z.ZodMiniPipe<z.ZodMiniTransform, S> {
  return z.pipe<z.ZodMiniTransform, S>(z.transform(fn), schema);
}

/**
 * DynamoDB stores numbers from 1e-130 to below 1e126 in size (and 0); anything else fails the
 * write as an internal error, so such a value is refused here as bad input (found by the fuzz test
 * with an `estimatedCost` of about 1e-169).
 */
const storable = (n: number) => n === 0 || (Math.abs(n) >= 1e-130 && Math.abs(n) < 1e126);
const STORABLE_RANGE = 'must be 0 or between 1e-130 and 1e126 in size';

/** A JSON number that DynamoDB can store (see `storable`). */
export const storableNumber = () => z.number().check(z.refine(storable, STORABLE_RANGE));

export const qc = {
  int: () => preprocess(toNumber, z.number({ error: 'must be an integer' }).check(z.int('must be an integer'))),
  number: () => preprocess(toNumber, z.number({ error: 'must be a number' }).check(z.refine(storable, 'must be 0 or between 1e-130 and 1e126 in size'))),
  bool: () => preprocess(toBoolean, z.boolean({ error: 'must be true or false' })),
  /** A string; numbers are accepted as their decimal text (ids often arrive either way). */
  string: () => preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string({ error: 'must be a string' })),
  /** Text with at least one character. */
  text: (max = 1024) =>
    preprocess(
      (v) => (typeof v === 'number' ? String(v) : v),
      z.string({ error: 'must be a string' }).check(z.minLength(1, 'must not be empty'), z.maxLength(max, `must be at most ${max} characters`)),
    ),
  list: <T extends z.core.SomeType>(item: T, max = 10_000) => preprocess(toList, z.array(item).check(z.maxLength(max, `must have at most ${max} entries`))),
  /** Wrap a field that may be absent; `""` and `null` count as absent. */
  optional: <T extends z.core.SomeType>(inner: T) => preprocess(blankToUndefined, z.optional(inner)),
};

export const organizationIdField = qc.optional(z.pipe(qc.string(), z.string().check(z.regex(/^[0-9a-f]{32}$/, 'must be a 32-character hex organization id'))));
export const projectIdField = z.pipe(qc.int(), z.number().check(z.int(), z.positive('must be a positive project id')));
/** The client's code source (lean-cli, the web IDE), sent with project and file changes. */
export const codeSourceIdField = qc.optional(z.pipe(qc.string(), z.string().check(z.maxLength(200))));

/** Request schemas several route groups share; each group's own schemas sit beside its handlers. */
export const commonSchemas = {
  empty: z.object({}),
  organization: z.object({ organizationId: organizationIdField }),
  project: z.object({ projectId: projectIdField }),
};

/**
 * Validates request parameters. `reportInput` makes zod keep each offending value on its issue,
 * which is how a missing field ("is required") is told apart from a wrong one.
 */
export function parseParams<S extends z.core.$ZodType>(schema: S, params: unknown): { ok: true; data: z.output<S> } | { ok: false; errors: string[] } {
  const broken = illFormedText(params);
  if (broken) return { ok: false, errors: [`${broken}: is not valid Unicode text (it holds a lone surrogate)`] };
  const parsed = z.safeParse(schema, params, { reportInput: true });
  return parsed.success ? { ok: true, data: parsed.data } : { ok: false, errors: describeIssues(parsed.error) };
}

/** A UTF-16 surrogate without its pair: JSON can carry it (`"\ud800"`), UTF-8 storage cannot. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The path of the first key or string in the input that is not well-formed Unicode, or undefined.
 * Such text reached S3 keys and DynamoDB items and failed there as an internal error; it is bad
 * input, refused before any handler runs.
 */
export function illFormedText(input: unknown): string | undefined {
  const stack: [unknown, string][] = [[input, 'request']];
  while (stack.length) {
    const [value, path] = stack.pop() as [unknown, string];
    if (typeof value === 'string') {
      if (LONE_SURROGATE.test(value)) return path;
    } else if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) stack.push([item, `${path}.${i}`]);
    } else if (value && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        const at = path === 'request' ? key : `${path}.${key}`;
        if (LONE_SURROGATE.test(key)) return at;
        stack.push([item, at]);
      }
    }
  }
  return undefined;
}

/** "<field>: <what is wrong>" for every problem, as the envelope's `errors` list. */
export function describeIssues(error: z.core.$ZodError): string[] {
  return error.issues.map((issue) => {
    const field = issue.path.length ? issue.path.join('.') : 'request';
    const missing = issue.code === 'invalid_type' && 'input' in issue && issue.input === undefined;
    return `${field}: ${missing ? 'is required' : issue.message}`;
  });
}
