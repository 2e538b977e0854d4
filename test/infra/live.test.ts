import { SKUS } from '../../core/shared/catalog';
import type { LcsApp } from '../../lib/app';
import { fargateSize } from '../../lib/constructs/runner-task';
import { liveFamilyPrefix } from '../../lib/stacks/jobs-stack';
import { buildApp, type CfnTemplate, envOf, type Json, logicalId, policyOf, propsOf, render, templateOf } from './fixture';

/**
 * Live trading's infrastructure (design §8): base task definitions per live SKU, the dispatcher's
 * right to run deployments as services of the jobs cluster only, each deployment's secret readable
 * by ECS at task start (execution role) and by nothing the algorithm can reach (task role),
 * on-demand unless the operator opts in, one alarm each for stale heartbeats and restarts.
 */
let lcs: LcsApp;
let jobs: CfnTemplate;

beforeAll(() => {
  lcs = buildApp();
  jobs = templateOf(lcs.jobs).json;
}, 120_000);

const LIVE_SKUS = SKUS.filter((s) => s.kind === 'live');
const array = (value: unknown) => ([] as unknown[]).concat(value);
type Statement = { Action: string | string[]; Resource: unknown; Condition?: Json };
const statements = (doc: unknown) => (doc as { Statement: Statement[] }).Statement;
const withAction = (doc: unknown, action: string) => statements(doc).filter((s) => array(s.Action).includes(action));
function roleDocument(role: { node: { tryFindChild(id: string): unknown } }): unknown {
  const policy = role.node.tryFindChild('DefaultPolicy') as never;
  return policy ? propsOf(jobs, policy).PolicyDocument : { Statement: [] };
}

test('one base task definition per live SKU, at least LEAN’s floor, sharing the backtest image', () => {
  expect([...lcs.jobs.liveRunner.taskDefinitions.keys()].sort()).toEqual(LIVE_SKUS.map((s) => s.sku).sort());
  for (const sku of LIVE_SKUS) {
    const props = propsOf(jobs, lcs.jobs.liveRunner.taskDefinitions.get(sku.sku)!);
    const size = fargateSize(sku);
    expect(props).toMatchObject({ Cpu: String(size.cpu), Memory: String(size.memoryMiB) });
    const [container] = props.ContainerDefinitions as Json[];
    expect(container).toMatchObject({ Name: 'runner', StopTimeout: 120 });
  }
  expect(lcs.jobs.liveRunner.image).toBe(lcs.jobs.runner.image);
});

test('the dispatcher runs deployments as live-* services of the jobs cluster only, on-demand by default', () => {
  const doc = policyOf(jobs, lcs.jobs.dispatcher);
  const [create] = withAction(doc, 'ecs:CreateService');
  expect(render(create!.Resource)).toMatch(/:service\/.*\/live-\*$/);
  expect(render(create!.Condition)).toContain('ecs:cluster');
  for (const action of ['ecs:DeleteService', 'ecs:DescribeServices']) expect(withAction(doc, action)).toHaveLength(1);
  const passRole = withAction(doc, 'iam:PassRole').map((s) => render(s.Resource));
  const liveRoles = [lcs.jobs.liveRunner.taskRole, lcs.jobs.liveRunner.executionRole].map((r) => logicalId(r.node.defaultChild!));
  for (const role of liveRoles) expect(passRole.join(' ')).toContain(role);
  const [secrets] = withAction(doc, 'secretsmanager:CreateSecret');
  expect(render(secrets!.Resource)).toMatch(/:secret:lcs-test\/live\/\*$/);
  const env = envOf(jobs, lcs.jobs.dispatcher);
  expect(env).toMatchObject({ LCS_LIVE_SPOT: 'false', LCS_LIVE_FAMILY_PREFIX: liveFamilyPrefix('lcs-test'), LCS_LIVE_SECRET_PREFIX: 'lcs-test' });
  expect(render(env.LIVE_TASK_DEFINITIONS)).toContain('L-MICRO');

  const spot = templateOf(buildApp({ live: { spot: true } }).jobs).json;
  expect(envOf(spot, lcs.jobs.dispatcher)).toMatchObject({ LCS_LIVE_SPOT: 'true' });
});

test('deployment secrets: the live execution role reads them through Secrets Manager; no task role touches any secret', () => {
  const exec = roleDocument(lcs.jobs.liveRunner.executionRole);
  const [read] = withAction(exec, 'secretsmanager:GetSecretValue');
  expect(render(read!.Resource)).toMatch(/:secret:lcs-test\/live\/\*$/);
  const [kms] = withAction(exec, 'kms:Decrypt');
  expect(render(kms!.Condition)).toContain('secretsmanager.');
  for (const role of [lcs.jobs.liveRunner.taskRole, lcs.jobs.runner.taskRole, lcs.jobs.runner.executionRole]) {
    expect(JSON.stringify(roleDocument(role))).not.toContain('secretsmanager');
  }
});

test('one alarm for stale heartbeats and one for restarts, across all deployments', () => {
  const alarms = Object.values(jobs.Resources)
    .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
    .map((r) => r.Properties as Json);
  const stale = alarms.filter((a) => a.MetricName === 'LiveHeartbeatAgeSeconds');
  const restarts = alarms.filter((a) => a.MetricName === 'LiveRestarts');
  expect(stale).toHaveLength(1);
  expect(stale[0]).toMatchObject({ Threshold: 180, Statistic: 'Maximum', ComparisonOperator: 'GreaterThanThreshold' });
  expect(restarts).toHaveLength(1);
  expect(restarts[0]).toMatchObject({ Threshold: 0, Statistic: 'Sum' });
  for (const alarm of [...stale, ...restarts]) expect(JSON.stringify(alarm.Dimensions)).not.toContain('deploy');
});

