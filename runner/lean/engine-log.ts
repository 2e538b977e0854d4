import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
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

/**
 * Reads log entries line by line; parseEngineLog feeds it a whole text, EngineLogTail the bytes
 * appended since its last read. Lines without a timestamp continue the entry before them.
 */
class EngineLogParser {
  readonly facts: EngineLogFacts = { initialized: false, errorLines: [] };
  private error: string[] | undefined;

  line(line: string): void {
    const entry = LOG_ENTRY.exec(line);
    if (!entry) {
      this.error?.push(line);
      return;
    }
    this.closeError();
    const facts = this.facts;
    const body = line.slice(entry[0].length);
    if (entry[1] === 'ERROR') this.error = [body];
    else if (!facts.initialized && body.includes('Launching analysis for')) facts.initialized = true;
    else if (!facts.dataStreamStart && body.includes('Begin DataStream')) {
      const match = DATA_STREAM.exec(body);
      if (match) {
        facts.dataStreamStart = parseUsDateTime(match[1]!);
        facts.dataStreamStop = parseUsDateTime(match[2]!);
      }
    }
  }

  /** The facts so far, an ERROR entry still open included (more continuation lines may follow). */
  snapshot(): EngineLogFacts {
    const errorLines = this.error ? [...this.facts.errorLines, this.error.join('\n').trimEnd()] : [...this.facts.errorLines];
    return { ...this.facts, errorLines };
  }

  closeError(): void {
    if (this.error) this.facts.errorLines.push(this.error.join('\n').trimEnd());
    this.error = undefined;
  }
}

/** Milestones and errors from `log.txt` (lean-runtime §4.1). Lines without a timestamp continue the entry before them. */
export function parseEngineLog(text: string): EngineLogFacts {
  const parser = new EngineLogParser();
  for (const line of text.split(/\r?\n/)) parser.line(line);
  parser.closeError();
  return parser.facts;
}

/** Bytes read per chunk by EngineLogTail. */
const TAIL_CHUNK = 64 * 1024;

/**
 * `log.txt` followed while LEAN appends to it: each read takes only the bytes written since the
 * last one (the runner polls every few seconds, and a long run's log grows to many MB), so a poll
 * costs what was appended, not the whole file. A line is parsed once it is complete; a character
 * split between two reads is joined by the decoder. The facts equal parseEngineLog's on the text.
 */
export class EngineLogTail {
  private readonly path: string;
  private readonly parser = new EngineLogParser();
  private readonly decoder = new StringDecoder('utf8');
  private offset = 0;
  private pending = '';
  /** Bytes read from the file so far (for tests and metrics). */
  bytesRead = 0;

  constructor(resultsDir: string) {
    this.path = join(resultsDir, 'log.txt');
  }

  async read(): Promise<EngineLogFacts> {
    let handle: FileHandle;
    try {
      handle = await open(this.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return this.parser.snapshot();
      throw error;
    }
    try {
      const buffer = Buffer.alloc(TAIL_CHUNK);
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, TAIL_CHUNK, this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        this.bytesRead += bytesRead;
        this.take(this.decoder.write(buffer.subarray(0, bytesRead)));
      }
    } finally {
      await handle.close();
    }
    return this.parser.snapshot();
  }

  private take(text: string): void {
    const lines = (this.pending + text).split(/\r?\n/);
    this.pending = lines.pop() ?? '';
    for (const line of lines) this.parser.line(line);
  }
}
