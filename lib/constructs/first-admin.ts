import { CustomResource, Duration, Validations } from 'aws-cdk-lib';
import type { IUsagePlan } from 'aws-cdk-lib/aws-apigateway';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { Settings } from '../config/settings';
import { removalPolicy, retentionDays } from '../naming';
import { ApiFunction, type DataRefs } from './api-function';
import { nagText } from './nag-ids';

export const FIRST_ADMIN_ENTRY = 'lambdas/custom-resources/first-admin.handler.ts';

export interface FirstAdminProps {
  settings: Settings;
  data: DataRefs;
  /** Encrypts the secret (the stack's customer-managed key). */
  key: IKey;
  /** The first admin's organisation gets an API key on this plan (per-organisation rate limits). */
  usagePlan: IUsagePlan;
}

/**
 * The first admin, created at deploy time (design §1): a CloudFormation custom resource (CDK
 * Provider framework) whose handler creates the user, their organisation and its usage-plan API
 * key, issues an API token and writes `{userId, organizationId, token}` to a KMS-encrypted secret.
 * The token never appears in the template, the resource's data or the logs. The handler is
 * idempotent, so Update (a changed email, name or organisation in the settings) re-runs it; Delete
 * keeps the data, which is retained with the table.
 */
export class FirstAdmin extends Construct {
  readonly secret: Secret;
  readonly handler: ApiFunction;
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: FirstAdminProps) {
    super(scope, id);
    const { settings, data } = props;
    const admin = settings.firstAdmin;

    this.secret = new Secret(this, 'Secret', {
      description: `Lean Cloud Server ${settings.stage}: API token of the first admin (JSON: userId, organizationId, token). Read it once, then issue personal tokens with lcs admin.`,
      encryptionKey: props.key,
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Holds an API token issued once at deploy time; rotating it means issuing a new token and revoking the old one in the table (lcs admin), which Secrets Manager rotation cannot do.',
    });

    this.handler = new ApiFunction(this, 'Handler', {
      entry: FIRST_ADMIN_ENTRY,
      settings,
      description: 'Custom resource: creates the first admin, their organisation, usage-plan key and API token',
      timeout: Duration.minutes(2),
    })
      .bindTable(data, 'readWrite')
      .bindTokenKey(data, 'encrypt')
      .bindSecret('FIRST_ADMIN_SECRET_ARN', this.secret, data.keyArn)
      .bindUsagePlanKeys(props.usagePlan)
      .addEnvironment('FIRST_ADMIN_EMAIL', admin.email)
      .addEnvironment('FIRST_ADMIN_NAME', admin.name)
      .addEnvironment('FIRST_ADMIN_ORGANIZATION', admin.organization);

    // The provider framework's own function: its role is ours (no managed policy), its logs go to
    // a log group with the configured retention.
    const frameworkLogs = new LogGroup(this, 'ProviderLogs', { retention: retentionDays(settings.logRetentionDays), removalPolicy: removalPolicy(settings) });
    const frameworkRole = new Role(this, 'ProviderRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Lean Cloud Server ${settings.stage}: custom resource provider of the first admin`,
    });
    frameworkLogs.grantWrite(frameworkRole);
    const provider = new Provider(this, 'Provider', { onEventHandler: this.handler.function, logGroup: frameworkLogs, frameworkOnEventRole: frameworkRole });

    const handlerArn = nagText(this, this.handler.function.functionArn);
    Validations.of(frameworkRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${handlerArn}:*]`,
      reason: 'The provider framework may invoke any version of the one handler function it fronts (CDK grantInvoke adds the qualified ARN).',
    });

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::LcsFirstAdmin',
      // Properties (not only environment) so that a changed admin triggers an Update event.
      properties: { Email: admin.email, Name: admin.name, Organization: admin.organization },
    });
  }
}
