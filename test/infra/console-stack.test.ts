import { Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createApp, type LcsApp } from '../../lib/app';
import { CONSOLE_SECURITY_HEADERS } from '../../local/console-files';
import { type CfnTemplate, type Json, logicalId, NO_BUNDLING, render, templateOf, testSettings } from './fixture';

/** The web console's stack: private bucket behind CloudFront (OAC), the security headers, the API forwarded, Cognito sign-in. */
let lcs: LcsApp;
let json: CfnTemplate;
let template: ReturnType<typeof templateOf>['template'];
beforeAll(() => {
  lcs = createApp({ context: NO_BUNDLING, settings: testSettings(), nag: true });
  ({ template, json } = templateOf(lcs.console));
}, 180_000);

const ofType = (type: string) => Object.entries(json.Resources).filter(([, r]) => r.Type === type);
const distributionConfig = () => ofType('AWS::CloudFront::Distribution')[0]![1].Properties!.DistributionConfig as Json;

/** The API stack's outputs, which the console stack reads (Fn::GetStackOutput), by name. */
const apiOutputs = (app: LcsApp) => Object.fromEntries(Object.entries(templateOf(app.api).json.Outputs ?? {}).map(([name, output]) => [name, output.Value]));
/** The WebSocket API's origin as render() prints it from the console stack. */
const socketOrigin = (app: LcsApp) => `wss://<${logicalId(app.api.realtime.api.node.defaultChild!)}>.execute-api.<AWS::Region>.<AWS::URLSuffix>`;

test('the content bucket is private, encrypted, TLS-only, logged and no website', () => {
  const content = logicalId(lcs.console.bucket.node.defaultChild!);
  expect(json.Resources[content]?.Properties).toMatchObject({
    BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    LoggingConfiguration: { LogFilePrefix: 'content/' },
  });
  expect(json.Resources[content]?.Properties?.WebsiteConfiguration).toBeUndefined();
  template.hasResourceProperties('AWS::S3::BucketPolicy', {
    Bucket: { Ref: content },
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
      ]),
    },
  });
});

test('only the distribution may read the bucket, through origin access control (AWS:SourceArn)', () => {
  template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
  template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
    OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
  });
  const content = logicalId(lcs.console.bucket.node.defaultChild!);
  const policy = ofType('AWS::S3::BucketPolicy').find(([, r]) => (r.Properties!.Bucket as Json).Ref === content)![1];
  const allows = (policy.Properties!.PolicyDocument as { Statement: Json[] }).Statement.filter((s) => s.Effect === 'Allow');
  const forCloudFront = allows.filter((s) => (s.Principal as Json).Service === 'cloudfront.amazonaws.com');
  expect(forCloudFront).toHaveLength(1);
  expect(forCloudFront[0]!.Action).toBe('s3:GetObject');
  const sourceArn = render(((forCloudFront[0]!.Condition as Json).StringEquals as Json)['AWS:SourceArn']);
  expect(sourceArn).toBe(`arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/<${logicalId(lcs.console.distribution.node.defaultChild!)}>`);
  // The only other principal is the stack's own object cleaner (the bucket is removed with the stack).
  for (const statement of allows.filter((s) => s !== forCloudFront[0])) expect(render((statement.Principal as Json).AWS)).toMatch(/AutoDeleteObjects/);
  const origins = distributionConfig().Origins as Json[];
  const s3Origin = origins.find((o) => o.S3OriginConfig)!;
  expect(s3Origin.OriginAccessControlId).toBeDefined();
  expect(s3Origin.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
});

test('HTTPS only, price class 100, access logs, index.html at the root and for extensionless paths', () => {
  const config = distributionConfig();
  expect(config).toMatchObject({ PriceClass: 'PriceClass_100', DefaultRootObject: 'index.html', Logging: { Prefix: 'distribution/' } });
  expect((config.DefaultCacheBehavior as Json).ViewerProtocolPolicy).toBe('redirect-to-https');
  expect((config.DefaultCacheBehavior as Json).AllowedMethods).toEqual(['GET', 'HEAD']);
  // No distribution-wide error page: it would replace the API's own 404 envelopes.
  expect(config.CustomErrorResponses).toBeUndefined();
  const fn = ofType('AWS::CloudFront::Function')[0]![1].Properties!;
  const handler = new Function(`${String(fn.FunctionCode)}; return handler;`)() as (e: { request: { uri: string } }) => { uri: string };
  expect(handler({ request: { uri: '/projects/12' } }).uri).toBe('/index.html');
  expect(handler({ request: { uri: '/assets/index-abc.js' } }).uri).toBe('/assets/index-abc.js');
  expect(handler({ request: { uri: '/config.json' } }).uri).toBe('/config.json');
  expect(handler({ request: { uri: '/a.b/c' } }).uri).toBe('/index.html');
});

