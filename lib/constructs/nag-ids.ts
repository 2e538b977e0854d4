import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * How cdk-nag prints a value in a finding id: intrinsics as `<Logical.Attr>` / `<Ref>`, joins
 * concatenated, anything else (a cross-stack `Fn::GetStackOutput`) as JSON.
 */
export function nagText(scope: IConstruct, value: unknown): string {
  return flatten(Stack.of(scope).resolve(value));
}

function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Record<string, unknown>;
  if (Array.isArray(node['Fn::GetAtt'])) return `<${(node['Fn::GetAtt'] as string[]).join('.')}>`;
  if (typeof node.Ref === 'string') return `<${node.Ref}>`;
  if (Array.isArray(node['Fn::Join'])) {
    const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
    return items.map(flatten).join(delimiter);
  }
  return JSON.stringify(value);
}

/**
 * Acknowledges cdk-nag's IAM5 finding for exactly these resource patterns (`<bucket ARN>/*`…)
 * on `scope`, and for no other wildcard. The finding ids are computed at validation, after
 * CloudFormation references are resolved: a value from another stack only then takes the form
 * cdk-nag prints (`Fn::GetStackOutput`), so an id computed at construction would not match.
 */
export function acknowledgeWildcardResources(scope: IConstruct, resources: readonly string[], reason: string): void {
  scope.node.addValidation({
    validate: () => {
      for (const resource of resources) Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${nagText(scope, resource)}]`, reason });
      return [];
    },
  });
}
