import { join } from 'node:path';
import { readText } from './result-json';

/**
 * LEAN's engine log, `log.txt` in the results folder (lean-runtime §4.1): one entry per line,
 * `<ISO-8601 UTC> TRACE:: / ERROR:: / DEBUG:: <text>`, appended all run long. The runner reads
 * its milestones (the data stream's period, Initialize done) and its `ERROR::` entries.
 */

export interface EngineLogFacts {
  /** `Begin DataStream` start and stop: the algorithm's wall clock, encoded as if it were UTC. */
  dataStreamStart?: Date;
  dataStreamStop?: Date;
  /** `Launching analysis for` seen: Initialize succeeded. */
  initialized: boolean;
  /** Each `ERROR::` entry's text, continuation lines included, without the timestamp. */
  errorLines: string[];
}

const LOG_ENTRY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z (TRACE|ERROR|DEBUG):: ?/;
const DATA_STREAM = /Begin DataStream - Start: (.+?) Stop: (.+?)(?: Time: | Warmup: |$)/;
const US_DATE_TIME = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2}):(\d{2}) ?(AM|PM)?$/;

/** LEAN's invariant `M/d/yyyy h:mm:ss AM` as a Date holding that wall-clock time in UTC fields. */
export function parseUsDateTime(text: string): Date | undefined {
  const match = US_DATE_TIME.exec(text.trim());
  if (!match) return undefined;
  const [, month, day, year, hour, minute, second, half] = match;
  let hours = Number(hour);
  if (half === 'AM' && hours === 12) hours = 0;
  if (half === 'PM' && hours < 12) hours += 12;
  return new Date(Date.UTC(Number(year), Number(month) - 1, Number(day), hours, Number(minute), Number(second)));
}

/** `log.txt` so far; '' before LEAN has created it. */
export async function readEngineLog(resultsDir: string): Promise<string> {
  return (await readText(join(resultsDir, 'log.txt'))) ?? '';
}

/** Milestones and errors from `log.txt` (lean-runtime §4.1). Lines without a timestamp continue the entry before them. */
export function parseEngineLog(text: string): EngineLogFacts {
  const facts: EngineLogFacts = { initialized: false, errorLines: [] };
  let error: string[] | undefined;
  const closeError = () => {
    if (error) facts.errorLines.push(error.join('\n').trimEnd());
    error = undefined;
  };
  for (const line of text.split(/\r?\n/)) {
    const entry = LOG_ENTRY.exec(line);
    if (!entry) {
      error?.push(line);
      continue;
    }
    closeError();
    const body = line.slice(entry[0].length);
    if (entry[1] === 'ERROR') error = [body];
    else if (!facts.initialized && body.includes('Launching analysis for')) facts.initialized = true;
    else if (!facts.dataStreamStart && body.includes('Begin DataStream')) {
      const match = DATA_STREAM.exec(body);
      if (match) {
        facts.dataStreamStart = parseUsDateTime(match[1]!);
        facts.dataStreamStop = parseUsDateTime(match[2]!);
      }
    }
  }
  closeError();
  return facts;
}