test('/api/v2/* goes to the API stage over TLS 1.2, uncached, with every viewer header but Host', () => {
  const config = distributionConfig();
  const [behavior] = config.CacheBehaviors as Json[];
  expect(behavior).toMatchObject({
    PathPattern: '/api/v2/*',
    ViewerProtocolPolicy: 'https-only',
    CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // Managed-CachingDisabled
    OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac', // Managed-AllViewerExceptHostHeader
  });
  expect(behavior!.AllowedMethods).toEqual(expect.arrayContaining(['GET', 'POST']));
  const origin = (config.Origins as Json[]).find((o) => o.Id === behavior!.TargetOriginId)!;
  expect(origin.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
  expect(JSON.stringify(origin.DomainName)).toContain('.execute-api.');
  expect(JSON.stringify(origin.DomainName)).toContain('lcs-test-api');
  expect(JSON.stringify(origin.OriginPath)).toContain('lcs-test-api');
});

test("the security headers are local mode's, with HSTS, and the CSP lets the console call only itself, Cognito's token endpoint and the WebSocket API", () => {
  const policies = ofType('AWS::CloudFront::ResponseHeadersPolicy');
  expect(policies).toHaveLength(1);
  const [id, { Properties }] = policies[0]!;
  const policy = { Properties: Properties! };
  const behaviors = [distributionConfig().DefaultCacheBehavior, ...(distributionConfig().CacheBehaviors as Json[])] as Json[];
  for (const behavior of behaviors) expect(behavior.ResponseHeadersPolicyId).toEqual({ Ref: id });
  const config = (policy.Properties.ResponseHeadersPolicyConfig as Json).SecurityHeadersConfig as Json;
  const csp = render((config.ContentSecurityPolicy as Json).ContentSecurityPolicy, apiOutputs(lcs));
  const domain = logicalId(lcs.console.domain!.node.defaultChild!);
  const cognito = `https://<${domain}>.auth.<AWS::Region>.amazoncognito.com`;
  // Itself, Cognito's token endpoint and the WebSocket API (real-time updates), nothing else.
  expect(csp).toContain(`connect-src 'self' ${cognito} ${socketOrigin(lcs)};`);
  expect(csp.replace(` ${cognito} ${socketOrigin(lcs)}`, '')).toBe(CONSOLE_SECURITY_HEADERS['content-security-policy']);
  expect(config).toMatchObject({
    ContentTypeOptions: { Override: true },
    FrameOptions: { FrameOption: CONSOLE_SECURITY_HEADERS['x-frame-options'], Override: true },
    ReferrerPolicy: { ReferrerPolicy: CONSOLE_SECURITY_HEADERS['referrer-policy'], Override: true },
    StrictTransportSecurity: { AccessControlMaxAgeSec: 31_536_000, IncludeSubdomains: true },
  });
  expect(CONSOLE_SECURITY_HEADERS['x-content-type-options']).toBe('nosniff');
  expect((policy.Properties.ResponseHeadersPolicyConfig as Json).CustomHeadersConfig).toEqual({
    Items: [{ Header: 'Cross-Origin-Opener-Policy', Value: CONSOLE_SECURITY_HEADERS['cross-origin-opener-policy'], Override: true }],
  });
});

test('the console client: public, authorization code only, callback and sign-out to the console URL', () => {
  const distribution = logicalId(lcs.console.distribution.node.defaultChild!);
  const client = ofType('AWS::Cognito::UserPoolClient')[0]![1].Properties!;
  expect(client).toMatchObject({
    GenerateSecret: false,
    AllowedOAuthFlows: ['code'],
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthScopes: ['openid', 'email'],
    SupportedIdentityProviders: ['COGNITO'],
  });
  expect((client.CallbackURLs as unknown[]).map((u) => render(u))).toEqual([`https://<${distribution}.DomainName>/`]);
  expect((client.LogoutURLs as unknown[]).map((u) => render(u))).toEqual([`https://<${distribution}.DomainName>/`]);
  template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: { 'Fn::Join': ['', ['lcs-test-', { Ref: 'AWS::AccountId' }]] } });
});

