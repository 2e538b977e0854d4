import { type CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { type CreateAppOptions, createApp, type LcsApp } from '../../lib/app';
import { type Settings, settingsSchema } from '../../lib/config/settings';
import type { ApiFunction } from '../../lib/constructs/api-function';

/**
 * Builds the CDK app the way `cdk synth` does, without bundling (style §6.9), and with explicit
 * settings so a developer's lcs.config.json cannot change the result.
 */
export const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

export function testSettings(overrides: Record<string, unknown> = {}): Settings {
  return settingsSchema.parse({ stage: 'test', ...overrides });
}

export function buildApp(overrides: Record<string, unknown> = {}, options: Omit<CreateAppOptions, 'settings' | 'context'> = {}): LcsApp {
  return createApp({ context: NO_BUNDLING, settings: testSettings(overrides), nag: false, ...options });
}

export type Json = Record<string, unknown>;

export interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties?: Json; DependsOn?: string[]; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;
  Parameters?: Record<string, Json>;
  Outputs?: Record<string, { Value: unknown }>;
}

export function templateOf(stack: Stack): { template: Template; json: CfnTemplate } {
  const template = Template.fromStack(stack);
  return { template, json: template.toJSON() as CfnTemplate };
}

export function logicalId(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(construct as CfnResource);
}

/** The properties of a construct's CloudFormation resource (its L1 child for an L2). */
export function propsOf(template: CfnTemplate, construct: IConstruct): Json {
  const cfn = construct.node.defaultChild ?? construct;
  const resource = template.Resources[logicalId(cfn)];
  if (!resource) throw new Error(`${construct.node.path} is not in this template`);
  return resource.Properties ?? {};
}

/** A house function's environment variables. */
export function envOf(template: CfnTemplate, fn: ApiFunction): Json {
  return (propsOf(template, fn.function).Environment as { Variables: Json }).Variables;
}

/** A house function's role policy document. */
export function policyOf(template: CfnTemplate, fn: ApiFunction): unknown {
  const policy = fn.role.node.tryFindChild('DefaultPolicy');
  if (!policy) throw new Error(`${fn.node.path} has no role policy`);
  return propsOf(template, policy).PolicyDocument;
}

/** Statements of a policy resource's document. */
export function statementsOf(resource: { Properties?: Json }): Json[] {
  const document = resource.Properties?.PolicyDocument as { Statement: Json[] } | undefined;
  if (!document) throw new Error('Not a policy');
  return document.Statement;
}

/** An intrinsic as text, like cdk-nag prints it: `<Logical.Attr>`, `<Param>`, joins concatenated. */
export function render(node: unknown, outputs: Record<string, unknown> = {}): string {
  if (typeof node === 'string') return node;
  if (node === null || typeof node !== 'object') return String(node);
  const value = node as Json;
  if (typeof value.Ref === 'string') return `<${value.Ref}>`;
  if (Array.isArray(value['Fn::GetAtt'])) return `<${(value['Fn::GetAtt'] as string[]).join('.')}>`;
  if (Array.isArray(value['Fn::Join'])) {
    const [delimiter, items] = value['Fn::Join'] as [string, unknown[]];
    return items.map((i) => render(i, outputs)).join(delimiter);
  }
  if (value['Fn::GetStackOutput']) {
    const name = (value['Fn::GetStackOutput'] as { OutputName: string }).OutputName;
    if (!(name in outputs)) throw new Error(`Unknown stack output ${name}`);
    return render(outputs[name], outputs);
  }
  return JSON.stringify(node);
}

export interface Grant {
  action: string;
  resource: string;
  /** The service a KMS grant is restricted to (kms:ViaService), if any, and its encryption context. */
  via?: string;
}

/** `action on resource [via service]` lines of a policy document, with resources named by `labels`. */
export function grantsOf(policyDocument: unknown, labels: Record<string, string>, outputs: Record<string, unknown> = {}): string[] {
  const statements = (policyDocument as { Statement: Json[] }).Statement;
  const lines = new Set<string>();
  for (const statement of statements) {
    expect(statement.Effect).toBe('Allow');
    const actions = ([] as string[]).concat(statement.Action as string | string[]);
    const resources = ([] as unknown[]).concat(statement.Resource);
    const equals = ((statement.Condition as Json | undefined)?.StringEquals as Json | undefined) ?? {};
    const viaRaw = equals['kms:ViaService'];
    // A direct KMS grant limited by encryption context reads `… for purpose=<value>`.
    const contexts = Object.entries(equals)
      .filter(([name]) => name.startsWith('kms:EncryptionContext:'))
      .map(([name, value]) => `${name.slice('kms:EncryptionContext:'.length)}=${String(value)}`);
    const via = (viaRaw === undefined ? '' : ` via ${render(viaRaw).split('.')[0]}`) + (contexts.length ? ` for ${contexts.join(',')}` : '');
    for (const action of actions) {
      for (const resource of resources) {
        let text = render(resource, outputs);
        for (const [raw, label] of Object.entries(labels)) text = text.split(raw).join(label);
        lines.add(`${action} on ${text}${via}`);
      }
    }
  }
  return [...lines].sort();
}
