/**
 * Runs the zip worker on one recorded job in a process of its own (test/integration/object-zip.test.ts
 * starts it with a small V8 heap), and prints what it measured as one JSON line: the outcome, the
 * time (wall and CPU), and the growth of the process's peak resident memory while the zip was built.
 */
import { objectStoreRepository } from '../../core/data/objects/object-store-repository';
import { buildZip } from '../../core/domain/objects/object-download';

const [orgId, jobId] = process.argv.slice(2) as [string, string];
// Load the SDKs and open the clients first: the baseline is a worker ready to work.
await import('@aws-sdk/lib-storage');
await objectStoreRepository.head(orgId, 'warm-up');
await objectStoreRepository.getJob(orgId, jobId);
(globalThis as { gc?: () => void }).gc?.();
const baseline = process.resourceUsage().maxRSS * 1024;
let peakHeap = 0;
let peakArrayBuffers = 0;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakHeap = Math.max(peakHeap, m.heapUsed);
  peakArrayBuffers = Math.max(peakArrayBuffers, m.arrayBuffers);
}, 10);
const cpuBefore = process.cpuUsage();
const started = performance.now();
const outcome = await buildZip({ kind: 'object-zip', orgId, jobId }, { lastAttempt: true });
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
clearInterval(sampler);
const peak = process.resourceUsage().maxRSS * 1024;
process.stdout.write(
  `${JSON.stringify({ outcome, seconds, cpuSeconds, baselineRss: baseline, peakRss: peak, rssGrowth: peak - baseline, peakHeap, peakArrayBuffers })}\n`,
);
