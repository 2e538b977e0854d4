import { Duration } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IAlarm,
  type IMetric,
  LogQueryVisualizationType,
  LogQueryWidget,
  type MetricOptions,
  PeriodOverride,
  Row,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { Settings } from '../config/settings';
import { prefix } from '../naming';
import type { ApiStack } from '../stacks/api-stack';
import type { JobsStack } from '../stacks/jobs-stack';
import type { StatefulStack } from '../stacks/stateful-stack';
import { type AppMetrics, FIVE_MINUTES } from './app-metrics';

/**
 * The endpoints with the most traffic: lean-cli polls compile/read and backtests/read while it
 * waits, reads and writes files, LEAN asks data/prices; their functions get their own graphs.
 */
/**
 * The endpoints whose functions get their own Lambda lines (three widgets each): few enough that
 * the dashboard stays within CloudWatch's 50 free metrics (`lcs cost` counts them).
 */
export const BUSY_ROUTES = ['backtests/read', 'files/update', 'projects/read', 'data/prices'] as const;

export interface OpsDashboardProps {
  settings: Settings;
  metrics: AppMetrics;
  stateful: StatefulStack;
  jobs: JobsStack;
  api: ApiStack;
  /** Shown in the alarm list at the top. */
  alarms: readonly IAlarm[];
}

const sum: MetricOptions = { statistic: 'Sum', period: FIVE_MINUTES };
const WIDTH = 24;

function graph(title: string, left: IMetric[], width: number, right: IMetric[] = []): GraphWidget {
  return new GraphWidget({ title, left, right, width, height: 6 });
}

/** The `lcs-<stage>` dashboard (docs/operations.md describes each widget). */
export class OpsDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OpsDashboardProps) {
    super(scope, id);
    const { settings, metrics, stateful, jobs, api } = props;
    const table = stateful.table;

