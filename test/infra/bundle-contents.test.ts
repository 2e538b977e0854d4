import { join } from 'node:path';
import { build } from 'esbuild';
import { esbuildOptions, projectRoot } from '../../lib/constructs/bundling';

/**
 * What the deployed bundles carry (issue 11): the Python grammar only in the syntax-check
 * function, the result store and chart levels only where a route reads or deletes results, and
 * the API functions that used to carry them under the 200 KB target.
 */
async function bundle(entry: string): Promise<{ bytes: number; inputs: string[] }> {
  const result = await build({
    ...esbuildOptions(entry),
    absWorkingDir: projectRoot(),
    outfile: join('/tmp', 'bundle-contents.mjs'),
    write: false,
    metafile: true,
  });
  const output = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('.mjs'))![1];
  return {
    bytes: output.bytes,
    inputs: Object.entries(output.inputs)
      .filter(([, i]) => i.bytesInOutput > 0)
      .map(([path]) => path),
  };
}

const LEZER = /node_modules\/@lezer\//;
const KB_200 = 200 * 1024;

test.each(['lambdas/api/backtests/create-compile.handler.ts', 'lambdas/api/ai/syntax-check.handler.ts', 'lambdas/api/ai/complete.handler.ts'])(
  '%s carries no Python grammar and stays within 200 KB',
  async (entry) => {
    const { bytes, inputs } = await bundle(entry);
    expect(inputs.filter((p) => LEZER.test(p) || p.endsWith('python-syntax.ts'))).toEqual([]);
    expect(bytes).toBeLessThanOrEqual(KB_200);
  },
  60_000,
);

test('the syntax-check function carries the grammar, and no table, bucket or queue code', async () => {
  const { inputs } = await bundle('lambdas/workers/syntax-check.handler.ts');
  expect(inputs.some((p) => LEZER.test(p))).toBe(true);
  expect(inputs.some((p) => p.endsWith('core/domain/compile/python-syntax.ts'))).toBe(true);
  expect(inputs.filter((p) => /core\/data\//.test(p))).toEqual([]);
}, 60_000);

test.each([
  'lambdas/api/backtests/update-backtest.handler.ts',
  'lambdas/api/backtests/update-tags.handler.ts',
  'lambdas/api/backtests/list-backtests.handler.ts',
])(
  '%s carries neither the result store nor chart levels nor the job queue',
  async (entry) => {
    const { inputs } = await bundle(entry);
    expect(inputs.filter((p) => /core\/data\/results\/(result-store|chart-levels)\.ts$|core\/data\/jobs\/job-queue\.ts$/.test(p))).toEqual([]);
  },
  60_000,
);

test('a handler bundles only the AWS adapters of the ports it names', async () => {
  const compile = await bundle('lambdas/api/backtests/create-compile.handler.ts');
  expect(compile.inputs.filter((p) => p.includes('core/aws/'))).toEqual(['core/aws/lambda-syntax-checker.ts']);
  const remove = await bundle('lambdas/api/backtests/delete-backtest.handler.ts');
  expect(remove.inputs.filter((p) => p.includes('core/aws/'))).toEqual(['core/aws/ecs-task-runner.ts']);
}, 60_000);
