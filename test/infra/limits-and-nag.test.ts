import { NestedStack, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { createApp, type LcsApp } from '../../lib/app';
import { NO_BUNDLING, templateOf, testSettings } from './fixture';

/** Stack sizes, the no-NAT rule, and cdk-nag AwsSolutions with every finding fixed or acknowledged. */
function stacksOf(lcs: LcsApp): Stack[] {
  return lcs.app.node.findAll().filter((c): c is Stack => Stack.isStack(c));
}

const variants: [string, Record<string, unknown>][] = [
  ['prod', {}],
  ['dev', { environment: 'dev' }],
  ['external JWT issuer', { auth: { jwtIssuer: 'https://issuer.example.com/' } }],
  ['live email and SMS', { live: { notifications: { emailFrom: 'alerts@example.com', sms: true } } }],
];

describe.each(variants)('%s', (_name, overrides) => {
  let lcs: LcsApp;
  beforeAll(() => {
    lcs = createApp({ context: NO_BUNDLING, settings: testSettings(overrides), nag: true });
  }, 120_000);

  test('synthesises with the AwsSolutions plugin registered (it fails synthesis on any unacknowledged finding)', () => {
    expect(() => lcs.app.synth()).not.toThrow();
  });

  test('AwsSolutions: no unacknowledged errors or warnings', () => {
    lcs.app.synth();
    const report = new AwsSolutionsChecks().validateScope(lcs.app);
    const findings = report.violations.map((v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
  });

  test('every acknowledgement carries a reason', () => {
    const acknowledgements: string[] = [];
    const visit = (node: IConstruct) => {
      for (const entry of node.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          acknowledgements.push(id);
          expect(typeof reason === 'string' && reason.length > 30).toBe(true);
        }
      }
      node.node.children.forEach(visit);
    };
    visit(lcs.app);
    expect(acknowledgements.length).toBeGreaterThan(0);
  });

  test('no stack, root or nested, over 400 resources', () => {
    const counts = Object.fromEntries(stacksOf(lcs).map((s) => [s.node.path, Object.keys(templateOf(s).json.Resources).length]));
    expect(Object.keys(counts).length).toBe(5 + lcs.api.groups.size); // stateful, jobs, api + its groups, monitoring, console
    for (const count of Object.values(counts)) expect(count).toBeLessThanOrEqual(400);
    expect(stacksOf(lcs).filter((s) => NestedStack.isNestedStack(s))).toHaveLength(lcs.api.groups.size);
  });

  test('no NAT gateway (or interface endpoint) anywhere', () => {
    for (const stack of stacksOf(lcs)) {
      const types = Object.values(templateOf(stack).json.Resources).map((r) => r.Type);
      expect(types).not.toContain('AWS::EC2::NatGateway');
      expect(types).not.toContain('AWS::EC2::VPCEndpoint');
    }
  });
});
