import { Duration } from 'aws-cdk-lib';
import { type IMetric, MathExpression, Metric, type MetricOptions } from 'aws-cdk-lib/aws-cloudwatch';
import type { Settings } from '../config/settings';
import { metricsNamespace, SERVICE_NAME } from '../naming';

/**
 * The metrics the dashboard and the alarms read, by their CloudWatch names and dimensions: API
 * Gateway's (ApiName + Stage, published without detailed metrics), the app's own Powertools EMF
 * metrics in the stage namespace (every one carries `service`), Container Insights' cluster metrics.
 */
export const FIVE_MINUTES = Duration.minutes(5);

/** Name of the metric-filter metric counting 429 answers in the API's access log. */
export const API_THROTTLES_METRIC = 'ApiThrottles';

export class AppMetrics {
  readonly namespace: string;

  constructor(
    private readonly settings: Settings,
    /** The REST API's name (RestApi.restApiName, a plain string). */
    private readonly apiName: string,
    /** The runner cluster's name (a plain string). */
    private readonly clusterName: string,
  ) {
    this.namespace = metricsNamespace(settings);
  }

  /** API Gateway: Count, 4XXError, 5XXError, Latency, IntegrationLatency. */
  api(metricName: string, options: MetricOptions = {}): Metric {
    return new Metric({
      namespace: 'AWS/ApiGateway',
      metricName,
      dimensionsMap: { ApiName: this.apiName, Stage: this.settings.stage },
      statistic: 'Sum',
      period: FIVE_MINUTES,
      ...options,
    });
  }

  /** Percentage of requests answered 5xx; 0 when there were none (no division by zero gaps). */
  api5xxRate(): MathExpression {
    return new MathExpression({
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: { requests: this.api('Count'), errors: this.api('5XXError') },
      label: 'API 5xx rate (%)',
      period: FIVE_MINUTES,
    });
  }

  /** 429 answers (stage throttle, per-organisation rate limit or quota), from the access log. */
  apiThrottles(options: MetricOptions = {}): Metric {
    return new Metric({ namespace: this.namespace, metricName: API_THROTTLES_METRIC, statistic: 'Sum', period: FIVE_MINUTES, ...options });
  }

  /** An app metric with the Powertools `service` dimension plus `dimensions`. */
  app(metricName: string, dimensions: Record<string, string> = {}, options: MetricOptions = {}): Metric {
    return new Metric({
      namespace: this.namespace,
      metricName,
      dimensionsMap: { service: SERVICE_NAME, ...dimensions },
      statistic: 'Sum',
      period: FIVE_MINUTES,
      ...options,
    });
  }

  /**
   * Every series of an app metric split by `dimensions` (endpoint, outcome…), for graphs only:
   * CloudWatch refuses SEARCH in alarms. `top` keeps the largest series.
   */
  appSearch(metricName: string, dimensions: readonly string[], label: string, top?: number): MathExpression {
    const schema = [this.namespace, ...[...dimensions, 'service'].sort()].join(',');
    const search = `SEARCH('{${schema}} MetricName="${metricName}"', 'Sum', ${FIVE_MINUTES.toSeconds()})`;
    return new MathExpression({
      expression: top ? `SORT(${search}, SUM, DESC, ${top})` : search,
      usingMetrics: {},
      label,
      period: FIVE_MINUTES,
    });
  }

  /** Container Insights: runner tasks running in the cluster (RunTask tasks, no services). */
  runningTasks(options: MetricOptions = {}): Metric {
    return new Metric({
      namespace: 'ECS/ContainerInsights',
      metricName: 'TaskCount',
      dimensionsMap: { ClusterName: this.clusterName },
      statistic: 'Maximum',
      period: FIVE_MINUTES,
      ...options,
    });
  }

  /** Sum of several metrics as one series (an alarm may hold at most 10 metrics). */
  static sum(label: string, metrics: readonly IMetric[]): MathExpression {
    if (metrics.length === 0 || metrics.length > 10) throw new Error(`${label}: an alarm expression takes 1 to 10 metrics, not ${metrics.length}`);
    const usingMetrics = Object.fromEntries(metrics.map((m, i) => [`m${i}`, m]));
    // SUM([...]) adds whatever series have a value at each time (a plain `+` would leave a gap).
    return new MathExpression({ expression: `SUM([${Object.keys(usingMetrics).join(', ')}])`, usingMetrics, label, period: FIVE_MINUTES });
  }
}
