import { HOURS_PER_MONTH, PRICES } from './prices';

/**
 * Idle cost from synthesized CloudFormation templates (issue: measure it honestly): what a stack
 * costs a month with nothing running, counted resource by resource, plus the findings that make
 * cost grow without use (log groups without retention, images without a lifecycle).
 */
export interface Template {
  Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

export interface CostLine {
  item: string;
  count: number;
  monthly: number;
  note?: string;
}

export interface CostReport {
  lines: CostLine[];
  /** Idle dollars a month, the first year (key rotations later add to it). */
  idleMonthly: number;
  warnings: string[];
  dashboardMetrics: number;
  dashboardSearches: number;
}

/** A CloudFormation value rendered as text: intrinsics become placeholders (for dashboard bodies). */
export function renderText(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Record<string, unknown>;
  if (node && Array.isArray(node['Fn::Join'])) {
    const [delimiter, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map(renderText).join(delimiter);
  }
  return 'X';
}

/** Metrics a dashboard body draws: plain metric rows, and SEARCH expressions (each can fan out). */
export function dashboardMetrics(body: string): { metrics: number; searches: number } {
  const parsed = JSON.parse(body) as { widgets?: { properties?: { metrics?: unknown[][] } }[] };
  let metrics = 0;
  let searches = 0;
  for (const widget of parsed.widgets ?? []) {
    for (const row of widget.properties?.metrics ?? []) {
      const options = row.find((x) => typeof x === 'object' && x !== null) as { expression?: string } | undefined;
      if (options?.expression) {
        if (/SEARCH\(/.test(options.expression)) searches += 1;
        continue;
      }
      metrics += 1;
    }
  }
  return { metrics, searches };
}

function alarmMetrics(props: Record<string, unknown>): { count: number; highResolution: boolean } {
  const metrics = props.Metrics as { MetricStat?: { Period?: number } }[] | undefined;
  if (metrics) {
    const stats = metrics.filter((m) => m.MetricStat);
    return { count: stats.length, highResolution: stats.some((m) => (m.MetricStat?.Period ?? 60) < 60) };
  }
  return { count: 1, highResolution: Number(props.Period ?? 60) < 60 };
}

export function idleCost(templates: Template[]): CostReport {
  const resources = templates.flatMap((t) => Object.values(t.Resources ?? {}));
  const ofType = (type: string) => resources.filter((r) => r.Type === type);
  const lines: CostLine[] = [];
  const warnings: string[] = [];
  const add = (item: string, count: number, monthly: number, note?: string) => {
    if (count > 0) lines.push({ item, count, monthly, ...(note ? { note } : {}) });
  };

  const keys = ofType('AWS::KMS::Key');
  add('KMS keys', keys.length, keys.length * PRICES.kmsKeyMonth);
  const rotated = keys.filter((k) => k.Properties?.EnableKeyRotation === true).length;
  if (rotated)
    warnings.push(`${rotated} rotated KMS key(s): +$${(rotated * PRICES.kmsRotationMonth).toFixed(2)}/month after each of the first two yearly rotations`);
  const secrets = ofType('AWS::SecretsManager::Secret');
  add('Secrets Manager secrets', secrets.length, secrets.length * PRICES.secretMonth);

  let standard = 0;
  let high = 0;
  let metricMath = 0;
  for (const alarm of ofType('AWS::CloudWatch::Alarm')) {
    const { count, highResolution } = alarmMetrics(alarm.Properties ?? {});
    if (alarm.Properties?.Metrics) metricMath += 1;
    if (highResolution) high += count;
    else standard += count;
  }
  const alarms = ofType('AWS::CloudWatch::Alarm').length;
  add('CloudWatch alarm metrics', standard, standard * PRICES.alarmMetricMonth, `${alarms} alarms, ${metricMath} of them metric math`);
  add('High-resolution alarm metrics', high, high * PRICES.highResolutionAlarmMetricMonth);
  const composite = ofType('AWS::CloudWatch::CompositeAlarm').length;
  add('Composite alarms', composite, composite * PRICES.compositeAlarmMonth);

  let dashboardMetricCount = 0;
  let dashboardSearchCount = 0;
  const dashboards = ofType('AWS::CloudWatch::Dashboard');
  for (const dashboard of dashboards) {
    const { metrics, searches } = dashboardMetrics(renderText(dashboard.Properties?.DashboardBody));
    dashboardMetricCount += metrics;
    dashboardSearchCount += searches;
    const free = metrics <= PRICES.freeDashboardMetrics;
    add(
      'CloudWatch dashboards',
      1,
      free ? 0 : PRICES.dashboardMonth,
      `${metrics} metrics${searches ? ` + ${searches} SEARCH expressions` : ''}; free only among an account's first three dashboards, with up to ${PRICES.freeDashboardMetrics} metrics`,
    );
  }

  const nat = ofType('AWS::EC2::NatGateway').length;
  add('NAT gateways', nat, nat * PRICES.natGatewayHour * HOURS_PER_MONTH);
  const endpoints = ofType('AWS::EC2::VPCEndpoint').filter((e) => e.Properties?.VpcEndpointType === 'Interface');
  const endpointAzs = endpoints.reduce((n, e) => n + ((e.Properties?.SubnetIds as unknown[] | undefined)?.length ?? 1), 0);
  add('Interface VPC endpoint-AZs', endpointAzs, endpointAzs * PRICES.interfaceEndpointHourPerAz * HOURS_PER_MONTH);
  const balancers = ofType('AWS::ElasticLoadBalancingV2::LoadBalancer').length;
  add('Load balancers', balancers, balancers * PRICES.albHour * HOURS_PER_MONTH);

  const groups = ofType('AWS::Logs::LogGroup');
  const unbounded = groups.filter((g) => g.Properties?.RetentionInDays === undefined).length;
  if (unbounded) warnings.push(`${unbounded} log group(s) without retention: storage grows forever ($${PRICES.logsStoredGbMonth}/GB-month)`);
  for (const stage of ofType('AWS::ApiGateway::Stage')) {
    const settings = (stage.Properties?.MethodSettings as { LoggingLevel?: string }[] | undefined) ?? [];
    const executionLogs = settings.some((s) => s.LoggingLevel && s.LoggingLevel !== 'OFF');
    const named = groups.some((g) => renderText(g.Properties?.LogGroupName ?? '').startsWith('API-Gateway-Execution-Logs_'));
    if (executionLogs && !named) warnings.push('API Gateway execution logs go to a log group API Gateway creates itself, without retention');
  }
  for (const repository of ofType('AWS::ECR::Repository')) {
    if (!repository.Properties?.LifecyclePolicy) warnings.push('an ECR repository without a lifecycle policy keeps every image version');
  }

  const idleMonthly = lines.reduce((sum, l) => sum + l.monthly, 0);
  return { lines, idleMonthly, warnings, dashboardMetrics: dashboardMetricCount, dashboardSearches: dashboardSearchCount };
}

/** One API request's cost: API Gateway, the authorizer and the endpoint's function, the usual table reads. */
export function perRequestCost(options: { memoryMb: number; lambdaMs: number; invocations: number; reads: number; writes: number }): number {
  const lambda = options.invocations * ((options.memoryMb / 1024) * (options.lambdaMs / 1000) * PRICES.lambdaArmGbSecond + PRICES.lambdaPerMillion / 1e6);
  return PRICES.apiGatewayRestPerMillion / 1e6 + lambda + (options.reads * PRICES.dynamoReadPerMillion + options.writes * PRICES.dynamoWritePerMillion) / 1e6;
}

/** A Fargate task-month (on-demand, or Spot with the typical discount), with its public IPv4 address. */
export function fargateMonth(size: { cpu: number; memoryMiB: number; storageGiB: number }, spot = false): number {
  const compute = ((size.cpu / 1024) * PRICES.fargateVcpuHour + (size.memoryMiB / 1024) * PRICES.fargateGbHour) * (spot ? 1 - PRICES.fargateSpotDiscount : 1);
  const storage = Math.max(0, size.storageGiB - 20) * PRICES.fargateStorageGbHourOver20;
  return (compute + storage + PRICES.publicIpv4Hour) * HOURS_PER_MONTH;
}
