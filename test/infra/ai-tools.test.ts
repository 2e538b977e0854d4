import type { LcsApp } from '../../lib/app';
import { buildApp, envOf, policyOf, render, templateOf } from './fixture';

/**
 * AI tools in AWS: off by default; with `ai.modelId` only the model-backed routes may call Amazon
 * Bedrock, with bedrock:InvokeModel on that one foundation model (least privilege).
 */
const MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';
let enabled: LcsApp;
let disabled: LcsApp;

beforeAll(() => {
  enabled = buildApp({ ai: { modelId: MODEL } });
  disabled = buildApp();
}, 180_000);

const fnOf = (lcs: LcsApp, path: string) => {
  const stack = lcs.api.groups.get('ai');
  if (!stack) throw new Error('no ai group stack');
  return { stack, fn: stack.functions.get(path)! };
};

test('with a model: the model-backed tools may invoke exactly that model and know its id', () => {
  for (const path of ['ai/tools/backtest-init', 'ai/tools/complete', 'ai/tools/error-enhance', 'ai/tools/search']) {
    const { stack, fn } = fnOf(enabled, path);
    const template = templateOf(stack).json;
    const policy = render(policyOf(template, fn));
    expect(policy).toContain('"Action":"bedrock:InvokeModel"');
    expect(policy).toContain(`":bedrock:",{"Ref":"AWS::Region"},"::foundation-model/${MODEL}"`);
    expect(policy).not.toMatch(/bedrock:\*|foundation-model\/\*/);
    expect(envOf(template, fn).LCS_AI_MODEL_ID).toBe(MODEL);
  }
  const { stack, fn } = fnOf(enabled, 'ai/tools/syntax-check');
  expect(render(policyOf(templateOf(stack).json, fn))).not.toContain('bedrock');
});

test('without a model no function may call Bedrock', () => {
  const { stack, fn } = fnOf(disabled, 'ai/tools/complete');
  const template = templateOf(stack).json;
  expect(render(policyOf(template, fn))).not.toContain('bedrock');
  expect(envOf(template, fn).LCS_AI_MODEL_ID).toBeUndefined();
});
