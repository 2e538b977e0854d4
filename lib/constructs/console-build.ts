import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { projectRoot } from './bundling';

/** The web console's build output (scripts/build-console.mjs), as the console stack deploys it. */
export interface ConsoleBuild {
  /** index.html's text. */
  indexHtml: string;
  /** The folder of hashed scripts and styles; absent when the console is not built and this synthesis bundles nothing. */
  assetsDir?: string;
}

const PLACEHOLDER = '<!doctype html><title>Lean Cloud Server</title><p>The web console was not built for this synthesis.</p>\n';

/**
 * Reads console/dist, building it first when the stack is bundled (`cdk synth` and `cdk deploy`):
 * the build script rebuilds only when the output is missing or older than its sources, offline,
 * with the Vite of node_modules, so a fresh clone synthesises the console it deploys. A synthesis
 * that bundles nothing (the infra tests, `aws:cdk:bundling-stacks: []`) builds nothing: it takes
 * console/dist when present and a placeholder page otherwise, and is never deployed.
 */
export function consoleBuild(stack: Stack): ConsoleBuild {
  const root = projectRoot();
  const dist = join(root, 'console', 'dist');
  if (stack.bundlingRequired) {
    const built = spawnSync(process.execPath, [join(root, 'scripts', 'build-console.mjs')], { cwd: root, encoding: 'utf8' });
    if (built.status !== 0) {
      throw new Error(
        `The web console could not be built for the console stack (node scripts/build-console.mjs exited with ${built.status ?? built.signal}): ${built.stderr || built.stdout || built.error?.message}. Run \`npm ci\` and \`npm run build:console\`, then synthesise again.`,
      );
    }
  }
  const index = join(dist, 'index.html');
  if (!existsSync(index)) return { indexHtml: PLACEHOLDER };
  return { indexHtml: readFileSync(index, 'utf8'), assetsDir: join(dist, 'assets') };
}