test('config.json names the client and the hosted UI endpoints; the URL and client are outputs', () => {
  const config = lcs.console.resolve(lcs.console.config) as Json;
  const domain = logicalId(lcs.console.domain!.node.defaultChild!);
  const base = `https://<${domain}>.auth.<AWS::Region>.amazoncognito.com`;
  expect(Object.fromEntries(Object.entries(config).map(([k, v]) => [k, render(v, apiOutputs(lcs))]))).toEqual({
    auth: 'oidc',
    clientId: `<${logicalId(lcs.console.client!.node.defaultChild!)}>`,
    authorizeUrl: `${base}/oauth2/authorize`,
    tokenUrl: `${base}/oauth2/token`,
    logoutUrl: `${base}/logout`,
    scope: 'openid email',
    socketUrl: `${socketOrigin(lcs)}/test`,
  });
  const deployments = ofType('Custom::CDKBucketDeployment').map(([, r]) => r.Properties!);
  const index = deployments.find((d) => d.DistributionId)!;
  expect(index).toMatchObject({ Prune: false, SystemMetadata: { 'cache-control': 'no-cache' } });
  expect(index.DistributionPaths).toEqual(expect.arrayContaining(['/index.html', '/config.json']));
  expect(deployments.find((d) => d.DestinationBucketKeyPrefix === 'assets/')).toMatchObject({
    SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
  });
  expect(render(json.Outputs?.ConsoleUrl?.Value)).toBe(`https://<${logicalId(lcs.console.distribution.node.defaultChild!)}.DomainName>`);
  expect(json.Outputs?.ConsoleClientId).toBeDefined();
});

test('AwsSolutions: the console stack has no unacknowledged finding, and every acknowledgement a reason', () => {
  lcs.app.synth();
  const report = new AwsSolutionsChecks().validateScope(lcs.console);
  expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  const reasons = lcs.console.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).flatMap((m) => Object.values(m.data as Json)));
  expect(reasons.length).toBeGreaterThan(0);
  for (const reason of reasons) expect(String(reason).length).toBeGreaterThan(30);
});

test('with an external OIDC issuer the console signs in with a user id and API token, and makes no Cognito resource', () => {
  const external = createApp({ context: NO_BUNDLING, settings: testSettings({ auth: { jwtIssuer: 'https://issuer.example.com/' } }), nag: false });
  expect(external.console.config).toEqual({ auth: 'token', socketUrl: external.api.realtime.url });
  const resources = templateOf(external.console).json.Resources;
  expect(Object.values(resources).filter((r) => r.Type.startsWith('AWS::Cognito::'))).toEqual([]);
  const csp = Object.values(resources).find((r) => r.Type === 'AWS::CloudFront::ResponseHeadersPolicy')!.Properties!;
  const config = (csp.ResponseHeadersPolicyConfig as Json).SecurityHeadersConfig as Json;
  const rendered = render((config.ContentSecurityPolicy as Json).ContentSecurityPolicy, apiOutputs(external));
  expect(rendered.replace(` ${socketOrigin(external)}`, '')).toBe(CONSOLE_SECURITY_HEADERS['content-security-policy']);
}, 180_000);

test("with the console's client at an external issuer, config.json names it and the CSP allows that issuer's token endpoint", () => {
  const oidc = {
    clientId: 'console-client',
    authorizeUrl: 'https://issuer.example.com/oauth2/authorize',
    tokenUrl: 'https://login.example.com/oauth2/token',
    logoutUrl: 'https://issuer.example.com/logout',
  };
  const auth = { jwtIssuer: 'https://issuer.example.com/', jwtAudience: 'console-client' };
  const external = createApp({ context: NO_BUNDLING, settings: testSettings({ auth, console: { oidc } }), nag: false });
  expect(external.console.config).toEqual({
    auth: 'oidc',
    ...oidc,
    logoutRedirectParam: 'post_logout_redirect_uri',
    scope: 'openid email',
    socketUrl: external.api.realtime.url,
  });
  const resources = templateOf(external.console).json.Resources;
  const policy = Object.values(resources).find((r) => r.Type === 'AWS::CloudFront::ResponseHeadersPolicy')!.Properties!;
  const csp = ((policy.ResponseHeadersPolicyConfig as Json).SecurityHeadersConfig as Json).ContentSecurityPolicy as Json;
  expect(render(csp.ContentSecurityPolicy, apiOutputs(external))).toContain(`connect-src 'self' https://login.example.com ${socketOrigin(external)};`);
  // With the stack's own pool the console has its own client: an external one is a configuration mistake.
  expect(() => createApp({ context: NO_BUNDLING, settings: testSettings({ console: { oidc } }), nag: false })).toThrow(
    /console.oidc is for an external issuer/,
  );
}, 180_000);