test('the routes that start and stop deployments may manage live services; the read routes may not', () => {
  const group = lcs.api.groups.get('live')!;
  const nested = templateOf(group).json;
  for (const path of ['live/create', 'live/update/stop', 'live/update/liquidate']) {
    const fn = group.functions.get(path)!;
    const doc = policyOf(nested, fn);
    expect(withAction(doc, 'ecs:CreateService')).toHaveLength(1);
    expect(withAction(doc, 'secretsmanager:CreateSecret')).toHaveLength(1);
    expect(Object.keys(envOf(nested, fn))).toEqual(expect.arrayContaining(['LIVE_TASK_DEFINITIONS', 'LCS_LIVE_SECRET_PREFIX', 'CLUSTER_ARN']));
  }
  for (const path of ['live/read', 'live/portfolio/read', 'live/commands/create']) {
    expect(JSON.stringify(policyOf(nested, group.functions.get(path)!))).not.toMatch(/ecs:|secretsmanager:/);
  }
});

test('notifications by default: webhooks and Telegram over the egress; no role may send email or SMS, and live/create refuses such targets', () => {
  const group = propsOf(jobs, lcs.jobs.securityGroup);
  expect(group.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: '-1' })]);
  const everyPolicy = Object.values(jobs.Resources as Record<string, { Type: string }>).filter((r) => r.Type === 'AWS::IAM::Policy');
  expect(everyPolicy.length).toBeGreaterThan(0);
  expect(JSON.stringify(everyPolicy)).not.toMatch(/"(sns:Publish|ses:Send\w*)"/);
  const live = lcs.api.groups.get('live')!;
  expect(envOf(templateOf(live).json, live.functions.get('live/create')!).LCS_NOTIFY_CHANNELS).toBe('');
  for (const task of lcs.jobs.liveRunner.taskDefinitions.values()) {
    const [container] = propsOf(jobs, task).ContainerDefinitions as { Environment: { Name: string }[] }[];
    expect(container!.Environment.map((e) => e.Name)).not.toEqual(expect.arrayContaining(['LCS_EMAIL_FROM']));
    expect(container!.Environment.map((e) => e.Name)).not.toContain('LCS_SMS');
  }
});

test('email and SMS enabled: the live task role alone may SendEmail on the one identity from the one sender, and Publish to phone numbers only', () => {
  const enabled = buildApp({ live: { notifications: { emailFrom: 'alerts@example.com', emailIdentity: 'example.com', sms: true } } });
  const template = templateOf(enabled.jobs).json;
  const doc = (role: typeof enabled.jobs.liveRunner.taskRole) => {
    const policy = role.node.tryFindChild('DefaultPolicy') as never;
    return policy ? (propsOf(template, policy).PolicyDocument as unknown) : { Statement: [] };
  };
  const task = doc(enabled.jobs.liveRunner.taskRole);
  const [send, ...moreSends] = withAction(task, 'ses:SendEmail');
  expect(moreSends).toEqual([]);
  expect(render(send!.Resource)).toMatch(/^arn:.*:ses:.*:identity\/example\.com$/);
  expect(send!.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'alerts@example.com' } });
  const publish = withAction(task, 'sns:Publish') as (Statement & { Effect: string })[];
  expect(publish.map((p) => [p.Effect, render(p.Resource)])).toEqual([
    ['Allow', '*'],
    ['Deny', expect.stringMatching(/^arn:.*:sns:\*:\*:\*$/)],
  ]);
  expect(statements(task).filter((s) => array(s.Action).some((a) => /^(ses|sns):/.test(String(a))))).toHaveLength(3);
  // Nothing else may send: the backtest runner, the execution roles, the functions.
  for (const role of [enabled.jobs.runner.taskRole, enabled.jobs.runner.executionRole, enabled.jobs.liveRunner.executionRole])
    expect(JSON.stringify(doc(role))).not.toMatch(/"(sns:Publish|ses:Send\w*)"/);
  for (const t of enabled.jobs.liveRunner.taskDefinitions.values()) {
    const [container] = propsOf(template, t).ContainerDefinitions as { Environment: { Name: string; Value: unknown }[] }[];
    expect(container!.Environment).toEqual(
      expect.arrayContaining([
        { Name: 'LCS_EMAIL_FROM', Value: 'alerts@example.com' },
        { Name: 'LCS_SMS', Value: 'true' },
      ]),
    );
  }
  for (const t of enabled.jobs.runner.taskDefinitions.values())
    expect(JSON.stringify(propsOf(template, t).ContainerDefinitions)).not.toMatch(/LCS_EMAIL_FROM|LCS_SMS/);
  const live = enabled.api.groups.get('live')!;
  expect(envOf(templateOf(live).json, live.functions.get('live/create')!).LCS_NOTIFY_CHANNELS).toBe('email,sms');

  // Email only: the identity defaults to the sender address; no SNS right.
  const emailOnly = buildApp({ live: { notifications: { emailFrom: 'alerts@example.com' } } });
  const emailTemplate = templateOf(emailOnly.jobs).json;
  const emailDoc = propsOf(emailTemplate, emailOnly.jobs.liveRunner.taskRole.node.tryFindChild('DefaultPolicy') as never).PolicyDocument;
  expect(render(withAction(emailDoc, 'ses:SendEmail')[0]!.Resource)).toMatch(/identity\/alerts@example\.com$/);
  expect(withAction(emailDoc, 'sns:Publish')).toEqual([]);
}, 120_000);
