import { PRICES } from '../../cli/cost/prices';
import { dashboardMetrics, fargateMonth, idleCost, perRequestCost, renderText, type Template } from '../../cli/cost/template-cost';
import { buildApp, templateOf } from './fixture';

/**
 * `lcs cost` counts from synthesized templates: each rule on a small template of its own, then the
 * real stacks, which must stay free of what grows without use (log groups without retention, a
 * dashboard over the free metric count, NAT gateways).
 */
const template = (resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>): Template => ({ Resources: resources });

test('counting rules: keys, secrets, alarms per metric, metric math, dashboards over 50 metrics, NAT, log groups without retention', () => {
  const widgets = (n: number) =>
    JSON.stringify({
      widgets: [
        { properties: { metrics: [...Array.from({ length: n }, (_, i) => ['NS', `M${i}`]), [{ expression: "SEARCH('{NS,endpoint} x', 'Sum', 300)" }]] } },
      ],
    });
  const report = idleCost([
    template({
      K: { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } },
      S: { Type: 'AWS::SecretsManager::Secret' },
      A: { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'x', Period: 60 } },
      M: { Type: 'AWS::CloudWatch::Alarm', Properties: { Metrics: [{ MetricStat: {} }, { MetricStat: {} }, { Expression: 'a/b' }] } },
      D: { Type: 'AWS::CloudWatch::Dashboard', Properties: { DashboardBody: { 'Fn::Join': ['', [widgets(51)]] } } },
      N: { Type: 'AWS::EC2::NatGateway' },
      L: { Type: 'AWS::Logs::LogGroup', Properties: {} },
    }),
  ]);
  const line = (item: string) => report.lines.find((l) => l.item === item);
  expect(line('KMS keys')?.monthly).toBe(1);
  expect(line('Secrets Manager secrets')?.monthly).toBe(0.4);
  expect(line('CloudWatch alarm metrics')).toMatchObject({ count: 3, note: '2 alarms, 1 of them metric math' });
  expect(line('CloudWatch dashboards')?.monthly).toBe(PRICES.dashboardMonth);
  expect(report.dashboardMetrics).toBe(51);
  expect(report.dashboardSearches).toBe(1);
  expect(line('NAT gateways')?.monthly).toBeCloseTo(32.85, 2);
  expect(report.idleMonthly).toBeCloseTo(1 + 0.4 + 0.3 + 3 + 32.85, 2);
  expect(report.warnings.join('\n')).toMatch(/rotated KMS key/);
  expect(report.warnings.join('\n')).toMatch(/1 log group\(s\) without retention/);
  expect(dashboardMetrics(widgets(50))).toEqual({ metrics: 50, searches: 1 });
  expect(renderText({ 'Fn::Join': ['-', ['a', { Ref: 'X' }]] })).toBe('a-X');
});

test('per-use figures: a million requests, a live node-month', () => {
  expect(perRequestCost({ memoryMb: 256, lambdaMs: 20, invocations: 2, reads: 2, writes: 0 }) * 1e6).toBeCloseTo(4.28, 2);
  expect(fargateMonth({ cpu: 1024, memoryMiB: 4096, storageGiB: 60 })).toBeCloseTo(49.42, 1);
  expect(fargateMonth({ cpu: 1024, memoryMiB: 4096, storageGiB: 60 }, true)).toBeLessThan(25);
});

test('the real stacks: nothing grows without use, the dashboard stays within the free metrics, no NAT or load balancer', () => {
  const lcs = buildApp();
  const stacks = [lcs.stateful, lcs.jobs, lcs.api, lcs.monitoring, lcs.console, ...lcs.api.groups.values()];
  const report = idleCost(stacks.map((s) => templateOf(s).json as Template));
  expect(report.warnings.filter((w) => !/rotated KMS key/.test(w))).toEqual([]);
  expect(report.dashboardMetrics).toBeLessThanOrEqual(PRICES.freeDashboardMetrics);
  expect(report.lines.map((l) => l.item)).not.toEqual(expect.arrayContaining(['NAT gateways']));
  expect(report.lines.find((l) => l.item === 'CloudWatch dashboards')?.monthly).toBe(0);
  // In use: no custom metric series per endpoint (about a hundred endpoints, $0.30 each a month).
  const body = renderText(
    Object.values(templateOf(lcs.monitoring).json.Resources).find((r) => r.Type === 'AWS::CloudWatch::Dashboard')?.Properties?.DashboardBody,
  );
  expect(body).not.toMatch(/endpoint[},]/);
  expect(body).toContain('stats count(*) as requests by resourcePath');
  // Idle: one key, one secret, the alarms; nothing else.
  expect(report.idleMonthly).toBeLessThan(5);
}, 180_000);
