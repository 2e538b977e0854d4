// Records when LEAN is started (one line of epoch ms in LCS_BENCH_MARKER), then runs the fake LEAN
// in this same process, so the mark is the moment the runner's LEAN command began.
import { appendFileSync } from 'node:fs';

appendFileSync(process.env.LCS_BENCH_MARKER, `${Date.now()}\n`);
await import('../test/support/fake-lean/fake-lean.mjs');
