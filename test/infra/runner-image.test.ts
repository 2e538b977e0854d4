import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { projectRoot } from '../../lib/constructs/bundling';

/**
 * The runner image (runner/Dockerfile) is built from the repository root cut down by
 * /.dockerignore, and its build stage copies the package files, tsconfig.json, core/ and runner/
 * before bundling runner/main.ts (design §12: the runner imports the core, never lambdas/). So
 * the context must send exactly what the build copies, and the bundle may read nothing else.
 */
const root = projectRoot();
const dockerfile = readFileSync(join(root, 'runner', 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(join(root, '.dockerignore'), 'utf8');
/** Entry points of the other programs: none of them may end up in the runner. */
const OTHER_PROGRAMS = ['lambdas', 'local', 'cli', 'lib', 'bin'];

const clean = (path: string) => path.replace(/^\.\//, '').replace(/\/$/, '');

/** The sources of the build stage's COPY instructions (not the `--from=` copies between stages). */
function copiedSources(): string[] {
  const instructions = dockerfile.replace(/\\\n/g, ' ').split('\n');
  const sources: string[] = [];
  for (const line of instructions) {
    const words = line.trim().split(/\s+/);
    if (words[0] !== 'COPY' || words.some((w) => w.startsWith('--from='))) continue;
    sources.push(
      ...words
        .slice(1, -1)
        .filter((w) => !w.startsWith('--'))
        .map(clean),
    );
  }
  return sources;
}

/** The .dockerignore rules, comments and blank lines left out. */
const ignoreRules = () =>
  dockerignore
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

test('.dockerignore leaves out everything, then lets in exactly what the build stage copies: no lambdas/', () => {
  const rules = ignoreRules();
  expect(rules[0]).toBe('*');
  const letIn = rules.filter((r) => r.startsWith('!')).map((r) => clean(r.slice(1)));
  const copied = copiedSources();
  expect(copied.sort()).toEqual(['core', 'package-lock.json', 'package.json', 'runner', 'tsconfig.json']);
  expect(letIn.sort()).toEqual(copied);
  for (const name of OTHER_PROGRAMS) expect(letIn).not.toContain(name);
});

test('the image bundles runner/main.ts', () => {
  expect(dockerfile).toMatch(/RUN npx esbuild runner\/main\.ts --bundle /);
});

test('runner/main.ts bundles from core/, runner/ and packages only: nothing under lambdas/, local/, cli/, lib/ or bin/', async () => {
  // The Dockerfile's bundling, minus minifying and source maps (they do not change what is read).
  const result = await build({
    entryPoints: ['runner/main.ts'],
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    mainFields: ['module', 'main'],
    outfile: join('/tmp', 'runner.mjs'),
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  expect(result.errors).toEqual([]);
  // node_modules may be a link to another checkout, so package paths can start with `../`.
  const sources = Object.keys(result.metafile.inputs).filter((path) => !/(^|\/)node_modules\//.test(path));
  expect(sources).toContain('runner/main.ts');
  expect(sources.filter((path) => OTHER_PROGRAMS.includes(path.split('/')[0]!))).toEqual([]);
  const copied = copiedSources();
  expect(sources.filter((path) => !copied.some((source) => path.startsWith(`${source}/`)))).toEqual([]);
}, 60_000);
