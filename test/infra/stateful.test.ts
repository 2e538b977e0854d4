import { Match } from 'aws-cdk-lib/assertions';
import { TABLE_SCHEMA } from '../../core/shared/table-schema';
import type { LcsApp } from '../../lib/app';
import { buildApp, envOf, type Json, logicalId, render, statementsOf, templateOf } from './fixture';

/** The stateful stack: table, key, buckets, user pool, and what changes with the environment. */
let prod: LcsApp;
let dev: LcsApp;

beforeAll(() => {
  prod = buildApp();
  dev = buildApp({ environment: 'dev' });
}, 120_000);

describe('table', () => {
  test('the key schema of TABLE_SCHEMA, GSI1 projecting ALL, on demand, PITR, TTL, KMS', () => {
    const { template } = templateOf(prod.stateful);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'lcs-test-data',
      KeySchema: [
        { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'PK', AttributeType: 'S' },
        { AttributeName: 'SK', AttributeType: 'S' },
        { AttributeName: 'GSI1PK', AttributeType: 'S' },
        { AttributeName: 'GSI1SK', AttributeType: 'S' },
      ]),
      GlobalSecondaryIndexes: [
        {
          IndexName: TABLE_SCHEMA.indexes.gsi1.name,
          KeySchema: [
            { AttributeName: TABLE_SCHEMA.indexes.gsi1.partitionKey, KeyType: 'HASH' },
            { AttributeName: TABLE_SCHEMA.indexes.gsi1.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: TABLE_SCHEMA.ttlAttribute, Enabled: true },
      DeletionProtectionEnabled: true,
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [logicalId(prod.stateful.key.node.defaultChild!), 'Arn'] } },
    });
    // Retained on delete and replacement, but removed when the creating deploy rolls back, so a failed first deploy can be retried.
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
    for (const [, bucket] of Object.entries(template.findResources('AWS::S3::Bucket'))) {
      expect(bucket).toMatchObject({ DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
    }
  });

  test('dev: no deletion protection, destroyed with the stack', () => {
    const { template } = templateOf(dev.stateful);
    template.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });
});

describe('key', () => {
  test('customer-managed, rotated, retained', () => {
    const { template } = templateOf(prod.stateful);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResource('AWS::KMS::Key', { Properties: Match.objectLike({ EnableKeyRotation: true }), DeletionPolicy: 'RetainExceptOnCreate' });
  });
});

describe('buckets', () => {
  const buckets = (app: LcsApp) => Object.values(templateOf(app.stateful).json.Resources).filter((r) => r.Type === 'AWS::S3::Bucket');

  test('every bucket: encrypted, public access blocked, TLS only, multipart uploads aborted', () => {
    const { json } = templateOf(prod.stateful);
    const policies = Object.values(json.Resources).filter((r) => r.Type === 'AWS::S3::BucketPolicy');
    expect(buckets(prod)).toHaveLength(4); // access logs, artifacts, data, objects
    const objects = Object.values(json.Resources).find((r) => r.Type === 'AWS::S3::Bucket' && JSON.stringify(r.Properties).includes('-objects-'));
    type Rules = { Rules: { Id: string; Prefix?: string; ExpirationInDays?: number }[] };
    const objectRules = ((objects?.Properties ?? {}) as { LifecycleConfiguration?: Rules }).LifecycleConfiguration?.Rules ?? [];
    expect(objectRules.find((r) => r.Id === 'expire-download-jobs')).toMatchObject({ Prefix: 'jobs/', ExpirationInDays: 1 });
    for (const [id, bucket] of Object.entries(json.Resources).filter(([, r]) => r.Type === 'AWS::S3::Bucket')) {
      const props = bucket.Properties as Json;
      expect(props.BucketEncryption).toBeDefined();
      expect(props.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      const rules = (props.LifecycleConfiguration as { Rules: Json[] }).Rules;
      expect(rules.some((r) => (r.AbortIncompleteMultipartUpload as Json | undefined)?.DaysAfterInitiation === 7)).toBe(true);
      const policy = policies.find((p) => JSON.stringify(p.Properties?.Bucket) === JSON.stringify({ Ref: id }))!;
      const statements = statementsOf(policy);
      expect(statements).toEqual(
        expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      );
    }
  });

  test('artifacts: KMS with the stack key, versioned, access-logged', () => {
    const { template } = templateOf(prod.stateful);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [logicalId(prod.stateful.key.node.defaultChild!), 'Arn'] },
            },
          },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: logicalId(prod.stateful.logsBucket.node.defaultChild!) }, LogFilePrefix: 'artifacts/' },
    });
    const name = render(templateOf(prod.stateful).json.Resources[logicalId(prod.stateful.artifactsBucket.node.defaultChild!)]!.Properties?.BucketName);
    expect(name).toBe('lcs-test-artifacts-<AWS::AccountId>-<AWS::Region>');
  });
});

describe('user pool', () => {
  test('default JWT issuer: admin-created users, strong passwords, TOTP MFA', () => {
    const { template } = templateOf(prod.stateful);
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true }) },
    });
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', { GenerateSecret: false });
  });

  test('no user pool when another issuer is configured; the authorizer trusts that issuer', () => {
    const external = buildApp({ auth: { jwtIssuer: 'https://issuer.example.com/', jwtAudience: 'lcs', jwtJwksUrl: 'https://issuer.example.com/jwks.json' } });
    templateOf(external.stateful).template.resourceCountIs('AWS::Cognito::UserPool', 0);
    expect(external.stateful.userPool).toBeUndefined();
    const root = templateOf(external.api).json;
    const env = envOf(root, external.api.authorizerFunction);
    expect(env).toMatchObject({
      LCS_JWT_ISSUER: 'https://issuer.example.com/',
      LCS_JWT_AUDIENCE: 'lcs',
      LCS_JWT_JWKS_URL: 'https://issuer.example.com/jwks.json',
    });
    expect(Object.keys(root.Outputs ?? {})).not.toContain('UserPoolId');
  }, 120_000);
});
