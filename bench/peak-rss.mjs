// Preloaded into an `lcs` process by bench/backup.ts: writes the process's peak resident set
// (process.resourceUsage().maxRSS, in KB) to LCS_BENCH_RSS_FILE when it exits.
import { writeFileSync } from 'node:fs';

process.on('exit', () => writeFileSync(process.env.LCS_BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)));
