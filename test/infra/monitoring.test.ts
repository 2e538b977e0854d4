import { NestedStack, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createApp, type LcsApp } from '../../lib/app';
import { BUSY_ROUTES } from '../../lib/constructs/ops-dashboard';
import { pascal } from '../../lib/naming';
import { buildApp, logicalId, NO_BUNDLING, render, templateOf, testSettings } from './fixture';

/** The monitoring stack: the alarm topic every alarm notifies, the API alarms, the dashboard. */
const TOPIC_ARN_BY_NAME = 'arn:<AWS::Partition>:sns:<AWS::Region>:<AWS::AccountId>:lcs-test-alarms';

function stacksOf(lcs: LcsApp): Stack[] {
  return lcs.app.node.findAll().filter((c): c is Stack => Stack.isStack(c));
}

describe('monitoring stack', () => {
  const thresholds = { api5xxRatePercent: 2.5, apiLatencyP99Ms: 1800, apiThrottlesPer5Minutes: 70, authorizerErrorsPer5Minutes: 3, maxRunningTasks: 12 };
  let lcs: LcsApp;
  let json: ReturnType<typeof templateOf>['json'];
  let template: ReturnType<typeof templateOf>['template'];
  beforeAll(() => {
    lcs = buildApp({ monitoring: thresholds });
    ({ json, template } = templateOf(lcs.monitoring));
  }, 120_000);

  const alarmProps = (id: string) => {
    const alarm = lcs.monitoring.alarms.find((a) => a.node.id === id);
    if (!alarm) throw new Error(`no alarm ${id}`);
    return json.Resources[logicalId(alarm.node.defaultChild!)]!.Properties!;
  };

  test('every alarm of every stack, nested ones included, notifies the alarm topic (firing and recovering)', () => {
    const topicRef = `<${logicalId(lcs.monitoring.alarmTopic.topic.node.defaultChild!)}>`;
    let count = 0;
    for (const stack of stacksOf(lcs)) {
      const alarms = Object.values(templateOf(stack).json.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
      for (const alarm of alarms) {
        count++;
        const expected = stack === lcs.monitoring ? topicRef : TOPIC_ARN_BY_NAME;
        expect((alarm.Properties!.AlarmActions as unknown[]).map((a) => render(a))).toEqual([expected]);
        expect((alarm.Properties!.OKActions as unknown[]).map((a) => render(a))).toEqual([expected]);
      }
    }
    // The jobs stack's four and the monitoring stack's own.
    expect(count).toBe(lcs.jobs.alarms.length + lcs.monitoring.alarms.length);
    expect(lcs.jobs.alarms.length).toBeGreaterThanOrEqual(4);
  });

  test('the topic the jobs alarms name is the one the monitoring stack creates; it is KMS-encrypted and TLS only', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'lcs-test-alarms', KmsMasterKeyId: Match.anyValue() });
    // Under the app's key (no key of its own: $1 a month idle); CloudWatch may use it for this topic only.
    expect(template.findResources('AWS::KMS::Key')).toEqual({});
    const keyPolicy = (
      templateOf(lcs.stateful).json.Resources[logicalId(lcs.stateful.key.node.defaultChild!)]!.Properties!.KeyPolicy as {
        Statement: Record<string, unknown>[];
      }
    ).Statement;
    const forCloudWatch = keyPolicy.find((st) => JSON.stringify(st.Principal).includes('cloudwatch.amazonaws.com'));
    expect(forCloudWatch).toMatchObject({ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] });
    expect(
      render((forCloudWatch?.Condition as { StringEquals: Record<string, unknown> } | undefined)?.StringEquals['kms:EncryptionContext:aws:sns:topicArn']),
    ).toBe(TOPIC_ARN_BY_NAME);
    const policy = Object.values(json.Resources).find((r) => r.Type === 'AWS::SNS::TopicPolicy')!;
    const statements = (policy.Properties!.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Allow', Action: 'sns:Publish', Principal: { Service: 'cloudwatch.amazonaws.com' } }));
  });

  test('the monitoring stack depends on the api and jobs stacks, and no stack depends on it', () => {
    const deps = lcs.monitoring.dependencies.map((s) => s.stackName);
    expect(deps).toEqual(expect.arrayContaining(['lcs-test-api', 'lcs-test-jobs']));
    for (const stack of stacksOf(lcs)) {
      if (NestedStack.isNestedStack(stack)) continue;
      expect(stack.dependencies).not.toContain(lcs.monitoring);
    }
  });

  test('API 5xx rate: 5XXError / Count of the API stage, in percent, over 5 minutes, at the configured threshold', () => {
    const props = alarmProps('Api5xxRate');
    expect(props.Threshold).toBe(2.5);
    expect(props.ComparisonOperator).toBe('GreaterThanThreshold');
    const queries = props.Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: { MetricName: string; Dimensions: unknown[] }; Period: number };
    }[];
    expect(queries.find((q) => q.Expression)?.Expression).toBe('IF(requests > 0, 100 * errors / requests, 0)');
    const stats = Object.fromEntries(queries.filter((q) => q.MetricStat).map((q) => [q.Id, q.MetricStat!]));
    expect(stats.errors!.Metric.MetricName).toBe('5XXError');
    expect(stats.requests!.Metric.MetricName).toBe('Count');
    expect(stats.errors!.Period).toBe(300);
    expect(stats.errors!.Metric.Dimensions).toEqual(
      expect.arrayContaining([
        { Name: 'ApiName', Value: 'lcs-test' },
        { Name: 'Stage', Value: 'test' },
      ]),
    );
  });

  test('API p99 latency, throttles (429s counted from the access log), authorizer errors: configured thresholds', () => {
    expect(alarmProps('ApiLatencyP99')).toMatchObject({ MetricName: 'Latency', ExtendedStatistic: 'p99', Threshold: 1800, EvaluationPeriods: 3 });
    expect(alarmProps('ApiThrottles')).toMatchObject({ MetricName: 'ApiThrottles', Namespace: 'LeanCloudServer/test', Threshold: 70 });
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.status = "429" }',
      MetricTransformations: [Match.objectLike({ MetricName: 'ApiThrottles', MetricNamespace: 'LeanCloudServer/test', MetricValue: '1' })],
    });
    const authorizer = alarmProps('AuthorizerErrors');
    expect(authorizer).toMatchObject({ MetricName: 'Errors', Namespace: 'AWS/Lambda', Threshold: 3 });
    const apiOutputs = Object.fromEntries(Object.entries(templateOf(lcs.api).json.Outputs ?? {}).map(([name, o]) => [name, o.Value]));
    expect(render((authorizer.Dimensions as { Value: unknown }[])[0]!.Value, apiOutputs)).toBe(
      `<${logicalId(lcs.api.authorizerFunction.function.node.defaultChild!)}>`,
    );
    expect(alarmProps('AuthorizerThrottles')).toMatchObject({ MetricName: 'Throttles', Threshold: 0 });
    expect(alarmProps('RunningTasks')).toMatchObject({ MetricName: 'TaskCount', Namespace: 'ECS/ContainerInsights', Threshold: 12 });
    // The one series the pipeline emits for unexpected errors (service dimension only).
    expect(alarmProps('InternalErrors')).toMatchObject({
      MetricName: 'InternalErrors',
      Namespace: 'LeanCloudServer/test',
      Dimensions: [{ Name: 'service', Value: 'lean-cloud-server' }],
      Statistic: 'Sum',
      Threshold: 0,
    });
  });

  test('alarms on summed metrics hold at most 10 metrics each (the CloudWatch limit)', () => {
    for (const alarm of lcs.monitoring.alarms) {
      const props = json.Resources[logicalId(alarm.node.defaultChild!)]!.Properties!;
      const metrics = (props.Metrics as { MetricStat?: unknown }[] | undefined) ?? [];
      expect(metrics.filter((m) => m.MetricStat).length).toBeLessThanOrEqual(10);
      expect(JSON.stringify(props)).not.toContain('SEARCH(');
    }
  });

  test('the dashboard lcs-test shows the API, the queues, the table, the busiest functions and the job metrics', () => {
    const dashboard = Object.values(json.Resources).find((r) => r.Type === 'AWS::CloudWatch::Dashboard')!;
    expect(dashboard.Properties!.DashboardName).toBe('lcs-test');
    const body = JSON.stringify(dashboard.Properties!.DashboardBody);
    expect(body).toContain('\\"ApiName\\",\\"lcs-test\\"');
    for (const queue of [lcs.jobs.queue, lcs.jobs.deadLetters, lcs.jobs.reconcilerFailures]) expect(body).toContain(logicalId(queue.node.defaultChild!));
    expect(body).toContain(logicalId(lcs.stateful.table.node.defaultChild!));
    expect(body).toContain(logicalId(lcs.api.authorizerFunction.function.node.defaultChild!));
    // Functions of nested stacks reach this stack as outputs named after their construct path.
    for (const route of BUSY_ROUTES) {
      expect([...lcs.api.groups.values()].some((g) => g.functions.has(route))).toBe(true);
      expect(body).toContain(`${pascal(route)}FnFunction`);
    }
    for (const metric of ['JobsDispatched', 'BacktestsEnded', 'RunnerStartLatency', 'TaskDeaths', 'AuthFailures', 'TaskCount', 'ConsumedReadCapacityUnits'])
      expect(body).toContain(metric);
    expect(body).toContain('\\"type\\":\\"alarm\\"');
  });

  test('no email subscription unless alarmEmail is set', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    const withEmail = templateOf(buildApp({ monitoring: { alarmEmail: 'ops@example.com' } }).monitoring).template;
    withEmail.resourceCountIs('AWS::SNS::Subscription', 1);
    withEmail.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });
});

