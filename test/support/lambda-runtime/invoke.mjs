import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/**
 * `node --import ./node-path.mjs invoke.mjs <plan.json> <results.json>`: for each function of the
 * plan, imports its bundle (a failure here is Lambda's Runtime.ImportModuleError), calls its
 * handler with the plan's sample event, then imports every package the bundle leaves external
 * (the SDK packages it loads lazily, on first use) from this folder, which has no node_modules:
 * they resolve through NODE_PATH only. Results go to a file; the handlers log to stdout.
 */
const [planFile, resultsFile] = process.argv.slice(2);
const plan = JSON.parse(readFileSync(planFile, 'utf8'));

const context = (name, n) => ({
  functionName: name,
  functionVersion: '$LATEST',
  awsRequestId: `bundle-test-${n}`,
  memoryLimitInMB: '256',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 29_000,
});

const describe = (err) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

const results = [];
for (const [n, fn] of plan.entries()) {
  const row = { name: fn.name };
  try {
    const module = await import(pathToFileURL(fn.file).href);
    try {
      row.result = (await module.handler(fn.event, context(fn.name, n))) ?? null;
    } catch (err) {
      row.invokeError = describe(err);
    }
  } catch (err) {
    row.loadError = describe(err);
  }
  row.missing = [];
  for (const specifier of fn.externals) {
    try {
      await import(specifier);
    } catch (err) {
      row.missing.push(`${specifier}: ${describe(err)}`);
    }
  }
  results.push(row);
}
writeFileSync(resultsFile, JSON.stringify(results));
