// Builds the web console (console/) with Vite into console/dist, which local mode serves at `/`.
// `npm start` runs it first: it builds only when the output is missing or older than a source
// file (console/src, console/index.html, this script, the pinned package versions), so a start
// with an up-to-date build costs a few file stats. `--force` always builds.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const consoleDir = join(root, 'console');
export const consoleOutDir = join(consoleDir, 'dist');
const stamp = join(consoleOutDir, 'index.html');

function newestSource(path) {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestSource(join(path, name))));
}

/** True when console/dist is missing or older than anything it is built from. */
export function consoleBuildIsStale() {
  if (!existsSync(stamp)) return true;
  const inputs = [
    join(consoleDir, 'src'),
    join(consoleDir, 'index.html'),
    join(consoleDir, 'tsconfig.json'),
    fileURLToPath(import.meta.url),
    join(root, 'package-lock.json'),
  ];
  return Math.max(...inputs.map(newestSource)) > statSync(stamp).mtimeMs;
}

export async function buildConsole() {
  // Always the production build of the console and its libraries, whatever the caller's NODE_ENV
  // (jest sets `test`, which would pick lightweight-charts' development build: 75 KB gzipped, not 61).
  process.env.NODE_ENV = 'production';
  const { build } = await import('vite');
  await build({
    configFile: false,
    mode: 'production',
    root: consoleDir,
    base: '/',
    logLevel: 'warn',
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: {
      outDir: consoleOutDir,
      emptyOutDir: true,
      target: 'es2022',
      // No inline scripts or data: modules: the Content-Security-Policy allows only 'self'.
      modulePreload: { polyfill: false },
      assetsInlineLimit: 0,
      reportCompressedSize: false,
    },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--force') || consoleBuildIsStale()) {
    const started = Date.now();
    await buildConsole();
    process.stdout.write(`web console built into console/dist in ${Date.now() - started} ms\n`);
  }
}
