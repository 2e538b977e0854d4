import { CfnParameter, NestedStack, type NestedStackProps, Validations } from 'aws-cdk-lib';
import {
  AuthorizationType,
  type IAuthorizer,
  type IResource,
  LambdaIntegration,
  type Method,
  type MethodOptions,
  Resource,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { Construct } from 'constructs';
import type { RouteDef, RouteGroup } from '../../lambdas/api/routes/route-types';
import type { Settings } from '../config/settings';
import { ApiFunction, type DataRefs, type JobsRefs, type LiveRefs, type SyntaxCheckRefs, type ZipQueueRefs } from '../constructs/api-function';
import { pascal } from '../naming';

/** Endpoints live under /api/v2/ (QuantConnect's base path, which lean-cli and LEAN append to). */
export const API_BASE_PATH = 'api/v2';

/** Every endpoint answers GET and POST (contract §1: clients use both). */
export const ROUTE_METHODS = ['GET', 'POST'] as const;

export interface ApiGroupStackProps extends NestedStackProps {
  group: RouteGroup;
  routes: readonly RouteDef[];
  settings: Settings;
  restApiId: string;
  rootResourceId: string;
  /** The `/api/v2` resource: route paths are relative to it. */
  v2ResourceId: string;
  /** Resources shared with other groups, created by the parent (path under /api/v2 → id). */
  sharedResources: Readonly<Record<string, string>>;
  authorizer: IAuthorizer;
  /** The stateful resources, in the parent's terms; they enter this stack as named parameters. */
  data: DataRefs;
  /** The jobs queue and cluster, in the parent's terms; named parameters too, if a route uses them. */
  jobs?: JobsRefs;
  /** Live task definitions, network and roles (the jobs stack's), for routes that manage live deployments. */
  live?: LiveRefs;
  /** The syntax-check function (the parent's), for routes that invoke it; named parameters too. */
  syntaxCheck?: SyntaxCheckRefs;
  /** The object/get zip queue, in the parent's terms; named parameters too, if a route sends to it. */
  zips?: ZipQueueRefs;
}

/**
 * One route group's endpoints (design §2: one nested stack per group, so no stack nears the
 * resource limit). Uses CDK's "resources and methods across stacks" pattern: the RestApi is
 * imported by id, resources and methods are added here, and the parent's Deployment depends on
 * this stack. Per route: one house function with the route's declared grants, GET and POST methods
 * with a Lambda proxy integration (no test-invoke permissions), the custom authorizer and a
 * required usage-plan key unless the route is public.
 */
export class ApiGroupStack extends NestedStack {
  readonly group: RouteGroup;
  /** Route path → its function. */
  readonly functions = new Map<string, ApiFunction>();
  /** Route path → its GET and POST methods. */
  readonly methods = new Map<string, Method[]>();

  constructor(scope: Construct, id: string, props: ApiGroupStackProps) {
    const { data } = props;
    // Named parameters instead of CDK's generated ones: ARNs in policies read the same in every
    // group stack (and in the nag acknowledgement below).
    const parameters: Record<string, string> = {
      TableName: data.tableName,
      TableArn: data.tableArn,
      KeyArn: data.keyArn,
    };
    for (const [name, bucket] of Object.entries(data.buckets)) {
      parameters[`${pascal(name)}BucketName`] = bucket.name;
      parameters[`${pascal(name)}BucketArn`] = bucket.arn;
    }
    const usesJobs = props.routes.some((r) => r.access.jobs || r.access.live);
    if (usesJobs && props.jobs) {
      parameters.JobsQueueUrl = props.jobs.queueUrl;
      parameters.JobsQueueArn = props.jobs.queueArn;
      parameters.JobsClusterArn = props.jobs.clusterArn;
      parameters.JobsClusterName = props.jobs.clusterName;
    }
    const usesSyntaxCheck = props.routes.some((r) => r.access.syntaxCheck);
    if (usesSyntaxCheck && props.syntaxCheck) {
      parameters.SyntaxCheckFunctionName = props.syntaxCheck.functionName;
      parameters.SyntaxCheckFunctionArn = props.syntaxCheck.functionArn;
    }
    const usesZips = props.routes.some((r) => r.access.objectZips);
    if (usesZips && props.zips) {
      parameters.ObjectZipQueueUrl = props.zips.queueUrl;
      parameters.ObjectZipQueueArn = props.zips.queueArn;
    }
    super(scope, id, { ...props, parameters: { ...props.parameters, ...parameters } });
    this.group = props.group;

    const param = (name: string) => new CfnParameter(this, name, { type: 'String' }).valueAsString;
    const local: DataRefs = {
      tableName: param('TableName'),
      tableArn: param('TableArn'),
      keyArn: param('KeyArn'),
      buckets: Object.fromEntries(
        Object.keys(data.buckets).map((name) => [name, { name: param(`${pascal(name)}BucketName`), arn: param(`${pascal(name)}BucketArn`) }]),
      ) as DataRefs['buckets'],
    };
    const localJobs: JobsRefs | undefined =
      usesJobs && props.jobs
        ? { queueUrl: param('JobsQueueUrl'), queueArn: param('JobsQueueArn'), clusterArn: param('JobsClusterArn'), clusterName: param('JobsClusterName') }
        : undefined;
    const localSyntaxCheck: SyntaxCheckRefs | undefined =
      usesSyntaxCheck && props.syntaxCheck ? { functionName: param('SyntaxCheckFunctionName'), functionArn: param('SyntaxCheckFunctionArn') } : undefined;
    const localZips: ZipQueueRefs | undefined =
      usesZips && props.zips ? { queueUrl: param('ObjectZipQueueUrl'), queueArn: param('ObjectZipQueueArn') } : undefined;
    for (const name of Object.keys(data.buckets)) {
      Validations.of(this).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${pascal(name)}BucketArn>/*]`,
        reason: `Routes that declare ${name}-bucket access read or write objects under per-organisation key prefixes decided at run time; only object actions (Get/Put/DeleteObject) are granted on <bucket>/*.`,
      });
    }

    // Resources are imported with their full path, so each method's ARN (in its Lambda permission)
    // reads /api/v2/<route>, as API Gateway will invoke it.
    const api = RestApi.fromRestApiAttributes(this, 'RestApi', { restApiId: props.restApiId, rootResourceId: props.rootResourceId });
    const v2 = Resource.fromResourceAttributes(this, 'ApiV2', { restApi: api, resourceId: props.v2ResourceId, path: `/${API_BASE_PATH}` });
    const resources = new Map<string, IResource>([['', v2]]);
    const resourceFor = (path: string): IResource => {
      const known = resources.get(path);
      if (known) return known;
      const shared = props.sharedResources[path];
      const cut = path.lastIndexOf('/');
      const resource = shared
        ? Resource.fromResourceAttributes(this, `Shared${pascal(path)}`, { restApi: api, resourceId: shared, path: `/${API_BASE_PATH}/${path}` })
        : resourceFor(cut < 0 ? '' : path.slice(0, cut)).addResource(path.slice(cut + 1));
      resources.set(path, resource);
      return resource;
    };

    for (const route of props.routes) {
      if (route.group !== props.group) throw new Error(`Route ${route.path} belongs to ${route.group}, not ${props.group}`);
      const id = pascal(route.path);
      const fn = new ApiFunction(this, `${id}Fn`, {
        entry: `lambdas/api/${route.entry}.handler.ts`,
        settings: props.settings,
        description: `${route.path}: ${route.summary}`.slice(0, 256),
      }).bindRouteAccess(route.access, local, localJobs, props.live, localSyntaxCheck, localZips);
      // AI tools are off unless the operator names a Bedrock model; then only those routes may call it.
      if (route.access.bedrock && props.settings.ai.modelId) fn.bindBedrockModel(props.settings.ai.modelId);
      this.functions.set(route.path, fn);

      const integration = new LambdaIntegration(fn.function, { proxy: true, allowTestInvoke: false });
      const options: MethodOptions =
        route.role === 'public'
          ? { authorizationType: AuthorizationType.NONE, apiKeyRequired: false }
          : { authorizationType: AuthorizationType.CUSTOM, authorizer: props.authorizer, apiKeyRequired: true };
      const resource = resourceFor(route.path);
      const methods = ROUTE_METHODS.map((verb) => resource.addMethod(verb, integration, options));
      if (route.role === 'public') {
        for (const method of methods) {
          Validations.of(method).acknowledge({
            id: 'AwsSolutions-APIG4',
            reason: `${route.path} is public by the route table (contract: reachability check, no data, no secrets).`,
          });
        }
      }
      this.methods.set(route.path, methods);
    }
  }
}
