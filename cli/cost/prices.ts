/**
 * The list prices `lcs cost` uses: us-east-1, on-demand, checked on the date below against the
 * AWS pricing pages of each service. Update the date with the figures; other regions differ by a
 * few percent.
 */
export const PRICES_CHECKED = '2026-12-04';
export const HOURS_PER_MONTH = 730;

export const PRICES = {
  kmsKeyMonth: 1.0,
  /** Each automatic rotation adds a key version billed like a key, for the first two rotations. */
  kmsRotationMonth: 1.0,
  secretMonth: 0.4,
  /** A standard-resolution alarm per metric it evaluates (metric math alarms: each metric). */
  alarmMetricMonth: 0.1,
  highResolutionAlarmMetricMonth: 0.3,
  compositeAlarmMonth: 0.5,
  /** Dashboards: the first three of an account with up to 50 metrics each are free. */
  dashboardMonth: 3.0,
  freeDashboardMetrics: 50,
  /** A custom metric (one name + dimension combination) published in the month. */
  customMetricMonth: 0.3,
  logsIngestedGb: 0.5,
  logsStoredGbMonth: 0.03,
  ecrStoredGbMonth: 0.1,
  natGatewayHour: 0.045,
  interfaceEndpointHourPerAz: 0.01,
  albHour: 0.0225,
  publicIpv4Hour: 0.005,
  apiGatewayRestPerMillion: 3.5,
  lambdaArmGbSecond: 0.0000133334,
  lambdaPerMillion: 0.2,
  dynamoReadPerMillion: 0.125,
  dynamoWritePerMillion: 0.625,
  kmsPerTenThousand: 0.03,
  fargateVcpuHour: 0.04048,
  fargateGbHour: 0.004445,
  fargateStorageGbHourOver20: 0.000111,
  /** Fargate Spot: about 70% off compute, varying by hour and zone (this is a typical figure). */
  fargateSpotDiscount: 0.7,
} as const;
