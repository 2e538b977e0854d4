import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { BundlingOptions, ILocalBundling } from 'aws-cdk-lib';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { type BuildOptions, buildSync } from 'esbuild';

/**
 * THE esbuild configuration of every Lambda function (design §12, style §6.4). The house function
 * construct bundles with exactly `esbuildOptions(entry)`, and the bundle-size benchmark imports the
 * same function, so what is measured is what is deployed.
 *
 * Choices:
 * - `format: 'esm'` (output `index.mjs`): the ESM builds of our dependencies (zod, Powertools,
 *   aws-jwt-verify, middy 7, which ships ESM only) are picked through `mainFields`/the `import`
 *   condition and tree-shake best, and top-level await stays available for cold-start work. The
 *   nodejs22.x runtime resolves bare ESM imports through NODE_PATH, so the AWS SDK of the layer
 *   is importable from an ES module. CommonJS dependencies bundled into ESM still call `require()`
 *   for Node built-ins (busboy, qs), which esbuild cannot turn into imports: the banner defines a
 *   real `require` with `createRequire`. Measured: ESM and CJS bundles differ by < 1 KB.
 * - `minify` + `keepNames`: smaller bundles, but error classes keep their names (`AppError`
 *   subclasses set `this.name = new.target.name`, which logs and tests read).
 * - `sourcemap: 'linked'` without sources content: stack traces map back to TypeScript when
 *   NODE_OPTIONS has --enable-source-maps (set by the function construct); the map stays small.
 * - `external: ['@aws-sdk/*']` only: the AWS SDK comes from the SDK layer every function has
 *   (./sdk-layer.ts: our pinned versions, resolved through NODE_PATH before the runtime's own
 *   copy); bundled, it would add 420-780 KB to each function. Everything else is bundled.
 * - No `metafile`/`write` here: callers add what they need (the benchmark asks for a metafile).
 */
export const LAMBDA_RUNTIME_TARGET = 'node22';

/** Node built-ins required by bundled CommonJS code resolve through this real `require`. */
export const ESM_REQUIRE_BANNER = "import { createRequire as __lcsCreateRequire } from 'node:module'; const require = __lcsCreateRequire(import.meta.url);";

/** Provided by the SDK layer (./sdk-layer.ts), never bundled. */
export const EXTERNAL_MODULES = ['@aws-sdk/*'];

/** The output file name inside the asset; the handler is `index.handler`. */
export const BUNDLE_FILE = 'index.mjs';

export function esbuildOptions(entry: string): BuildOptions {
  return {
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: LAMBDA_RUNTIME_TARGET,
    format: 'esm',
    outExtension: { '.js': '.mjs' },
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    external: [...EXTERNAL_MODULES],
    // qs's side-channel with its engine fallbacks, replaced by the native WeakMap/Map it picks on Node 22.
    alias: { 'side-channel': './lambdas/api/side-channel.cjs' },
    minify: true,
    keepNames: true,
    treeShaking: true,
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'warning',
  };
}

/**
 * The whole build of one function's asset: THE options, resolved from the project root, written to
 * `outputDir/index.mjs`. CDK's local bundling runs it; so does the test that loads every bundle
 * in a Lambda-like folder (test/integration/lambda-bundles.test.ts).
 */
export function assetBuildOptions(entry: string, outputDir: string, root = projectRoot()): BuildOptions {
  return { ...esbuildOptions(entry), absWorkingDir: root, outfile: join(outputDir, BUNDLE_FILE) };
}

/**
 * Many functions' assets in one esbuild run (`outputDirs` maps a folder under `outdir` to an entry):
 * the same options, and each output is byte-identical to its assetBuildOptions build (the bundle
 * test checks one), but shared files are parsed once: 80 bundles in 20 s instead of 160 s.
 */
export function batchBuildOptions(outputDirs: Record<string, string>, outdir: string, root = projectRoot()): BuildOptions {
  const entryPoints = Object.fromEntries(Object.entries(outputDirs).map(([dir, entry]) => [join(dir, BUNDLE_FILE.replace(/\.mjs$/, '')), entry]));
  return { ...esbuildOptions(''), entryPoints, absWorkingDir: root, outdir };
}

/** The repository root: the folder holding the route table (the CDK app and jest both run from it). */
export function projectRoot(start = process.cwd()): string {
  let dir = resolve(start);
  while (!existsSync(join(dir, 'lambdas', 'api', 'routes', 'index.ts'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`Cannot find the project root (lambdas/api/routes/index.ts) above ${start}`);
    dir = parent;
  }
  return dir;
}

/**
 * Bundles one entry in-process with the esbuild API. The entry is a field so that, when bundling
 * is skipped (`aws:cdk:bundling-stacks`), the asset's stand-in hash still differs per function.
 */
class EsbuildLocalBundler implements ILocalBundling {
  readonly #root: string;

  constructor(
    readonly entry: string,
    root: string,
  ) {
    this.#root = root;
  }

  tryBundle(outputDir: string): boolean {
    buildSync(assetBuildOptions(this.entry, outputDir, this.#root));
    return true;
  }
}

/**
 * Lambda code for a TypeScript entry file (relative to the project root, or absolute). The asset is
 * hashed on the bundle output, so unchanged code is not re-uploaded. Bundling is always local
 * (esbuild is a dev dependency); the Docker image is never used.
 */
export function bundledCode(entry: string, root = projectRoot()): Code {
  const absolute = resolve(root, entry);
  if (!existsSync(absolute)) throw new Error(`Lambda entry ${relative(root, absolute)} does not exist`);
  const bundling: BundlingOptions = {
    image: DockerImage.fromRegistry('local-esbuild-only'),
    local: new EsbuildLocalBundler(relative(root, absolute), root),
  };
  return Code.fromAsset(root, { assetHashType: AssetHashType.OUTPUT, bundling });
}
