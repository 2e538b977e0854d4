import * as z from 'zod';
import { describeIssues, illFormedText, organizationIdField, parseParams, projectIdField, qc, storableNumber } from '../../lambdas/api/schema';

/** The wire coercions of contract §2: numbers and booleans as text, "" as "not given". */
describe('coercions', () => {
  test('qc.int accepts JSON numbers and decimal text, and refuses other text and fractions', () => {
    expect(qc.int().parse(123)).toBe(123);
    expect(qc.int().parse('123')).toBe(123);
    expect(qc.int().parse(' -7 ')).toBe(-7);
    expect(qc.int().safeParse('12abc').success).toBe(false);
    expect(qc.int().safeParse('1.5').success).toBe(false);
    expect(qc.int().safeParse(true).success).toBe(false);
  });

  test('qc.number accepts decimal text', () => {
    expect(qc.number().parse('2.5')).toBe(2.5);
    expect(qc.number().safeParse('NaN').success).toBe(false);
  });

  test('qc.number refuses what DynamoDB cannot store (below 1e-130 or from 1e126 in size), and keeps 0', () => {
    const n = qc.number();
    for (const ok of [0, -0, 1e-130, -1e-130, 2.5, '2.5', 1e125, -9.99e125]) expect(n.safeParse(ok).success).toBe(true);
    for (const bad of [-1.469968062797083e-169, 1e-131, 1e126, -1e200]) {
      const parsed = n.safeParse(bad);
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.message).toBe('must be 0 or between 1e-130 and 1e126 in size');
    }
  });

  test('storableNumber (numbers inside records: backtest parameters, live settings) has the same range', () => {
    expect(storableNumber().safeParse(1e-131).success).toBe(false);
    expect(storableNumber().safeParse(-3.5).success).toBe(true);
  });

  test('qc.bool accepts true/"True"/"true"/"1" and false/"False"/"0"', () => {
    for (const v of [true, 'True', 'true', 'TRUE', '1']) expect(qc.bool().parse(v)).toBe(true);
    for (const v of [false, 'False', 'false', '0']) expect(qc.bool().parse(v)).toBe(false);
    expect(qc.bool().safeParse('yes').success).toBe(false);
  });

  test('qc.optional reads "" and null as absent, and keeps real values', () => {
    const schema = z.object({ projectId: qc.optional(qc.int()), flag: qc.optional(qc.bool()) });
    expect(schema.parse({ projectId: '', flag: null })).toEqual({});
    expect(schema.parse({ projectId: '', flag: null }).projectId).toBeUndefined();
    expect(schema.parse({ projectId: '5', flag: 'True' })).toEqual({ projectId: 5, flag: true });
  });

  test('qc.string turns numbers into their text; qc.text refuses an empty string', () => {
    expect(qc.string().parse(42)).toBe('42');
    expect(qc.text().safeParse('').success).toBe(false);
    expect(qc.text(3).safeParse('abcd').success).toBe(false);
  });

  test('qc.list accepts a form index object (in numeric order), one value, an array, and "" as empty', () => {
    const list = qc.list(qc.int());
    expect(list.parse({ 10: '3', 2: '2', 0: '1' })).toEqual([1, 2, 3]);
    expect(list.parse('4')).toEqual([4]);
    expect(list.parse([5, '6'])).toEqual([5, 6]);
    expect(list.parse('')).toEqual([]);
    expect(qc.list(qc.int(), 2).safeParse([1, 2, 3]).success).toBe(false);
  });

  test('organizationIdField and projectIdField', () => {
    const schema = z.object({ organizationId: organizationIdField, projectId: projectIdField });
    expect(schema.parse({ organizationId: 'a'.repeat(32), projectId: '17' })).toEqual({ organizationId: 'a'.repeat(32), projectId: 17 });
    expect(schema.parse({ organizationId: '', projectId: 17 })).toEqual({ projectId: 17 });
    expect(schema.safeParse({ organizationId: 'A'.repeat(32), projectId: 17 }).success).toBe(false);
    expect(schema.safeParse({ projectId: 0 }).success).toBe(false);
  });
});

describe('describeIssues', () => {
  const schema = z.object({
    projectId: projectIdField,
    name: qc.text(10),
    files: z.optional(qc.list(z.object({ name: qc.text() }))),
  });

  function issues(input: unknown): string[] {
    const parsed = parseParams(schema, input);
    if (parsed.ok) throw new Error('expected a failure');
    return parsed.errors;
  }

  test('"<field>: is required" for a missing field', () => {
    expect(issues({ name: 'x' })).toEqual(['projectId: is required']);
  });

  test('"<field>: <problem>" for a wrong value, one entry per problem', () => {
    expect(issues({ projectId: '-3', name: '' })).toEqual(['projectId: must be a positive project id', 'name: must not be empty']);
    expect(issues({ projectId: 1, name: 'x'.repeat(11) })).toEqual(['name: must be at most 10 characters']);
  });

  // Regression: zod 4 keeps `issue.input` only with `reportInput`; without it every wrong-typed
  // value was reported as "is required".
  test('a wrong-typed value is named as wrong, not as missing', () => {
    expect(issues({ projectId: 'abc', name: 'x' })).toEqual(['projectId: must be an integer']);
  });

  test('nested paths are joined with dots', () => {
    expect(issues({ projectId: 1, name: 'x', files: { 0: { name: 'ok' }, 1: { name: '' } } })).toEqual(['files.1.name: must not be empty']);
  });

  test('an issue without a path names the request', () => {
    const parsed = z.object({}).strict().safeParse('not an object');
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(describeIssues(parsed.error)[0]).toMatch(/^request: /);
  });

  test('every message has the "<field>: <problem>" shape', () => {
    for (const line of issues({ projectId: null, name: 5000000000000, files: [{}] })) expect(line).toMatch(/^[\w.]+: \S/);
  });
});

describe('ill-formed Unicode', () => {
  test('a lone surrogate in any string or key is refused with its path; pairs and plain text pass', () => {
    const schema = z.object({ name: z.string() });
    expect(parseParams(schema, { name: '\ud800/\ud800' })).toEqual({ ok: false, errors: ['name: is not valid Unicode text (it holds a lone surrogate)'] });
    expect(illFormedText({ a: [{ b: 'ok', c: 'x\udc00' }] })).toBe('a.0.c');
    expect(illFormedText({ a: { '\ud83d': 1 } })).toBe('a.\ud83d');
    expect(illFormedText({ emoji: '😀 ünïcode', list: ['a', 'b'] })).toBeUndefined();
    expect(parseParams(schema, { name: '😀' })).toMatchObject({ ok: true });
  });
});
