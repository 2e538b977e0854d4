import { resolve } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import { type Command, InvalidArgumentError } from 'commander';
import { type DataOptions, dataAction, formatMB, positiveInt, withDataTarget } from './action';
import { checkAuxiliaryFiles } from './aux-check';
import { layoutWarning } from './layout';
import { MB, type PushResult, pushFiles } from './uploader';
import { invalidKey, walkFolder } from './walk';

/** `lcs data push <folder>`: upload a LEAN data folder to the data bucket, skipping unchanged files. */
interface PushCliOptions extends DataOptions {
  concurrency: number;
  prefix?: string;
  multipartThreshold: number;
  quiet?: boolean;
}

export function summary(result: PushResult): string {
  const rate = result.seconds > 0 ? result.uploadedBytes / MB / result.seconds : 0;
  return `uploaded ${result.uploaded} file${result.uploaded === 1 ? '' : 's'} / ${formatMB(result.uploadedBytes)}, skipped ${result.skipped} unchanged, took ${result.seconds.toFixed(1)} s, ${rate.toFixed(1)} MB/s`;
}

/** `--prefix`: a relative folder path the keys are put under (no leading or trailing '/'). */
function keyPrefix(value: string): string {
  const trimmed = value.replace(/^\/+|\/+$/g, '');
  if (!trimmed || trimmed.split('/').some((s) => s === '' || s === '.' || s === '..') || invalidKey(trimmed)) {
    throw new InvalidArgumentError('must be a relative folder path such as equity/usa/daily');
  }
  return trimmed;
}

export function registerPush(data: Command): void {
  withDataTarget(
    data
      .command('push')
      .description(
        'upload a LEAN data folder (equity/usa/daily/spy.zip …) to the data bucket; unchanged files are skipped. Map and factor files go as <type>/<market>/map_files/map_files_<yyyyMMdd>.zip (likewise factor_files), zips of <permtick>.csv files, which are checked first; the newest is what backtests use',
      )
      .argument('<folder>', 'the LEAN data folder; its relative paths become the keys'),
  )
    .option('--prefix <path>', 'put the files under this folder of the bucket (e.g. equity/usa/daily for a folder of daily zips)', keyPrefix)
    .option('--concurrency <n>', 'files uploaded at once', positiveInt(256), 8)
    .option(
      '--multipart-threshold <MB>',
      'files above this size are uploaded in 8 MB parts (local mode refuses single uploads over 11 MiB)',
      positiveInt(5 * 1024),
      8,
    )
    .option('--quiet', 'no progress bar')
    .option('--json', 'print the summary as JSON')
    .action(
      dataAction<[string], PushCliOptions>(async ({ client, bucket }, options, folder) => {
        const walked = await walkFolder(resolve(folder));
        const files = options.prefix ? walked.map((f) => ({ ...f, key: `${options.prefix}/${f.key}` })) : walked;
        for (const f of files) {
          const problem = invalidKey(f.key);
          if (problem) throw new Error(`cannot upload ${f.path}: its key ${problem}`);
        }
        const layout = layoutWarning(files, folder);
        if (layout) process.stderr.write(`lcs: warning: ${layout}\n`);
        // Map and factor zips LEAN could not read are refused before anything is uploaded.
        const aux = await checkAuxiliaryFiles(files);
        for (const note of aux.notes) process.stderr.write(`lcs: note: ${note}\n`);
        if (aux.errors.length) throw new Error(`not pushed; fix these map/factor files first: ${aux.errors.join('; ')}`);
        const totalBytes = files.reduce((sum, f) => sum + f.size, 0);
        const showBar = !options.quiet && process.stderr.isTTY;
        const bar = showBar ? new SingleBar(barOptions(), Presets.shades_classic) : undefined;
        let filesDone = 0;
        let bytesDone = 0;
        const started = performance.now();
        const payload = () => {
          const seconds = (performance.now() - started) / 1000;
          return {
            files: `${filesDone}/${files.length}`,
            mb: `${(bytesDone / MB).toFixed(1)}/${(totalBytes / MB).toFixed(1)} MB`,
            rate: seconds > 0 ? (bytesDone / MB / seconds).toFixed(1) : '0.0',
          };
        };
        bar?.start(Math.max(totalBytes, 1), 0, payload());
        const interrupted = new AbortController();
        const onSigint = () => interrupted.abort();
        process.once('SIGINT', onSigint);
        let result: PushResult;
        try {
          result = await pushFiles({
            client,
            bucket,
            files,
            concurrency: options.concurrency,
            multipartThreshold: options.multipartThreshold * MB,
            signal: interrupted.signal,
            onProgress: (event) => {
              if (event.type === 'bytes') bytesDone += event.bytes;
              else filesDone++;
              bar?.update(bytesDone, payload());
            },
          });
        } finally {
          process.off('SIGINT', onSigint);
          bar?.stop();
        }
        process.stdout.write(`${options.json ? JSON.stringify({ bucket, ...result }) : summary(result)}\n`);
      }),
    );
}

function barOptions() {
  return {
    stream: process.stderr,
    format: '{bar} {percentage}% | {files} files | {mb} | {rate} MB/s | ETA {eta_formatted}',
    hideCursor: true,
    etaBuffer: 50,
    fps: 5,
  };
}
