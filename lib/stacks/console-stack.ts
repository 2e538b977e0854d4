import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as EdgeFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  type HeadersFrameOption,
  type HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { OAuthScope, UserPoolClient, UserPoolClientIdentityProvider, UserPoolDomain } from 'aws-cdk-lib/aws-cognito';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import { CONSOLE_OTHER_HEADERS, consoleContentSecurityPolicy } from '../../core/shared/console-headers';
import type { Settings } from '../config/settings';
import { consoleBuild } from '../constructs/console-build';
import { acknowledgeWildcardResources } from '../constructs/nag-ids';
import { prefix, removalPolicy } from '../naming';
import { API_BASE_PATH } from './api-group-stack';
import type { ApiStack } from './api-stack';
import type { StatefulStack } from './stateful-stack';

/** What the console reads from `/config.json` at start (console/src/oidc.ts); absent in local mode. */
export type ConsoleConfig = (
  | { auth: 'token' }
  | { auth: 'oidc'; clientId: string; authorizeUrl: string; tokenUrl: string; logoutUrl?: string; logoutRedirectParam?: string; scope: string }
) & {
  /** The WebSocket API's `wss://…/<stage>` URL (docs/realtime.md); without it the console opens `/ws` on its own origin, as locally. */
  socketUrl?: string;
};

export interface ConsoleStackProps extends StackProps {
  settings: Settings;
  stateful: StatefulStack;
  api: ApiStack;
  /** More origins the console may call (connect-src), e.g. a WebSocket API's `wss://…` origin. */
  connectOrigins?: readonly string[];
}

/**
 * The web console in AWS: its build in a private bucket that only the CloudFront distribution may
 * read (origin access control), served over HTTPS with the same security headers as local mode
 * (core/shared/console-headers.ts). The distribution also forwards `/api/v2/*` to the API's stage,
 * so the console calls its own origin exactly as in local mode: no CORS, and a CSP whose
 * connect-src is 'self' (plus the Cognito token endpoint). The reverse order (the API allowing the
 * console's CloudFront origin through CORS) cannot be built: the distribution's name exists only
 * once it is created, after the API it must name in its CSP.
 *
 * With the stack's own user pool it adds the console's sign-in: a hosted-UI domain and a public app
 * client (authorization code; the console always sends PKCE) whose callback is the console's URL,
 * and writes `config.json` next to index.html so the console knows where to send the user.
 * Everything here is paid per use: requests, transfer, a few invalidations per deploy.
 */
export class ConsoleStack extends Stack {
  readonly bucket: Bucket;
  readonly logsBucket: Bucket;
  readonly distribution: Distribution;
  readonly headersPolicy: ResponseHeadersPolicy;
  readonly url: string;
  readonly config: ConsoleConfig;
  readonly client?: UserPoolClient;
  readonly domain?: UserPoolDomain;

  constructor(scope: Construct, id: string, props: ConsoleStackProps) {
    super(scope, id, props);
    const { settings, stateful, api } = props;
    const name = prefix(settings);
    const dev = settings.environment === 'dev';

    // CloudFront's standard logs are written with object ACLs, which the stateful stack's log
    // bucket (owner-enforced) refuses: the console has a log bucket of its own, for the content
    // bucket's access logs and the distribution's.
    this.logsBucket = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [
        { id: 'expire-access-logs', expiration: Duration.days(settings.logRetentionDays), abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      removalPolicy: removalPolicy(settings),
      autoDeleteObjects: dev,
    });
    Validations.of(this.logsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log target bucket of the console; logging it into itself would loop, and a second log bucket would need the same exemption.',
    });

