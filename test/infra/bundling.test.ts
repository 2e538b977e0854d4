import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { build } from 'esbuild';
import { ApiFunction } from '../../lib/constructs/api-function';
import { BUNDLE_FILE, ESM_REQUIRE_BANNER, EXTERNAL_MODULES, esbuildOptions, projectRoot } from '../../lib/constructs/bundling';
import { sdkLayerPackages, sdkRootPackages } from '../../lib/constructs/sdk-layer';
import { buildApp, type CfnTemplate, propsOf, templateOf } from './fixture';

/** THE esbuild configuration, and what it produces for real entries. */
describe('esbuildOptions', () => {
  test('ESM for Node 22, minified, tree-shaken, linked source maps, only the AWS SDK external (it is in the SDK layer)', () => {
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

/** The AWS SDK layer (lib/constructs/sdk-layer.ts): pinned SDK versions instead of the runtime's. */
describe('SDK layer', () => {
  test('holds every @aws-sdk package of package.json, the ones issue 18 found missing from the runtime, and their closure', () => {
    const packages = sdkLayerPackages();
    expect(packages).toEqual(expect.arrayContaining([...sdkRootPackages(), '@smithy/core', 'tslib']));
    expect(packages).toEqual(
      expect.arrayContaining(
        ['lib-dynamodb', 'lib-storage', 's3-request-presigner', 'client-api-gateway', 'client-secrets-manager'].map((p) => `@aws-sdk/${p}`),
      ),
    );
  });

  test('every function of every stack has its stack SDK layer (nodejs22.x, arm64) and no other', () => {
    const lcs = buildApp();
    const functions = lcs.app.node.findAll().filter((c): c is ApiFunction => c instanceof ApiFunction);
    expect(functions.length).toBeGreaterThan(80);
    const templates = new Map<Stack, CfnTemplate>();
    for (const fn of functions) {
      const stack = Stack.of(fn);
      if (!templates.has(stack)) templates.set(stack, templateOf(stack).json);
      const template = templates.get(stack)!;
      const layers = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::LayerVersion');
      expect(layers).toHaveLength(1);
      const [layerId, layer] = layers[0]!;
      expect(layer.Properties).toMatchObject({ CompatibleRuntimes: ['nodejs22.x'], CompatibleArchitectures: ['arm64'] });
      expect(propsOf(template, fn.function).Layers).toEqual([{ Ref: layerId }]);
    }
  });
});