    const routeFunctions = new Map<string, IFunction>();
    for (const group of api.groups.values()) for (const [path, fn] of group.functions) routeFunctions.set(path, fn.function);
    const busy: [string, IFunction][] = BUSY_ROUTES.flatMap((path) => {
      const fn = routeFunctions.get(path);
      return fn ? [[path, fn] as [string, IFunction]] : [];
    });
    const functions: [string, IFunction][] = [
      ['authorizer', api.authorizerFunction.function],
      ...busy,
      ['dispatcher', jobs.dispatcher.function],
      ['reconciler', jobs.reconciler.function],
    ];
    const perFunction = (make: (fn: IFunction, label: string) => IMetric) => functions.map(([label, fn]) => make(fn, label));

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: prefix(settings),
      defaultInterval: Duration.hours(3),
      periodOverride: PeriodOverride.AUTO,
    });

    this.dashboard.addWidgets(
      new Row(
        new TextWidget({
          markdown: `# Lean Cloud Server ${settings.stage}\nAPI \`${api.restApi.restApiName}\`, stage \`${settings.stage}\`. What each widget and alarm means, and what to do: docs/operations.md.`,
          width: 8,
          height: 6,
        }),
        new AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: WIDTH - 8, height: 6 }),
      ),
      new Row(
        graph('API requests', [metrics.api('Count', { label: 'Requests' })], 8, [
          metrics.api('4XXError', { label: '4xx' }),
          metrics.api('5XXError', { label: '5xx' }),
        ]),
        graph(
          'API latency (ms)',
          [
            metrics.api('Latency', { statistic: 'p50', label: 'Latency p50' }),
            metrics.api('Latency', { statistic: 'p99', label: 'Latency p99' }),
            metrics.api('IntegrationLatency', { statistic: 'p99', label: 'Integration p99' }),
          ],
          8,
        ),
        graph(
          'Throttles and authentication failures',
          [metrics.apiThrottles({ label: 'Throttled (429)' }), metrics.app('AuthFailures', {}, { label: 'Auth failures' })],
          8,
        ),
      ),
      new Row(
        // Per endpoint from the access log (Logs Insights, no custom metric per endpoint); errors by category.
        new LogQueryWidget({
          title: 'Requests by endpoint (top 10, access log)',
          logGroupNames: [api.accessLogs.logGroupName],
          queryLines: ['stats count(*) as requests by resourcePath', 'sort requests desc', 'limit 10'],
          view: LogQueryVisualizationType.TABLE,
          width: 12,
          height: 6,
        }),
        graph('Errors by category (bad input, not found, …)', [metrics.appSearch('Errors', ['category'], 'Errors', 10)], 12),
      ),
      new Row(
        graph(
          'Lambda errors',
          perFunction((fn, label) => fn.metricErrors({ ...sum, label })),
          8,
        ),
        graph(
          'Lambda throttles',
          perFunction((fn, label) => fn.metricThrottles({ ...sum, label })),
          8,
        ),
        graph(
          'Lambda duration p99 (ms)',
          perFunction((fn, label) => fn.metricDuration({ statistic: 'p99', period: FIVE_MINUTES, label })),
          8,
        ),
      ),
      new Row(
        graph(
          'Table consumed capacity',
          [table.metricConsumedReadCapacityUnits({ ...sum, label: 'Read units' }), table.metricConsumedWriteCapacityUnits({ ...sum, label: 'Write units' })],
          12,
        ),
        graph(
          'Table throttle events',
          [table.metric('ReadThrottleEvents', { ...sum, label: 'Read throttles' }), table.metric('WriteThrottleEvents', { ...sum, label: 'Write throttles' })],
          12,
        ),
      ),
      new Row(
        graph(
          'Jobs queue',
          [
            jobs.queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: FIVE_MINUTES, label: 'Waiting' }),
            jobs.queue.metricApproximateNumberOfMessagesNotVisible({ statistic: 'Maximum', period: FIVE_MINUTES, label: 'In flight' }),
          ],
          8,
        ),
        graph('Oldest job message (s)', [jobs.queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: FIVE_MINUTES, label: 'Oldest' })], 8),
        graph(
          'Dead letters',
          [
            jobs.deadLetters.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: FIVE_MINUTES, label: 'Jobs DLQ' }),
            jobs.reconcilerFailures.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: FIVE_MINUTES, label: 'Reconciler failures' }),
          ],
          8,
        ),
      ),
      new Row(
        graph('Jobs dispatched (kind, outcome)', [metrics.appSearch('JobsDispatched', ['kind', 'outcome'], 'Dispatched')], 6),
        graph('Backtests ended (outcome)', [metrics.appSearch('BacktestsEnded', ['outcome'], 'Ended')], 6),
        graph(
          'Runner start latency (ms)',
          [
            metrics.app('RunnerStartLatency', { kind: 'backtest' }, { statistic: 'p50', label: 'p50' }),
            metrics.app('RunnerStartLatency', { kind: 'backtest' }, { statistic: 'p99', label: 'p99' }),
          ],
          6,
        ),
        graph('Runner tasks', [metrics.runningTasks({ label: 'Runner tasks running' })], 6, [metrics.app('TaskDeaths', {}, { label: 'Task deaths' })]),
      ),
      // Live trading (design §8): how many deployments run, the oldest heartbeat among them, restarts.
      new Row(
        // Each live runner counts itself once a minute: the sum per minute is how many run.
        graph('Live deployments running', [metrics.app('LiveDeploymentsRunning', {}, { statistic: 'Sum', period: Duration.minutes(1), label: 'Running' })], 8),
        graph('Oldest live heartbeat (s)', [metrics.app('LiveHeartbeatAgeSeconds', {}, { statistic: 'Maximum', label: 'Oldest heartbeat' })], 8),
        graph('Live restarts', [metrics.app('LiveRestarts', {}, { label: 'Restarts' })], 8),
      ),
    );
    // Optimizations: points queued, finished and failed (OptimizationPoints by event), and how many
    // run at once (the aggregator's gauge after each change), from core/domain/optimizations.
    this.dashboard.addWidgets(
      new Row(
        graph(
          'Optimization points (queued, finished, failed)',
          OPTIMIZATION_POINT_EVENTS.map((event) => metrics.app('OptimizationPoints', { event }, { label: event })),
          12,
        ),
        graph('Optimization points running', [metrics.app('OptimizationPointsRunning', {}, { statistic: 'Maximum', label: 'Running (max)' })], 12),
      ),
    );
  }
}

/** The `event` dimension of OptimizationPoints (core/domain/optimizations/optimization-runner.ts). */
export const OPTIMIZATION_POINT_EVENTS = ['queued', 'finished', 'failed'] as const;
