import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Aspects, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { RouteDef } from '../lambdas/api/routes/route-types';
import { loadSettings, type Settings, settingsSchema } from './config/settings';
import { NotifyAlarmTopic } from './constructs/alarm-topic';
import { projectRoot } from './constructs/bundling';
import { prefix, SERVICE_NAME } from './naming';
import { ApiStack } from './stacks/api-stack';
import { ConsoleStack } from './stacks/console-stack';
import { JobsStack } from './stacks/jobs-stack';
import { MonitoringStack } from './stacks/monitoring-stack';
import { StatefulStack } from './stacks/stateful-stack';

/**
 * Builds the CDK app: settings → stacks → cdk-nag. `bin/app.ts` runs it for the CLI; the infra
 * tests call it directly (with `aws:cdk:bundling-stacks: []`, so nothing is bundled).
 */
export interface CreateAppOptions {
  /** Extra context, e.g. `{ 'aws:cdk:bundling-stacks': [] }` or settings overrides. */
  context?: Record<string, unknown>;
  /** Settings to use as they are; default: the config file plus context overrides. */
  settings?: Settings;
  /** Routes to deploy; default: the route table. */
  routes?: readonly RouteDef[];
  outdir?: string;
  /** Register the AwsSolutions checks as a validation plugin (default true). */
  nag?: boolean;
}

export interface LcsApp {
  app: App;
  settings: Settings;
  stateful: StatefulStack;
  jobs: JobsStack;
  api: ApiStack;
  monitoring: MonitoringStack;
  console: ConsoleStack;
}

/** cdk.json's context (pinned feature flags), so tests build exactly what `cdk synth` builds. */
function cdkJsonContext(): Record<string, unknown> {
  const file = join(projectRoot(), 'cdk.json');
  if (!existsSync(file)) return {};
  return (JSON.parse(readFileSync(file, 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
}

function parseValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/**
 * Settings from `lcs.config.json` (or `-c config=<file>`), overridden by context: `-c stage=dev`,
 * `-c logRetentionDays=7`, or one nested value with a dotted key (`-c rateLimit.burst=200`).
 */
export function settingsFromContext(app: App): Settings {
  const file = String(app.node.tryGetContext('config') ?? 'lcs.config.json');
  const fromFile = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  const keys = new Set(Object.keys(settingsSchema.shape));
  const overrides: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(app.node.getAllContext())) {
    const [head, ...rest] = key.split('.');
    if (!head || !keys.has(head)) continue;
    const value = parseValue(raw);
    if (rest.length === 0) {
      overrides[head] = value;
      continue;
    }
    // Nested: merge into the file's object, so the other fields of that object are kept.
    const base = (overrides[head] ?? fromFile[head] ?? {}) as Record<string, unknown>;
    let cursor = { ...base };
    overrides[head] = cursor;
    for (const [i, part] of rest.entries()) {
      if (i === rest.length - 1) cursor[part] = value;
      else {
        const next = { ...((cursor[part] as Record<string, unknown>) ?? {}) };
        cursor[part] = next;
        cursor = next;
      }
    }
  }
  return loadSettings(file, overrides);
}

export function createApp(options: CreateAppOptions = {}): LcsApp {
  const app = new App({ context: { ...cdkJsonContext(), ...options.context }, ...(options.outdir ? { outdir: options.outdir } : {}) });
  const settings = options.settings ?? settingsFromContext(app);
  const name = prefix(settings);
  // Environment-agnostic unless the CLI knows the target account and region.
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };

  const stateful = new StatefulStack(app, `${name}-stateful`, {
    stackName: `${name}-stateful`,
    description: `Lean Cloud Server ${settings.stage}: table, buckets, KMS key, user pool (retained)`,
    settings,
    env,
    terminationProtection: settings.environment === 'prod',
  });
  const jobs = new JobsStack(app, `${name}-jobs`, {
    stackName: `${name}-jobs`,
    description: `Lean Cloud Server ${settings.stage}: jobs queue, dispatcher, reconciler, ECS cluster and runner tasks (no NAT)`,
    settings,
    stateful,
    env,
  });
  const api = new ApiStack(app, `${name}-api`, {
    stackName: `${name}-api`,
    description: `Lean Cloud Server ${settings.stage}: REST API, authorizer, endpoint functions, usage plan`,
    settings,
    stateful,
    jobs,
    env,
    ...(options.routes ? { routes: options.routes } : {}),
  });
  // The web console and its sign-in; it forwards /api/v2/* to the API's stage, so it follows the API.
  const webConsole = new ConsoleStack(app, `${name}-console`, {
    stackName: `${name}-console`,
    description: `Lean Cloud Server ${settings.stage}: web console (private bucket behind CloudFront) and its sign-in client`,
    settings,
    stateful,
    api,
    env,
  });
  // Reads the other stacks (queues, functions, the table); nothing may depend on it.
  const monitoring = new MonitoringStack(app, `${name}-monitoring`, {
    stackName: `${name}-monitoring`,
    description: `Lean Cloud Server ${settings.stage}: dashboard, alarms and the alarm topic`,
    settings,
    stateful,
    jobs,
    api,
    env,
  });
  monitoring.addStackDependency(api);
  monitoring.addStackDependency(jobs);
  // Every alarm of every stack notifies the monitoring stack's topic.
  Aspects.of(app).add(new NotifyAlarmTopic(monitoring.alarmTopic, settings));

  Tags.of(app).add('project', SERVICE_NAME);
  Tags.of(app).add('lcs-stage', settings.stage);
  if (options.nag ?? true) {
    // cdk-nag v3 is a policy-validation plugin: findings fail `cdk synth`; acknowledgements are
    // made with Validations.of(construct).acknowledge({ id, reason }) next to the resource.
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }));
  }
  return { app, settings, stateful, jobs, api, monitoring, console: webConsole };
}