    // Nothing here but the console's build, rebuilt from source on every deploy: removed with the stack.
    this.bucket = new Bucket(this, 'Content', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logsBucket,
      serverAccessLogsPrefix: 'content/',
      lifecycleRules: [{ id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) }],
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });

    // Sign-in with the stack's user pool: hosted UI on a Cognito domain, and the console's client.
    const pool = stateful.userPool;
    const external = settings.console.oidc;
    if (external && pool)
      throw new Error("console.oidc is for an external issuer (auth.jwtIssuer); with the stack's own user pool the console has its own client.");
    let tokenOrigin = external ? new URL(external.tokenUrl).origin : undefined;
    if (pool) {
      // A Cognito domain costs nothing; the prefix is unique per region, the account id makes it ours.
      this.domain = new UserPoolDomain(this, 'SignInDomain', { userPool: pool, cognitoDomain: { domainPrefix: `${name}-${Aws.ACCOUNT_ID}` } });
      tokenOrigin = this.domain.baseUrl();
    }

    // Real-time updates: the console opens the WebSocket API itself (CloudFront does not route `/ws`), so its wss:
    // origin joins connect-src, and its URL goes into config.json.
    const socketOrigin = `wss://${api.realtime.api.apiId}.execute-api.${api.region}.${api.urlSuffix}`;
    const csp = consoleContentSecurityPolicy([...(tokenOrigin ? [tokenOrigin] : []), socketOrigin, ...(props.connectOrigins ?? [])]);
    this.headersPolicy = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: `${name} web console: the security headers of local mode (core/shared/console-headers.ts)`,
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
        contentTypeOptions: { override: true },
        // The enums' values are the header values ('DENY', 'no-referrer').
        frameOptions: { frameOption: CONSOLE_OTHER_HEADERS['x-frame-options'] as HeadersFrameOption, override: true },
        referrerPolicy: { referrerPolicy: CONSOLE_OTHER_HEADERS['referrer-policy'] as HeadersReferrerPolicy, override: true },
        // Local mode is plain HTTP on loopback; here the console is only ever HTTPS.
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [{ header: 'Cross-Origin-Opener-Policy', value: CONSOLE_OTHER_HEADERS['cross-origin-opener-policy'], override: true }],
      },
    });

    // The console routes by hash (#/projects/…); any other extensionless path is index.html, so a
    // reload or a shared link never meets S3's 403. A function on the console's behaviour only:
    // a distribution-wide error page would also replace the API's own 404 and 413 envelopes.
    const spaFallback = new EdgeFunction(this, 'SpaFallback', {
      comment: `${name} web console: extensionless paths serve index.html`,
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(
        "function handler(event) { var r = event.request; if (r.uri.lastIndexOf('.') <= r.uri.lastIndexOf('/')) r.uri = '/index.html'; return r; }",
      ),
    });

    const apiOrigin = new HttpOrigin(`${api.restApi.restApiId}.execute-api.${api.region}.${api.urlSuffix}`, {
      originPath: `/${api.stage.stageName}`,
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [OriginSslPolicy.TLS_V1_2],
      // API Gateway's own limit is 29 s.
      readTimeout: Duration.seconds(30),
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: `${name} web console`,
      defaultRootObject: 'index.html',
      priceClass: PriceClass.PRICE_CLASS_100,
      httpVersion: HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: this.logsBucket,
      logFilePrefix: 'distribution/',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headersPolicy,
        functionAssociations: [{ function: spaFallback, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        // The API, uncached, with every header but Host (API Gateway routes on its own host name).
        [`/${API_BASE_PATH}/*`]: {
          origin: apiOrigin,
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: this.headersPolicy,
        },
      },
    });
    this.url = `https://${this.distribution.distributionDomainName}`;
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'The console and the API it forwards serve the operator’s users wherever they are; access is controlled by sign-in, not by country.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        'A web ACL costs a monthly fee whatever the traffic (near-zero idle cost); the API behind it keeps its usage plans, stage throttle and authorizer failure budget.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR4',
      reason:
        'The distribution uses its cloudfront.net name and certificate, for which CloudFront does not let the minimum viewer TLS version be set; origins are reached over TLS 1.2 only.',
    });

    if (pool && this.domain) {
      const redirect = `${this.url}/`;
      this.client = new UserPoolClient(this, 'ConsoleClient', {
        userPool: pool,
        userPoolClientName: `${name}-console`,
        // A browser cannot keep a secret: a public client, authorization code only (no implicit
        // flow); the console proves the code is its own with PKCE (console/src/oidc.ts).
        generateSecret: false,
        authFlows: { userSrp: true },
        oAuth: {
          flows: { authorizationCodeGrant: true, implicitCodeGrant: false },
          scopes: [OAuthScope.OPENID, OAuthScope.EMAIL],
          callbackUrls: [redirect],
          logoutUrls: [redirect],
        },
        supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
        preventUserExistenceErrors: true,
        idTokenValidity: Duration.hours(1),
        accessTokenValidity: Duration.hours(1),
        refreshTokenValidity: Duration.hours(1),
        enableTokenRevocation: true,
      });
      const base = this.domain.baseUrl();
      this.config = {
        auth: 'oidc',
        clientId: this.client.userPoolClientId,
        authorizeUrl: `${base}/oauth2/authorize`,
        tokenUrl: `${base}/oauth2/token`,
        logoutUrl: `${base}/logout`,
        scope: 'openid email',
        socketUrl: api.realtime.url,
      };
    } else if (external) {
      // An external issuer with a client for the console (standard RP-initiated logout parameters).
      this.config = { auth: 'oidc', ...external, logoutRedirectParam: 'post_logout_redirect_uri', scope: 'openid email', socketUrl: api.realtime.url };
    } else {
      // An external issuer without one: the console signs in with a user id and API token, as in local mode.
      this.config = { auth: 'token', socketUrl: api.realtime.url };
    }

    // Hashed scripts and styles first, kept across deploys (a tab opened before a deploy still
    // loads its own files); then index.html and config.json, checked on every load.
    const build = consoleBuild(this);
    const assets = new BucketDeployment(this, 'DeployAssets', {
      sources: [build.assetsDir ? Source.asset(build.assetsDir) : Source.data('.placeholder', '')],
      destinationBucket: this.bucket,
      destinationKeyPrefix: 'assets/',
      prune: false,
      cacheControl: [CacheControl.fromString('public, max-age=31536000, immutable')],
    });
    const index = new BucketDeployment(this, 'DeployIndex', {
      sources: [Source.data('index.html', build.indexHtml), Source.jsonData('config.json', this.config)],
      destinationBucket: this.bucket,
      prune: false,
      cacheControl: [CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: ['/', '/index.html', '/config.json'],
    });
    index.node.addDependency(assets);
    this.acknowledgeDeploymentHandler();

    new CfnOutput(this, 'ConsoleUrl', { value: this.url, description: 'The web console (sign in with the user pool, or a user id and API token)' });
    if (this.client)
      new CfnOutput(this, 'ConsoleClientId', { value: this.client.userPoolClientId, description: "Cognito app client of the console's sign-in" });
  }

  /** BucketDeployment's handler (one per stack, made by aws-cdk-lib): its grants are CDK's, scoped as far as it allows. */
  private acknowledgeDeploymentHandler(): void {
    const handler = this.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (!handler) throw new Error('The BucketDeployment handler was not found in the console stack');
    const why = (what: string) => `aws-cdk-lib's BucketDeployment handler (copies the console's build at deploy): ${what}`;
    Validations.of(handler).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: why('AWSLambdaBasicExecutionRole only lets it write its own logs.'),
    });
    Validations.of(handler).acknowledge({ id: 'AwsSolutions-L1', reason: why('its Python runtime is chosen and updated by aws-cdk-lib, not here.') });
    for (const action of ['s3:GetBucket*', 's3:GetObject*', 's3:List*', 's3:Abort*', 's3:DeleteObject*']) {
      Validations.of(handler).acknowledge({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: why('read the staged build from the CDK asset bucket and write it into the console bucket, on those two buckets only.'),
      });
    }
    Validations.of(handler).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
      reason: why("the build's zip files are objects of the CDK bootstrap asset bucket, named by content hash."),
    });
    Validations.of(handler).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: why('CloudFront invalidations (index.html, config.json after a deploy) cannot be granted on one distribution by aws-cdk-lib.'),
    });
    acknowledgeWildcardResources(handler, [`${this.bucket.bucketArn}/*`], why('every object of the console bucket is the build it replaces.'));
  }
}
