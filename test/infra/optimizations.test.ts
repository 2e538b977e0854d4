import { OPTIMIZATION_NODE_LIMITS, SKUS } from '../../core/shared/catalog';
import type { LcsApp } from '../../lib/app';
import { OPTIMIZATION_POINT_EVENTS } from '../../lib/constructs/ops-dashboard';
import { fargateSize } from '../../lib/constructs/runner-task';
import { OPTIMIZATION_SKUS } from '../../lib/stacks/jobs-stack';
import { buildApp, logicalId, templateOf } from './fixture';

/**
 * Optimization nodes in the infrastructure: every node type lean-cli offers (O2-8, O4-12, O8-16)
 * has a runner task size of at least its cores and memory, so a point runs on the size asked for.
 */
describe('optimization node task sizes', () => {
  test('every node type lean-cli offers is a runner SKU', () => {
    expect(OPTIMIZATION_SKUS.map((s) => s.sku).sort()).toEqual(Object.keys(OPTIMIZATION_NODE_LIMITS).sort());
    expect(SKUS.filter((s) => s.kind === 'optimization')).toHaveLength(3);
  });

  test('each maps to a Fargate size with its cores and memory', () => {
    const expected: Record<string, [number, number]> = { 'O2-8': [2048, 8192], 'O4-12': [4096, 12288], 'O8-16': [8192, 16384] };
    for (const sku of OPTIMIZATION_SKUS) expect(fargateSize(sku)).toEqual({ cpu: expected[sku.sku]![0], memoryMiB: expected[sku.sku]![1] });
  });
});

describe('optimization metrics on the dashboard', () => {
  let body: string;
  let jobs: ReturnType<typeof templateOf>['json'];
  let lcs: LcsApp;
  beforeAll(() => {
    lcs = buildApp();
    const dashboard = Object.values(templateOf(lcs.monitoring).json.Resources).find((r) => r.Type === 'AWS::CloudWatch::Dashboard')!;
    body = JSON.stringify(dashboard.Properties!.DashboardBody);
    jobs = templateOf(lcs.jobs).json;
  }, 120_000);

  test('points queued, running, finished and failed', () => {
    for (const event of OPTIMIZATION_POINT_EVENTS) expect(body).toContain(`\\"event\\",\\"${event}\\"`);
    expect(body).toContain('OptimizationPoints');
    expect(body).toContain('OptimizationPointsRunning');
  });

  test('the job-finished path: the runner and the reconciler may send to the jobs queue, the dispatcher reads the artifacts bucket', () => {
    const runnerPolicy = JSON.stringify(Object.values(jobs.Resources).filter((r) => r.Type === 'AWS::IAM::Policy'));
    expect(runnerPolicy).toContain('sqs:SendMessage');
    const dispatcher = jobs.Resources[logicalId(lcs.jobs.dispatcher.function.node.defaultChild!)]!.Properties as {
      Environment: { Variables: Record<string, unknown> };
    };
    expect(dispatcher.Environment.Variables.ARTIFACTS_BUCKET_NAME).toBeDefined();
    expect(dispatcher.Environment.Variables.JOBS_QUEUE_URL).toBeDefined();
  });
});
