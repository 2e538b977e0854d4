import { runApiThroughput } from './api-throughput';
import { runBacktestReads } from './backtest-reads';
import { runBundles } from './bundles';
import { runDataLinks } from './data-links';

/** `npm run bench`: runs every benchmark and prints its figures (nothing is asserted). */
const benchmarks: [string, () => Promise<void>][] = [
  ['api-throughput', runApiThroughput],
  ['backtest-reads', runBacktestReads],
  ['bundles', runBundles],
  ['data-links', runDataLinks],
  ['data-push', (await import('./data-push')).runDataPush],
  ['job-start', (await import('./job-start')).runJobStart],
  ['live', (await import('./live')).runLive],
  ['optimizations', (await import('./optimizations')).runOptimizations],
  ['project-push', (await import('./project-push')).runProjectPush],
  ['migrate', (await import('./migrate')).runMigrate],
  ['backup', (await import('./backup')).runBackup],
];

const only = process.argv[2];
for (const [name, run] of benchmarks) {
  if (only && only !== name) continue;
  console.log(`\n== ${name} ==`);
  await run();
}
process.exit(0);
