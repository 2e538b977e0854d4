import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { FilterPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { Settings } from '../config/settings';
import { AlarmTopic } from '../constructs/alarm-topic';
import { API_THROTTLES_METRIC, AppMetrics, FIVE_MINUTES } from '../constructs/app-metrics';
import { OpsDashboard } from '../constructs/ops-dashboard';
import { prefix } from '../naming';
import type { ApiStack } from './api-stack';
import type { JobsStack } from './jobs-stack';
import type { StatefulStack } from './stateful-stack';

export interface MonitoringStackProps extends StackProps {
  settings: Settings;
  stateful: StatefulStack;
  jobs: JobsStack;
  api: ApiStack;
}

interface AlarmSpec {
  id: string;
  metric: IMetric;
  threshold: number;
  description: string;
  /** 5-minute periods that must breach (default 1). */
  periods?: number;
}

/**
 * Operator monitoring (design §11, docs/operations.md): the alarm topic, the API, authorizer,
 * worker, table and spend alarms, and the `lcs-<stage>` dashboard. It reads the other stacks and
 * nothing reads it; the jobs stack's own alarms reach the topic by its name (NotifyAlarmTopic).
 */
export class MonitoringStack extends Stack {
  readonly alarmTopic: AlarmTopic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: OpsDashboard;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const { settings, stateful, jobs, api } = props;
    const limits = settings.monitoring;
    const metrics = new AppMetrics(settings, api.restApi.restApiName, jobs.cluster.clusterName);
    const stage = `Lean Cloud Server ${settings.stage}`;

    // createApp points every alarm of the app at this topic (NotifyAlarmTopic).
    this.alarmTopic = new AlarmTopic(this, 'Alarms', { settings, key: stateful.key });

    // API Gateway has no throttle metric (4XXError mixes 429 with 404/413/…): count 429s in the access log.
    new MetricFilter(this, 'ApiThrottlesFilter', {
      logGroup: api.accessLogs,
      metricNamespace: metrics.namespace,
      metricName: API_THROTTLES_METRIC,
      filterPattern: FilterPattern.stringValue('$.status', '=', '429'),
      metricValue: '1',
      defaultValue: 0,
    });

    const alarm = (spec: AlarmSpec) => {
      const periods = spec.periods ?? 1;
      const made = new Alarm(this, spec.id, {
        metric: spec.metric,
        alarmName: `${prefix(settings)}-${spec.id}`,
        alarmDescription: `${stage}: ${spec.description} See docs/operations.md#${spec.id.toLowerCase()}.`,
        threshold: spec.threshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: periods,
        datapointsToAlarm: periods,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      this.alarms.push(made);
      return made;
    };

    const authorizer = api.authorizerFunction.function;
    const workers = [jobs.dispatcher.function, jobs.reconciler.function];
    const table = stateful.table;
    alarm({
      id: 'Api5xxRate',
      metric: metrics.api5xxRate(),
      threshold: limits.api5xxRatePercent,
      description: `more than ${limits.api5xxRatePercent}% of API requests answered 5xx in 5 minutes (endpoints answer errors with HTTP 200, so a 5xx is a function crash or timeout, or the authorizer failing).`,
    });
    alarm({
      id: 'ApiLatencyP99',
      metric: metrics.api('Latency', { statistic: 'p99' }),
      threshold: limits.apiLatencyP99Ms,
      periods: 3,
      description: `API p99 latency above ${limits.apiLatencyP99Ms} ms for 15 minutes.`,
    });
    alarm({
      id: 'ApiThrottles',
      metric: metrics.apiThrottles(),
      threshold: limits.apiThrottlesPer5Minutes,
      description: `more than ${limits.apiThrottlesPer5Minutes} requests answered 429 (rate limit or daily quota) in 5 minutes.`,
    });
    alarm({
      id: 'InternalErrors',
      metric: metrics.app('InternalErrors'),
      threshold: 0,
      description: 'an endpoint failed with an unexpected (server-side) error; the function log has it with its request id.',
    });
    alarm({
      id: 'AuthorizerErrors',
      metric: authorizer.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
      threshold: limits.authorizerErrorsPer5Minutes,
      description: `the authorizer function failed more than ${limits.authorizerErrorsPer5Minutes} times in 5 minutes (callers get 503).`,
    });
    alarm({
      id: 'AuthorizerThrottles',
      metric: authorizer.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
      threshold: 0,
      description: 'the authorizer function was throttled (account concurrency exhausted; callers get 503).',
    });
    alarm({
      id: 'WorkerErrors',
      metric: AppMetrics.sum(
        'Dispatcher + reconciler errors',
        workers.map((fn) => fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' })),
      ),
      threshold: 0,
      description: 'the jobs dispatcher or reconciler function crashed or timed out.',
    });
    alarm({
      id: 'JobDispatchErrors',
      metric: AppMetrics.sum(
        'Dispatch errors',
        ['backtest', 'build'].map((kind) => metrics.app('JobsDispatched', { kind, outcome: 'error' })),
      ),
      threshold: 0,
      description: 'job messages failed to dispatch (the queue retries them; the last delivery fails the job).',
    });
    alarm({
      id: 'TableThrottles',
      metric: AppMetrics.sum('Table throttle events', [
        table.metric('ReadThrottleEvents', { period: FIVE_MINUTES, statistic: 'Sum' }),
        table.metric('WriteThrottleEvents', { period: FIVE_MINUTES, statistic: 'Sum' }),
      ]),
      threshold: 0,
      description: 'DynamoDB throttled reads or writes of the table.',
    });
    alarm({
      id: 'RunningTasks',
      metric: metrics.runningTasks(),
      threshold: limits.maxRunningTasks,
      periods: 3,
      description: `more than ${limits.maxRunningTasks} runner tasks ran for 15 minutes (spend guard).`,
    });

    this.dashboard = new OpsDashboard(this, 'Dashboard', {
      settings,
      metrics,
      stateful,
      jobs,
      api,
      alarms: [...this.alarms, ...jobs.alarms],
    });

    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarmTopic.topic.topicArn,
      description: 'SNS topic every alarm notifies: subscribe to it (or set monitoring.alarmEmail)',
    });
    new CfnOutput(this, 'DashboardName', { value: this.dashboard.dashboard.dashboardName, description: 'CloudWatch dashboard' });
  }
}
