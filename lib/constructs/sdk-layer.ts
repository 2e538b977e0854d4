import { cpSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { AssetHashType, type BundlingOptions, DockerImage, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Architecture, Code, type ILayerVersion, LayerVersion, Runtime } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { projectRoot } from './bundling';

/**
 * The AWS SDK layer: every function's `@aws-sdk/*` imports (kept out of the bundles by
 * EXTERNAL_MODULES) resolve to the versions package-lock.json pins, never to the SDK the Lambda
 * runtime happens to ship.
 *
 * Why a layer (issue 18, measured in docs/operations.md "AWS SDK"): the nodejs22.x runtime
 * documents "the AWS SDK for JavaScript v3" but neither which packages (lib-dynamodb, lib-storage,
 * s3-request-presigner are not clients) nor which version, and AWS updates it under a deployed
 * function. Bundling the SDK instead adds 420-780 KB to every function (the 200 KB target) and
 * bundling only the non-client packages would mix their @smithy/* copies with the runtime's.
 * The Lambda runtime puts /opt/nodejs/node_modules on NODE_PATH before its own
 * /var/runtime/node_modules, for ES modules too, so the layer wins for every package it holds;
 * it holds the whole dependency closure, so nothing falls through to the runtime's copy.
 *
 * Contents: the production dependency closure (dependencies, peer and optional dependencies) of
 * every `@aws-sdk/*` package in package.json, copied from node_modules with the same nesting,
 * without the ES module builds, type declarations, source maps and docs (about 6 MB, 1.2 MB zipped).
 */

/** Where a Node.js layer's packages go inside the layer zip (on NODE_PATH as /opt/nodejs/node_modules). */
export const LAYER_MODULES_DIR = join('nodejs', 'node_modules');

interface PackageJson {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function readPackage(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/** The folder Node would load `name` from when required inside `fromDir` (no further up than `root`). */
function packageDir(name: string, fromDir: string, root: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root) return undefined;
    dir = dirname(dir);
  }
}

/** The SDK packages the project depends on directly: the roots of the layer. */
export function sdkRootPackages(root = projectRoot()): string[] {
  return Object.keys(readPackage(root).dependencies ?? {})
    .filter((name) => name.startsWith('@aws-sdk/'))
    .sort();
}

/**
 * Package folders (relative to `root/node_modules`, e.g. `@aws-sdk/lib-storage/node_modules/buffer`)
 * of the layer: the roots and everything they load at run time.
 */
export function sdkLayerPackages(root = projectRoot()): string[] {
  const found = new Set<string>();
  const pending = sdkRootPackages(root).map((name) => ({ name, fromDir: root, optional: false }));
  for (let next = pending.pop(); next; next = pending.pop()) {
    const dir = packageDir(next.name, next.fromDir, root);
    if (!dir) {
      // Optional and unmet peer dependencies are legitimately absent; anything else is a broken install.
      if (next.optional) continue;
      throw new Error(`SDK layer: ${next.name} (needed from ${relative(root, next.fromDir) || '.'}) is not installed`);
    }
    if (found.has(dir)) continue;
    found.add(dir);
    const pkg = readPackage(dir);
    for (const name of Object.keys(pkg.dependencies ?? {})) pending.push({ name, fromDir: dir, optional: false });
    for (const name of Object.keys({ ...pkg.peerDependencies, ...pkg.optionalDependencies })) pending.push({ name, fromDir: dir, optional: true });
  }
  const modules = join(root, 'node_modules');
  return [...found].map((dir) => relative(modules, dir)).sort();
}

/** What a package copy leaves out: nothing the runtime loads. */
function runtimeFile(path: string): boolean {
  const name = path.slice(path.lastIndexOf(sep) + 1);
  // Node resolves every package here to its CommonJS build (`main`, or the `node` condition
  // before `import`); dist-es (two thirds of the size) and dist-types are never loaded.
  if (name === 'node_modules' || name === 'dist-types' || name === 'dist-es') return false;
  return !/\.(d\.[cm]?ts|map|md|ts)$/i.test(name);
}

/** Writes the layer's contents into `outputDir` (`nodejs/node_modules/…`); returns the package folders. */
export function writeSdkLayer(outputDir: string, root = projectRoot()): string[] {
  const packages = sdkLayerPackages(root);
  for (const pkg of packages) {
    cpSync(join(root, 'node_modules', pkg), join(outputDir, LAYER_MODULES_DIR, pkg), {
      recursive: true,
      // Nested node_modules are packages of their own, copied (or not) by the closure.
      filter: (source) => source === join(root, 'node_modules', pkg) || runtimeFile(source),
    });
  }
  return packages;
}

/**
 * The stack's SDK layer (one per stack, nested stacks included: a layer version is referenced by
 * ARN, so each stack has its own; they share one asset). Hashed on its output, so it is uploaded
 * and versioned again only when package-lock.json changes the SDK.
 */
export function sdkLayer(scope: Construct): ILayerVersion {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild('SdkLayer');
  if (existing) return existing as LayerVersion;
  const root = projectRoot();
  const bundling: BundlingOptions = {
    image: DockerImage.fromRegistry('local-copy-only'),
    local: {
      tryBundle(outputDir: string): boolean {
        writeSdkLayer(outputDir, root);
        return true;
      },
    },
  };
  return new LayerVersion(stack, 'SdkLayer', {
    code: Code.fromAsset(root, { assetHashType: AssetHashType.OUTPUT, bundling }),
    compatibleRuntimes: [Runtime.NODEJS_22_X],
    compatibleArchitectures: [Architecture.ARM_64],
    description: 'AWS SDK for JavaScript v3 at the versions pinned by package-lock.json',
    removalPolicy: RemovalPolicy.DESTROY,
  });
}
