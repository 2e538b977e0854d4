import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { Binding } from '../core/shared/config';
import { routes } from '../lambdas/api/routes';
import { esbuildOptions, projectRoot } from '../lib/constructs/bundling';

/**
 * Size of every Lambda bundle (the deployed esbuild options, with a metafile) and the module init
 * time of each: a fresh Node process importing the bundle, as a cold start does before the first
 * event. Beside it, the bundle's own share: the same import in a process that has already loaded
 * the AWS SDK packages the bundle imports at its top (the runtime provides them, but loading them
 * is part of every cold start). Targets (issue 5): ≤ 200 KB minified, init ≤ 100 ms. Prints
 * figures; asserts nothing.
 */
const RUNS = Number(process.env.BENCH_INIT_RUNS ?? 3);

function functions(root: string): { name: string; entry: string }[] {
  return [
    ...routes.map((r) => ({ name: r.path, entry: join(root, 'lambdas', 'api', `${r.entry}.handler.ts`) })),
    { name: '(authorizer)', entry: join(root, 'lambdas', 'auth', 'authorizer.handler.ts') },
    { name: '(first-admin)', entry: join(root, 'lambdas', 'custom-resources', 'first-admin.handler.ts') },
    { name: '(syntax-check)', entry: join(root, 'lambdas', 'workers', 'syntax-check.handler.ts') },
  ];
}

/**
 * What a deployed function is given: handlers fail their cold start without the resources they declare. Typed as
 * every Binding, so a binding added to the core without one here fails tsc instead of the bench's first import.
 */
const BINDINGS: Record<Binding, string> & { AWS_REGION: string } = {
  AWS_REGION: 'us-east-1',
  TABLE_NAME: 'lcs-bench',
  ARTIFACTS_BUCKET_NAME: 'lcs-bench-artifacts',
  DATA_BUCKET_NAME: 'lcs-bench-data',
  OBJECTS_BUCKET_NAME: 'lcs-bench-objects',
  JOBS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/lcs-bench-jobs',
  SYNTAX_CHECK_FUNCTION_NAME: 'lcs-bench-syntax-check',
  OBJECT_ZIP_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/lcs-bench-object-zips',
};

/** Milliseconds a fresh process takes to import `file` after importing `preloaded`, median of RUNS. */
function importMs(file: string, preloaded: string[] = []): number {
  const preload = preloaded.map((s) => `await import(${JSON.stringify(s)});`).join(' ');
  const script = `${preload} const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  const samples = Array.from({ length: RUNS }, () =>
    Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, ...BINDINGS } })),
  ).sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? Number.NaN;
}

export async function runBundles(): Promise<void> {
  const root = projectRoot();
  // Inside the project, so @aws-sdk/* resolve from node_modules as from the SDK layer on Lambda.
  const out = join(root, 'bench', '.out');
  rmSync(out, { recursive: true, force: true });
  const rows: { function: string; 'KB minified': number; 'init ms': number; 'own ms': number; largest: string }[] = [];
  for (const fn of functions(root)) {
    const dir = join(out, fn.name.replace(/[^a-z0-9]+/gi, '-'));
    mkdirSync(dir, { recursive: true });
    const outfile = join(dir, 'index.mjs');
    const result = await build({ ...esbuildOptions(fn.entry), absWorkingDir: root, outfile, metafile: true });
    const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint);
    const inputs = output?.inputs ?? {};
    const sdk = [
      ...new Set((output?.imports ?? []).filter((i) => i.external && i.kind === 'import-statement' && i.path.startsWith('@aws-sdk/')).map((i) => i.path)),
    ];
    const byPackage = new Map<string, number>();
    for (const [path, info] of Object.entries(inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? '(project code)';
      byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + info.bytesInOutput);
    }
    const largest = [...byPackage.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
    rows.push({
      function: fn.name,
      'KB minified': Math.round(statSync(outfile).size / 102.4) / 10,
      'init ms': Math.round(importMs(outfile) * 10) / 10,
      'own ms': Math.round(importMs(outfile, sdk) * 10) / 10,
      largest: largest.map(([p, b]) => `${p} ${Math.round(b / 1024)}K`).join(', '),
    });
  }
  rows.sort((a, b) => b['KB minified'] - a['KB minified']);
  console.log(
    `\nLambda bundles (esbuild, deployed options; @aws-sdk/* from the SDK layer), init = median of ${RUNS} cold imports, own = the same after its AWS SDK imports`,
  );
  console.table(rows);
  const maxKb = Math.max(...rows.map((r) => r['KB minified']));
  const maxInit = Math.max(...rows.map((r) => r['init ms']));
  const maxOwn = Math.max(...rows.map((r) => r['own ms']));
  console.log(`Largest bundle ${maxKb} KB (target ≤ 200 KB); slowest init ${maxInit} ms (target ≤ 100 ms), of which the bundle's own at most ${maxOwn} ms.`);
  rmSync(out, { recursive: true, force: true });
}
