import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { marketDataStore } from '../core/data/market-data/market-data-store';
import { newestDatedZip } from '../core/domain/market-data/data-service';

/**
 * Map and factor files in the form LEAN's LocalZipMapFileProvider / LocalZipFactorFileProvider read
 * them (the providers the runner configures with ApiDataProvider): one
 * `<type>/<market>/map_files/map_files_<yyyyMMdd>.zip` (likewise factor_files) of `<permtick>.csv`
 * entries (Lean:Common/Data/Auxiliary/MapFileZipHelper.cs `GetMapFileZipFileName`, `ReadMapFileZip`).
 * The map provider looks for yesterday's zip (New York) and walks back 30 days, then throws at
 * initialization (Lean:Common/Data/Auxiliary/LocalZipMapFileProvider.cs `GetMapFileResolver`); the
 * factor provider walks back 8 more days and otherwise runs unadjusted
 * (LocalZipFactorFileProvider.cs `HydrateFactorFileFromLatestZip`). The LEAN image ships CSV
 * folders only, and nobody publishes a zip every day, so before LEAN starts the runner writes
 * yesterday's zip: the newest one the operator uploaded to the data bucket, else, when the data
 * folder holds no zip recent enough, one built from the CSV folder next to it.
 */

const KINDS = [
  { kind: 'map_files', daysBack: 31 },
  { kind: 'factor_files', daysBack: 9 },
] as const;

/** `yyyyMMdd` of the New York calendar day `daysBack` days before `now`. */
export function newYorkDay(daysBack: number, now = new Date()): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  const day = new Date(`${today}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() - daysBack);
  return day.toISOString().slice(0, 10).replaceAll('-', '');
}

async function entries(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

async function sizeOf(file: string): Promise<number | undefined> {
  return stat(file).then(
    (s) => (s.isFile() ? s.size : undefined),
    () => undefined,
  );
}

/** Writes through a temporary name, so LEAN never sees half a zip. */
async function writeAtomically(file: string, bytes: Uint8Array): Promise<void> {
  const temporary = `${file}.lcs-${process.pid}.tmp`;
  await writeFile(temporary, bytes);
  await rename(temporary, file);
}

/** The `<type>/<market>` folders that have map or factor files locally, plus equity/usa (LEAN's default benchmark). */
async function marketFolders(dataDir: string): Promise<string[]> {
  const found = new Set(['equity/usa']);
  for (const type of await entries(dataDir)) {
    for (const market of await entries(join(dataDir, type))) {
      const names = await entries(join(dataDir, type, market));
      if (names.includes('map_files') || names.includes('factor_files')) found.add(`${type}/${market}`);
    }
  }
  return [...found].sort();
}

async function provideOne(dataDir: string, market: string, kind: string, daysBack: number, now: Date, log: (line: string) => void) {
  const folder = join(dataDir, market, kind);
  const target = join(folder, `${kind}_${newYorkDay(1, now)}.zip`);
  // 1. What the operator uploaded (`lcs data push`): the newest wins, under yesterday's name.
  const uploaded = await newestDatedZip(`${market}/${kind}/`, kind).catch((err: unknown) => {
    log(`${market}/${kind}: cannot look in the data bucket (${(err as Error).message}); using the data folder`);
    return undefined;
  });
  if (uploaded) {
    const bytes = await marketDataStore.read(uploaded);
    if (bytes && bytes.length > 0) {
      if ((await sizeOf(target)) !== bytes.length) {
        await mkdir(folder, { recursive: true });
        await writeAtomically(target, bytes);
        log(`${market}/${kind}: ${uploaded} from the data bucket, as ${target}`);
      }
      return;
    }
  }
  // 2. A zip LEAN will find already (non-empty: an empty one reads as no files at all).
  for (let back = 1; back <= daysBack; back++) {
    if (((await sizeOf(join(folder, `${kind}_${newYorkDay(back, now)}.zip`))) ?? 0) > 0) return;
  }
  // 3. Built from the CSV files the image ships (`<permtick>.csv`).
  const csvs = (await entries(folder)).filter((name) => name.toLowerCase().endsWith('.csv')).sort();
  if (csvs.length === 0) {
    log(`${market}/${kind}: no ${kind} zip or CSV files in ${folder}${kind === 'map_files' ? '; LEAN cannot resolve equities here' : ''}`);
    return;
  }
  const files: Record<string, Uint8Array> = {};
  for (const name of csvs) files[name] = await readFile(join(folder, name));
  await writeAtomically(target, zipSync(files, { level: 6 }));
  log(`${market}/${kind}: built ${target} from ${csvs.length} CSV files`);
}

/**
 * Removes 0-byte zips from the data folder. LEAN's Api.DownloadData creates the file before the
 * download's response arrives (Lean:Api/Api.cs `DownloadData`, FileMode.Create), so a failed GET
 * leaves an empty file; a file with a date in its name is never re-fetched (Lean:Common/Extensions.cs
 * `IsOutOfDate`; ApiDataProvider.cs `NeedToDownload`), and an empty zip is never valid data.
 */
export async function removeEmptyZips(dataDir: string, log: (line: string) => void): Promise<number> {
  let removed = 0;
  const walk = async (dir: string): Promise<void> => {
    const found = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of found) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && entry.name.endsWith('.zip') && (await sizeOf(path)) === 0) {
        // A folder this user may not write (another user's data folder) is left as it is.
        const gone = await rm(path, { force: true }).then(
          () => true,
          () => false,
        );
        if (gone) removed++;
      }
    }
  };
  await walk(dataDir);
  if (removed) log(`data folder: removed ${removed} empty zip file(s) left by failed downloads`);
  return removed;
}

/** Prepares LEAN's data folder before a run: no empty zips, and current map and factor zips. */
export async function provideMapFactorFiles(dataDir: string, log: (line: string) => void, now = new Date()): Promise<void> {
  await removeEmptyZips(dataDir, log).catch((err: unknown) => log(`data folder: could not look for empty zips: ${(err as Error).message}`));
  for (const market of await marketFolders(dataDir)) {
    for (const { kind, daysBack } of KINDS) {
      await provideOne(dataDir, market, kind, daysBack, now, log).catch((err: unknown) =>
        log(`${market}/${kind}: could not provide ${kind}: ${(err as Error).message}`),
      );
    }
  }
}
