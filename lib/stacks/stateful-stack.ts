import { Aws, Duration, type RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccountRecovery, FeaturePlan, Mfa, UserPool, type UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, type LifecycleRule, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { TABLE_SCHEMA } from '../../core/shared/table-schema';
import type { Settings } from '../config/settings';
import type { DataRefs } from '../constructs/api-function';
import { prefix, removalPolicy } from '../naming';

/** Which OIDC issuer the authorizer trusts for Bearer JWTs (design §5). */
export interface JwtIssuer {
  issuer: string;
  /** Matched against the token's `aud` (an external issuer's `jwtAudience`; the stack's own pool checks none). */
  audience?: string;
  jwksUrl?: string;
}

export interface StatefulStackProps extends StackProps {
  settings: Settings;
}

/**
 * Everything that holds data (design §2), on its own lifecycle: the single table, the artifacts
 * bucket (and the bucket its access logs go to), the customer-managed key that encrypts the table,
 * the buckets and the API tokens, and the Cognito user pool that issues JWTs unless another OIDC
 * issuer is configured. Retained when the stack is deleted, except in a `dev` environment.
 */
export class StatefulStack extends Stack {
  readonly key: Key;
  readonly table: Table;
  readonly artifactsBucket: Bucket;
  readonly dataBucket: Bucket;
  readonly objectsBucket: Bucket;
  readonly logsBucket: Bucket;
  readonly userPool?: UserPool;
  readonly userPoolClient?: UserPoolClient;
  readonly jwt: JwtIssuer;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const name = prefix(settings);
    const dev = settings.environment === 'dev';
    const removal = removalPolicy(settings);

    this.key = new Key(this, 'Key', {
      description: `Lean Cloud Server ${settings.stage}: table, buckets and API tokens`,
      alias: `alias/${name}`,
      enableKeyRotation: true,
      removalPolicy: removal,
      ...(dev ? { pendingWindow: Duration.days(7) } : {}),
    });

    const { partitionKey, sortKey, ttlAttribute, indexes } = TABLE_SCHEMA;
    this.table = new Table(this, 'Table', {
      tableName: `${name}-data`,
      partitionKey: { name: partitionKey, type: AttributeType.STRING },
      sortKey: { name: sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: ttlAttribute,
      // The real-time publisher reads backtest and live changes from here (lib/constructs/realtime-api.ts):
      // both images, so a live message can say what a write added (new log lines, new orders).
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
      deletionProtection: !dev,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      removalPolicy: removal,
    });
    for (const index of Object.values(indexes)) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }

    // Server access logs need SSE-S3 on the target bucket (SSE-KMS targets are not supported).
    this.logsBucket = new Bucket(this, 'AccessLogs', {
      bucketName: `${name}-logs-${Aws.ACCOUNT_ID}-${Aws.REGION}`,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        { id: 'expire-access-logs', expiration: Duration.days(settings.logRetentionDays), abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      removalPolicy: removal,
      autoDeleteObjects: dev,
    });
    Validations.of(this.logsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the server-access-log target bucket; logging it into itself would loop, and a second log bucket would need the same exemption.',
    });

    this.artifactsBucket = this.privateBucket('Artifacts', 'artifacts', name, removal, dev);
    this.dataBucket = this.privateBucket('Data', 'data', name, removal, dev);
    // object/get zips under jobs/ are only fetched within minutes of being built.
    this.objectsBucket = this.privateBucket('Objects', 'objects', name, removal, dev, [
      { id: 'expire-download-jobs', prefix: 'jobs/', expiration: Duration.days(1) },
    ]);

    if (settings.auth.jwtIssuer) {
      this.jwt = {
        issuer: settings.auth.jwtIssuer,
        ...(settings.auth.jwtAudience ? { audience: settings.auth.jwtAudience } : {}),
        ...(settings.auth.jwtJwksUrl ? { jwksUrl: settings.auth.jwtJwksUrl } : {}),
      };
    } else {
      const pool = new UserPool(this, 'UserPool', {
        userPoolName: name,
        // Users are created by an admin (`lcs admin`), never by signing up.
        selfSignUpEnabled: false,
        signInAliases: { email: true },
        standardAttributes: { email: { required: true, mutable: true } },
        passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true },
        mfa: Mfa.REQUIRED,
        mfaSecondFactor: { otp: true, sms: false },
        accountRecovery: AccountRecovery.EMAIL_ONLY,
        featurePlan: FeaturePlan.ESSENTIALS,
        deletionProtection: !dev,
        removalPolicy: removal,
      });
      Validations.of(pool).acknowledge({
        id: 'AwsSolutions-COG8',
        reason:
          'Threat protection needs the Plus feature plan (billed per monthly active user); Bearer JWTs are a secondary sign-in (LEAN and lean-cli use API tokens), protected by required TOTP MFA and a strong password policy.',
      });
      const client = pool.addClient('ApiClient', {
        userPoolClientName: `${name}-api`,
        generateSecret: false,
        authFlows: { userSrp: true },
        disableOAuth: true,
        preventUserExistenceErrors: true,
        idTokenValidity: Duration.hours(1),
        accessTokenValidity: Duration.hours(1),
        refreshTokenValidity: Duration.days(30),
        enableTokenRevocation: true,
      });
      this.userPool = pool;
      this.userPoolClient = client;
      // ID tokens carry `email` (the default user claim) and `aud` = the id of the client that
      // signed the user in: this one, or the web console's (console stack). The issuer check
      // confines tokens to this pool, which exists for this server only (admin-created users,
      // MFA required), and whose clients are all public: the audience is not checked, because the
      // console's client is made after the API (its callback is the CloudFront URL, and the
      // distribution forwards to the API), so the authorizer cannot be given its id.
      this.jwt = { issuer: pool.userPoolProviderUrl };
    }
  }

  /**
   * A private bucket with the house defaults: KMS (stack key, bucket key), versioned, TLS only,
   * no public access, access logs, incomplete multipart uploads aborted after 7 days, old
   * versions expired after 30.
   */
  private privateBucket(id: string, purpose: string, name: string, removal: RemovalPolicy, dev: boolean, extraRules: LifecycleRule[] = []): Bucket {
    return new Bucket(this, id, {
      bucketName: `${name}-${purpose}-${Aws.ACCOUNT_ID}-${Aws.REGION}`,
      encryption: BucketEncryption.KMS,
      encryptionKey: this.key,
      // One KMS data key per bucket instead of per object: fewer KMS calls, same key and grants.
      bucketKeyEnabled: true,
      versioned: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logsBucket,
      serverAccessLogsPrefix: `${purpose}/`,
      lifecycleRules: [
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
        // Versioning is the undo of an overwrite or delete; old versions do not accumulate forever.
        { id: 'expire-noncurrent-versions', noncurrentVersionExpiration: Duration.days(30), expiredObjectDeleteMarker: true },
        ...extraRules,
      ],
      removalPolicy: removal,
      autoDeleteObjects: dev,
    });
  }

  /** The table's change stream (NEW_AND_OLD_IMAGES), read by the real-time publisher. */
  get tableStreamArn(): string {
    const arn = this.table.tableStreamArn;
    if (!arn) throw new Error('The table has no stream');
    return arn;
  }

  /** The stateful resources as functions reference them. */
  dataRefs(): DataRefs {
    return {
      tableName: this.table.tableName,
      tableArn: this.table.tableArn,
      buckets: {
        artifacts: { name: this.artifactsBucket.bucketName, arn: this.artifactsBucket.bucketArn },
        data: { name: this.dataBucket.bucketName, arn: this.dataBucket.bucketArn },
        objects: { name: this.objectsBucket.bucketName, arn: this.objectsBucket.bucketArn },
      },
      keyArn: this.key.keyArn,
    };
  }
}
