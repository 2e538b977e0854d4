import { Aws, type IAspect, Stack } from 'aws-cdk-lib';
import { Alarm, CompositeAlarm, type IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, type IConstruct } from 'constructs';
import type { Settings } from '../config/settings';
import { prefix } from '../naming';

/** `lcs-<stage>-alarms`: a fixed name, so stacks deployed before the topic can name it (below). */
export function alarmTopicName(settings: Settings): string {
  return `${prefix(settings)}-alarms`;
}

/**
 * The topic's ARN built from its name, without a CloudFormation reference: the jobs and API stacks
 * deploy before the monitoring stack (which reads their queues and functions), so a reference to
 * the topic from their alarms would make the stacks depend on each other. CloudWatch accepts an
 * action whose topic does not exist yet; notifications flow once the monitoring stack is deployed.
 */
export function alarmTopicArn(settings: Settings): string {
  return `arn:${Aws.PARTITION}:sns:${Aws.REGION}:${Aws.ACCOUNT_ID}:${alarmTopicName(settings)}`;
}

const CLOUDWATCH = new ServicePrincipal('cloudwatch.amazonaws.com');

export interface AlarmTopicProps {
  settings: Settings;
  /** The app's key (the stateful stack's): a key of its own would add $1 a month of idle cost. */
  key: IKey;
}

/**
 * The one SNS topic every alarm of the app notifies. Encrypted with the app's customer-managed key:
 * CloudWatch cannot publish to a topic under the AWS-managed SNS key (its key policy cannot be
 * changed to admit cloudwatch.amazonaws.com). CloudWatch may use the key only for this topic's
 * messages (SNS's encryption context names the topic). TLS only; CloudWatch alarms of this
 * account may publish.
 */
export class AlarmTopic extends Construct {
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const { settings, key } = props;
    // SNS encrypts each message with a data key CloudWatch asks for when an alarm publishes.
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [CLOUDWATCH],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': alarmTopicArn(settings), 'aws:SourceAccount': Aws.ACCOUNT_ID },
        },
      }),
    );

    this.topic = new Topic(this, 'Topic', {
      topicName: alarmTopicName(settings),
      displayName: `Lean Cloud Server ${settings.stage} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    // The TLS-only policy replaces SNS's default one, so CloudWatch's right to publish is explicit.
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [CLOUDWATCH],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*` },
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        },
      }),
    );
    if (settings.monitoring.alarmEmail) this.topic.addSubscription(new EmailSubscription(settings.monitoring.alarmEmail));
  }
}

/**
 * Aspect: every alarm of the app (any stack, nested ones too, alarms added later included) notifies
 * the alarm topic when it fires and when it recovers. Alarms in the topic's own stack use the topic
 * itself; the others its ARN by name (see alarmTopicArn).
 */
export class NotifyAlarmTopic implements IAspect {
  private readonly byName: IAlarmAction;
  private readonly direct: IAlarmAction;

  constructor(
    private readonly alarmTopic: AlarmTopic,
    settings: Settings,
  ) {
    const arn = alarmTopicArn(settings);
    this.byName = { bind: () => ({ alarmActionArn: arn }) };
    this.direct = new SnsAction(alarmTopic.topic);
  }

  visit(node: IConstruct): void {
    if (!(node instanceof Alarm) && !(node instanceof CompositeAlarm)) return;
    const action = Stack.of(node) === Stack.of(this.alarmTopic) ? this.direct : this.byName;
    node.addAlarmAction(action);
    node.addOkAction(action);
  }
}
