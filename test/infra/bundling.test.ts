import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';
import { BUNDLE_FILE, ESM_REQUIRE_BANNER, EXTERNAL_MODULES, esbuildOptions, projectRoot } from '../../lib/constructs/bundling';

/** THE esbuild configuration, and what it produces for real entries. */
describe('esbuildOptions', () => {
  test('ESM for Node 22, minified, tree-shaken, linked source maps, only the AWS SDK external', () => {
    const options = esbuildOptions('lambdas/api/system/health.handler.ts');
    expect(options).toMatchObject({
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'esm',
      minify: true,
      treeShaking: true,
      sourcemap: 'linked',
      external: ['@aws-sdk/*'],
      banner: { js: ESM_REQUIRE_BANNER },
    });
    expect(EXTERNAL_MODULES).toEqual(['@aws-sdk/*']);
    expect(BUNDLE_FILE).toBe('index.mjs');
  });

  test.each(['lambdas/api/projects/update-project.handler.ts', 'lambdas/auth/authorizer.handler.ts'])(
    '%s bundles; it imports nothing but the AWS SDK and Node built-ins',
    async (entry) => {
      const result = await build({ ...esbuildOptions(entry), absWorkingDir: projectRoot(), outfile: join('/tmp', BUNDLE_FILE), write: false, metafile: true });
      expect(result.errors).toEqual([]);
      const output = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('.mjs'))![1];
      const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
      const external = [...new Set(output.imports.filter((i) => i.external).map((i) => i.path))];
      expect(external.filter((path) => !path.startsWith('@aws-sdk/') && !builtins.has(path))).toEqual([]);
      expect(output.exports).toContain('handler');
    },
    30_000,
  );
});
