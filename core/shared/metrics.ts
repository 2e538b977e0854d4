import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * CloudWatch metrics in the embedded metric format (one JSON log line per invocation, no API
 * calls): requests, errors by category (the endpoint as a property), authentication failures. Off in local mode and tests
 * (POWERTOOLS_METRICS_DISABLED), where nothing reads them.
 */
let metrics: Metrics | undefined;

function instance(): Metrics {
  metrics ??= new Metrics({ serviceName: 'lean-cloud-server', namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'LeanCloudServer' });
  return metrics;
}

/**
 * One request of an endpoint, and its outcome: `ok`, or the error category. The endpoint is a
 * property of the line, not a dimension: a dimension per endpoint made two custom metrics for each
 * of about a hundred endpoints ($0.30 each a month); as a property it costs nothing and Logs
 * Insights breaks requests and errors down by endpoint (docs/operations.md). Errors keep the
 * category (six values) as their dimension.
 */
export function recordRequest(endpoint: string, outcome: string): void {
  const m = instance();
  m.addMetadata('endpoint', endpoint);
  m.addMetric('Requests', MetricUnit.Count, 1);
  m.publishStoredMetrics();
  if (outcome !== 'ok') {
    m.addDimensions({ category: outcome });
    m.addMetadata('endpoint', endpoint);
    m.addMetric('Errors', MetricUnit.Count, 1);
    m.publishStoredMetrics();
  }
  // Server-side failures (answered with HTTP 200 like every error) as one series an alarm can
  // watch; `Errors` above also counts bad input and not-found.
  if (outcome === 'internal') recordEvent('InternalErrors', {});
}

export function recordAuthFailure(): void {
  const m = instance();
  m.addMetric('AuthFailures', MetricUnit.Count, 1);
  m.publishStoredMetrics();
}

/**
 * Events with their own dimensions (design §11): job dispatch outcomes, tasks that died, backtest
 * outcomes, the runner's start latency, server-side errors. `name` is the metric, `dimensions`
 * split it (e.g. outcome, job kind; none for a single series an alarm watches).
 */
export function recordEvent(
  name: string,
  dimensions: Record<string, string>,
  value = 1,
  unit: (typeof MetricUnit)[keyof typeof MetricUnit] = MetricUnit.Count,
): void {
  const m = instance();
  m.addDimensions(dimensions);
  m.addMetric(name, unit, value);
  m.publishStoredMetrics();
}

export { MetricUnit };
