/** Latency sampling shared by the benchmarks. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/**
 * Runs `run` n times one after another; p50, p99 and mean in milliseconds. `check`, when given,
 * gets each result after its time is taken (work that must happen but is not what is measured).
 */
export async function timeEach<T>(n: number, run: () => Promise<T>, check?: (result: T) => void) {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    const result = await run();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    check?.(result);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), mean: samples.reduce((a, b) => a + b, 0) / samples.length };
}