test('cdk-nag: the monitoring stack has no findings', () => {
  const lcs = createApp({ context: NO_BUNDLING, settings: testSettings({ monitoring: { alarmEmail: 'ops@example.com' } }), nag: true });
  lcs.app.synth();
  const report = new AwsSolutionsChecks().validateScope(lcs.monitoring);
  expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
}, 120_000);

test('metrics survive a quiet log level: with WARN no function filters at the Lambda level, the logger filters at WARN', () => {
  const quiet = buildApp({ logLevel: 'WARN' });
  // The house functions (CDK's own helper functions carry no LCS_LOG_LEVEL).
  const functions = Object.values(templateOf(quiet.jobs).json.Resources).filter(
    (r) => r.Type === 'AWS::Lambda::Function' && JSON.stringify(r.Properties?.Environment ?? {}).includes('LCS_LOG_LEVEL'),
  );
  expect(functions.length).toBe(4); // dispatcher, reconciler, object/get zip worker, syntax check
  for (const fn of functions) {
    expect(fn.Properties?.LoggingConfig).toMatchObject({ LogFormat: 'JSON' });
    expect(fn.Properties?.LoggingConfig).not.toHaveProperty('ApplicationLogLevel');
    expect((fn.Properties?.Environment as { Variables?: Record<string, string> } | undefined)?.Variables?.LCS_LOG_LEVEL).toBe('WARN');
  }
});
