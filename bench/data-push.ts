import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { MB, MIN_PART_SIZE, pushFiles } from '../cli/data/uploader';
import { type LocalFile, walkFolder } from '../cli/data/walk';
import { startBenchServer } from './local-server';

/**
 * `lcs data push` throughput against local mode's S3 emulator: many small files (LEAN's daily and
 * minute zips) and one large file (multipart), then a re-push that skips everything, compared in
 * the same run with bare PutObject calls for the same bytes (sequential, and with the same
 * concurrency). Prints figures; asserts nothing.
 */
const SMALL_FILES = Number(process.env.BENCH_DATA_FILES ?? 2000);
const SMALL_BYTES = 4 * 1024;
const LARGE_BYTES = Number(process.env.BENCH_DATA_LARGE_MB ?? 200) * MB;
const CONCURRENCY = Number(process.env.BENCH_DATA_CONCURRENCY ?? 8);
/** Parts of one multipart file in flight (the uploader's default). */
const PART_QUEUE = 4;

interface Figure {
  title: string;
  files: number;
  bytes: number;
  seconds: number;
}

function line(f: Figure): string {
  const mbps = f.bytes / MB / f.seconds;
  return `${f.title.padEnd(40)} ${String(f.files).padStart(5)} files ${(f.bytes / MB).toFixed(1).padStart(7)} MB ${f.seconds.toFixed(2).padStart(7)} s ${mbps.toFixed(1).padStart(7)} MB/s ${(f.files / f.seconds).toFixed(0).padStart(6)} files/s`;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return (performance.now() - start) / 1000;
}

/**
 * Bare PutObject calls for the files' bytes. The emulator takes at most 11 MB in one request, so a
 * large file goes as 8 MB objects (as many requests as the push's parts).
 */
async function rawPuts(client: S3Client, bucket: string, prefix: string, files: LocalFile[], concurrency: number): Promise<void> {
  const pieces: { key: string; path: string; start: number; end: number }[] = [];
  for (const file of files) {
    for (let start = 0, n = 0; start < file.size || (start === 0 && n === 0); start += MIN_PART_SIZE, n++) {
      pieces.push({ key: `${prefix}/${file.key}.${n}`, path: file.path, start, end: Math.min(file.size, start + MIN_PART_SIZE) });
    }
  }
  let next = 0;
  const worker = async () => {
    while (next < pieces.length) {
      const piece = pieces[next++] as (typeof pieces)[number];
      const whole = readFileSync(piece.path);
      const body = piece.start === 0 && piece.end === whole.length ? whole : whole.subarray(piece.start, piece.end);
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: piece.key, Body: body, ContentLength: body.length }));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

export async function runDataPush(): Promise<void> {
  const bench = await startBenchServer('push');
  const { runtime } = bench.server;
  const folder = join(bench.dir, 'lean-data');
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: runtime.s3Endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    for (let i = 0; i < SMALL_FILES; i++) {
      const sub = join(folder, 'equity', 'usa', 'minute', `s${String(i % 50).padStart(2, '0')}`);
      mkdirSync(sub, { recursive: true });
      writeFileSync(join(sub, `2024${String(i).padStart(4, '0')}_trade.zip`), randomBytes(SMALL_BYTES));
    }
    mkdirSync(join(folder, 'equity', 'usa', 'tick'), { recursive: true });
    writeFileSync(join(folder, 'equity', 'usa', 'tick', 'large.zip'), randomBytes(LARGE_BYTES));

    const files = await walkFolder(folder);
    const small = files.filter((f) => f.size === SMALL_BYTES);
    const large = files.filter((f) => f.size !== SMALL_BYTES);
    const sum = (list: LocalFile[]) => list.reduce((n, f) => n + f.size, 0);
    const bucket = runtime.dataBucket;
    const push = (list: LocalFile[]) => pushFiles({ client, bucket, files: list, concurrency: CONCURRENCY });
    const figures: Figure[] = [];
    const add = (title: string, list: LocalFile[], seconds: number) => {
      const figure = { title, files: list.length, bytes: sum(list), seconds };
      figures.push(figure);
      console.log(line(figure));
      return figure;
    };

    console.log(`${SMALL_FILES} × ${SMALL_BYTES / 1024} KB + 1 × ${LARGE_BYTES / MB} MB, concurrency ${CONCURRENCY}, S3 emulator ${runtime.s3Endpoint}`);
    // Warm the emulator and the SDK up first, so neither side of the comparison pays for it.
    await rawPuts(client, bucket, 'warm-up', small.slice(0, 300), CONCURRENCY);
    await push(small.slice(0, 300).map((f) => ({ ...f, key: `warm-up/push/${f.key}` })));
    const pushSmall = add('push: small files', small, await timed(() => push(small)));
    const pushLarge = add('push: large file (multipart, 8 MB parts)', large, await timed(() => push(large)));
    add('re-push: everything unchanged (skipped)', files, await timed(() => push(files)));
    add('raw PutObject: small, sequential', small, await timed(() => rawPuts(client, bucket, 'raw-seq', small, 1)));
    const rawSmall = add(`raw PutObject: small, ${CONCURRENCY} at once`, small, await timed(() => rawPuts(client, bucket, 'raw-par', small, CONCURRENCY)));
    add('raw PutObject: large as 8 MB objects, sequential', large, await timed(() => rawPuts(client, bucket, 'raw-seq', large, 1)));
    const rawLarge = add(
      `raw PutObject: large as 8 MB objects, ${PART_QUEUE} at once`,
      large,
      await timed(() => rawPuts(client, bucket, 'raw-par', large, PART_QUEUE)),
    );
    const rate = (f: Figure) => f.bytes / f.seconds;
    console.log(
      `ratio push / raw (same concurrency): small files ${(rate(pushSmall) / rate(rawSmall)).toFixed(2)}, large file ${(rate(pushLarge) / rate(rawLarge)).toFixed(2)}`,
    );
  } finally {
    client.destroy();
    await bench.stop();
  }
}
