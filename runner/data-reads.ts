/**
 * Data reads LEAN could not make because the API throttled them. LEAN's ApiDataProvider asks
 * `data/read` for a link to every file it lacks; a 429 there is logged and the file is treated as
 * unavailable (Lean:Api/ApiConnection.cs `TryRequest` logs "HTTP Error: 429 …"; Lean:Api/Api.cs
 * `DownloadData` logs "Failed to get link for <path>. Errors: …" and returns false;
 * Lean:Engine/DataFeeds/ApiDataProvider.cs then reads whatever is on disk), so the backtest goes
 * on with data silently missing. The runner counts them from LEAN's log and says so.
 */

const FAILED_LINK = /Api\.DownloadData\(\): Failed to get link for (\S+?)\.? Errors: (.*)$/gm;
const THROTTLED = /too many requests|request quota|\b429\b/i;
const HTTP_429 = /TryRequest\([^)]*data\/read\): HTTP Error: 429\b/g;

export interface ThrottledReads {
  /** Distinct files whose link was refused for throttling. */
  files: string[];
  /** `data/read` answers with HTTP 429 (may exceed `files` when LEAN retried a file). */
  responses: number;
}

export function throttledDataReads(engineLog: string): ThrottledReads {
  const files = new Set<string>();
  for (const match of engineLog.matchAll(FAILED_LINK)) {
    if (THROTTLED.test(match[2] ?? '')) files.add(match[1] as string);
  }
  return { files: [...files].sort(), responses: engineLog.match(HTTP_429)?.length ?? 0 };
}

/** A line for the job log and the algorithm's log, or undefined when nothing was throttled. */
export function throttledNote(reads: ThrottledReads): string | undefined {
  const count = Math.max(reads.files.length, reads.responses);
  if (count === 0) return undefined;
  const shown = reads.files.slice(0, 5).join(', ');
  return `Warning: ${count} market data read(s) were refused by the API's rate limit (HTTP 429); LEAN ran without ${
    reads.files.length ? `these files: ${shown}${reads.files.length > 5 ? `, and ${reads.files.length - 5} more` : ''}` : 'the files concerned'
  }. Raise the organisation's rate limit (lcs.config.json rateLimit) or run fewer backtests at once.`;
}
