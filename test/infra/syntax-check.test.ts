import { routes } from '../../lambdas/api/routes';
import type { LcsApp } from '../../lib/app';
import { SYNTAX_CHECK_ENTRY } from '../../lib/stacks/jobs-stack';
import { buildApp, type CfnTemplate, envOf, grantsOf, type Json, logicalId, policyOf, propsOf, templateOf } from './fixture';

/**
 * The Python syntax check's own function (design §7): in the jobs stack, with no data access, and
 * invocable by exactly the routes that declare `syntaxCheck` (compile/create, ai/tools/syntax-check),
 * each told its name through SYNTAX_CHECK_FUNCTION_NAME.
 */
let lcs: LcsApp;
let jobs: CfnTemplate;

beforeAll(() => {
  lcs = buildApp();
  jobs = templateOf(lcs.jobs).json;
}, 120_000);

test('the routes that declare the syntax check are compile/create and ai/tools/syntax-check', () => {
  expect(routes.filter((r) => r.access.syntaxCheck).map((r) => r.path)).toEqual(['compile/create', 'ai/tools/syntax-check']);
});

test('the function: its own entry, more memory than an endpoint, below the callers’ 29 s', () => {
  expect(SYNTAX_CHECK_ENTRY).toBe('lambdas/workers/syntax-check.handler.ts');
  expect(propsOf(jobs, lcs.jobs.syntaxCheck.function)).toMatchObject({ Runtime: 'nodejs22.x', Handler: 'index.handler', MemorySize: 1024, Timeout: 20 });
});

test('its role writes its logs and traces, nothing else: no table, bucket, key, queue or function', () => {
  const fn = lcs.jobs.syntaxCheck;
  const grants = grantsOf(policyOf(jobs, fn), { [`<${logicalId(fn.logGroup.node.defaultChild!)}.Arn>`]: 'logs' });
  expect(grants).toEqual(['logs:CreateLogStream on logs', 'logs:PutLogEvents on logs', 'xray:PutTelemetryRecords on *', 'xray:PutTraceSegments on *']);
  expect(Object.keys(envOf(jobs, fn)).filter((k) => /TABLE|BUCKET|QUEUE|CLUSTER/.test(k))).toEqual([]);
});

test('only the declaring routes may invoke it, that one function only, and they get its name', () => {
  const invokers: string[] = [];
  for (const [group, stack] of lcs.api.groups) {
    const template = templateOf(stack).json;
    const stackResource = templateOf(lcs.api).json.Resources[logicalId(stack.nestedStackResource!)]!.Properties as Json;
    for (const [path, fn] of stack.functions) {
      const statements = (policyOf(template, fn) as { Statement: Json[] }).Statement;
      const invoke = statements.filter((s) => ([] as string[]).concat(s.Action as string[]).some((a) => a.startsWith('lambda:')));
      const env = envOf(template, fn);
      if (!invoke.length) {
        expect([path, env.SYNTAX_CHECK_FUNCTION_NAME]).toEqual([path, undefined]);
        continue;
      }
      invokers.push(path);
      expect(invoke).toEqual([{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { Ref: 'SyntaxCheckFunctionArn' } }]);
      expect(env.SYNTAX_CHECK_FUNCTION_NAME).toEqual({ Ref: 'SyntaxCheckFunctionName' });
      // The group stack's parameters are the jobs stack's function: its ARN and its name.
      const parameters = JSON.stringify((stackResource.Parameters as Json) ?? {});
      const fnId = logicalId(lcs.jobs.syntaxCheck.function.node.defaultChild!);
      expect([group, parameters]).toEqual([group, expect.stringContaining(fnId)]);
    }
  }
  expect(invokers.sort()).toEqual(['ai/tools/syntax-check', 'compile/create']);
  // Nothing else in the jobs stack may invoke it either.
  for (const fn of [lcs.jobs.dispatcher, lcs.jobs.reconciler]) {
    expect(JSON.stringify(policyOf(jobs, fn))).not.toContain('lambda:InvokeFunction');
  }
});
