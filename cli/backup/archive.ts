import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, renameSync, rmSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';

/**
 * The backup archive (docs/backup-format.md): gzip-compressed JSON lines. The first line names
 * the format and version, the last one (`end`) counts the records and carries the SHA-256 of
 * every line before it, so a truncated or altered archive is refused before anything is restored.
 * Both directions stream: one record is in memory at a time.
 */
export const ARCHIVE_FORMAT = 'lcs-organization-backup';
export const ARCHIVE_VERSION = 1;

export interface ArchiveHeader {
  format: typeof ARCHIVE_FORMAT;
  version: number;
  created: string;
  organization: { id: string; name: string };
}

export type ArchiveRecord = { type: string } & Record<string, unknown>;

/** Writes records to `<file>.partial` and renames it into place only once complete. */
export class ArchiveWriter {
  private readonly gzip = createGzip();
  private readonly done: Promise<void>;
  private readonly hash: Hash = createHash('sha256');
  private records = 0;
  private readonly partial: string;

  constructor(
    private readonly file: string,
    header: Omit<ArchiveHeader, 'format' | 'version'>,
  ) {
    this.partial = `${file}.partial`;
    const out = createWriteStream(this.partial);
    this.gzip.pipe(out);
    this.done = finished(out);
    this.done.catch(() => undefined);
    this.line({ format: ARCHIVE_FORMAT, version: ARCHIVE_VERSION, ...header });
  }

  private async line(value: object): Promise<void> {
    const text = `${JSON.stringify(value)}\n`;
    this.hash.update(text);
    if (!this.gzip.write(text)) await new Promise((resume) => this.gzip.once('drain', resume));
  }

  async write(record: ArchiveRecord): Promise<void> {
    this.records++;
    await this.line(record);
  }

  async close(): Promise<{ records: number; sha256: string }> {
    const sha256 = this.hash.copy().digest('hex');
    this.gzip.end(`${JSON.stringify({ type: 'end', records: this.records, sha256 })}\n`);
    await this.done;
    renameSync(this.partial, this.file);
    return { records: this.records, sha256 };
  }

  abort(): void {
    this.gzip.destroy();
    rmSync(this.partial, { force: true });
  }
}

/**
 * The text lines of a stream of bytes. Not readline: its async iterator reads ahead up to 1,024
 * lines before it pauses the input, and an object record is a line of up to several MB, so a
 * restore held most of a large archive in memory. Iterating the stream itself reads a chunk only
 * when the previous line has been handled.
 */
async function* splitLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let parts: Buffer[] = [];
  const line = (last: Buffer) => {
    parts.push(last);
    const text = Buffer.concat(parts).toString('utf8');
    parts = [];
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  };
  for await (const chunk of chunks) {
    let start = 0;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
      const text = line(chunk.subarray(start, newline));
      start = newline + 1;
      if (text) yield text;
    }
    if (start < chunk.length) parts.push(chunk.subarray(start));
  }
  const rest = line(Buffer.alloc(0));
  if (rest) yield rest;
}

/** An archive's raw lines, the compressed stream's failures told as what they mean for the archive. */
async function* archiveLines(file: string): AsyncGenerator<string> {
  const gunzip = createGunzip();
  const input = createReadStream(file);
  input.on('error', (err) => gunzip.destroy(err));
  try {
    for await (const line of splitLines(input.pipe(gunzip))) yield line;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new Error(`${file}: no such file`);
    if (e.code === 'Z_BUF_ERROR' || /unexpected end/i.test(e.message)) throw new Error(`${file} is truncated: the archive ends before its last record`);
    if (e.code?.startsWith('Z_')) throw new Error(`${file} is not an lcs backup archive or is damaged (${e.message})`);
    throw err;
  }
}

function parse(file: string, line: string): ArchiveRecord {
  try {
    return JSON.parse(line) as ArchiveRecord;
  } catch {
    throw new Error(`${file} is damaged: a record is not JSON`);
  }
}

/** The records after the header, up to (not including) the end record; read only a verified archive. */
export async function* readRecords(file: string): AsyncGenerator<ArchiveRecord> {
  let first = true;
  for await (const line of archiveLines(file)) {
    if (first) {
      first = false;
      continue;
    }
    const record = parse(file, line);
    if (record.type === 'end') return;
    yield record;
  }
}

/** Reads the archive to the end and checks its format, version, record count and checksum. */
export async function verifyArchive(file: string): Promise<{ header: ArchiveHeader; records: number }> {
  const hash = createHash('sha256');
  let header: ArchiveHeader | undefined;
  let records = 0;
  let end: { records?: number; sha256?: string } | undefined;
  for await (const line of archiveLines(file)) {
    if (end) throw new Error(`${file} is damaged: records after the end record`);
    const record = parse(file, line);
    if (!header) {
      const h = record as Partial<ArchiveHeader>;
      if (h.format !== ARCHIVE_FORMAT) throw new Error(`${file} is not an lcs backup archive`);
      if (h.version !== ARCHIVE_VERSION) throw new Error(`${file} has archive version ${String(h.version)}; this lcs reads version ${ARCHIVE_VERSION}`);
      header = h as ArchiveHeader;
    } else if (record.type === 'end') {
      end = record as { records?: number; sha256?: string };
      continue;
    } else {
      records++;
    }
    hash.update(`${line}\n`);
  }
  if (!header) throw new Error(`${file} is empty or not an lcs backup archive`);
  if (!end) throw new Error(`${file} is truncated: the archive ends before its last record`);
  if (end.records !== records || end.sha256 !== hash.digest('hex')) throw new Error(`${file} was altered: its checksum does not match its records`);
  return { header, records };
}
