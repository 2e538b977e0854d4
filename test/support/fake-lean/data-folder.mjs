import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What real LEAN needs from its data folder before the first data point, so the fake fails where
 * LEAN would:
 * - `market-hours/market-hours-database.json` (Lean:Common/Securities/MarketHoursDatabase.cs
 *   `FromDataFolder`, awaited by Lean:Engine/Engine.cs before the algorithm is created) and
 *   `symbol-properties/symbol-properties-database.csv` (Lean:Common/Securities/SymbolPropertiesDatabase.cs,
 *   read by the QCAlgorithm constructor): missing → "Algorithm.Initialize() Error: …" (Engine.cs).
 * - With `map-file-provider` LocalZipMapFileProvider, a `equity/usa/map_files/map_files_<yyyyMMdd>.zip`
 *   from yesterday (New York) back 30 days (Lean:Common/Data/Auxiliary/LocalZipMapFileProvider.cs
 *   `GetMapFileResolver`); none → InvalidOperationException while Initialize resolves the benchmark.
 * - With LocalZipFactorFileProvider, a factor_files zip from yesterday back 8 more days
 *   (LocalZipFactorFileProvider.cs `HydrateFactorFileFromLatestZip`); none → an error in the log
 *   and unadjusted prices. A 0-byte zip counts as found, as in LEAN (it reads as no files).
 * The fake reads only the local folder: it never downloads, so the runner must provide these.
 */

/** `yyyyMMdd` of a New York calendar day `daysBack` days before today. */
export function newYorkDate(daysBack, now = new Date()) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  const day = new Date(`${parts}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() - daysBack);
  return day.toISOString().slice(0, 10).replaceAll('-', '');
}

function findZip(folder, kind, lastDaysBack) {
  for (let back = 1; back <= lastDaysBack; back++) {
    const file = join(folder, `${kind}_${newYorkDate(back)}.zip`);
    if (existsSync(file) && statSync(file).isFile()) return file;
  }
  return undefined;
}

const isLocalZip = (value, name) => String(value ?? '').endsWith(name);

/** Undefined when LEAN could start; else `{ message, initialize }` for the failure LEAN reports. */
export function checkDataFolder(settings, log) {
  const data = settings.dataFolder;
  for (const [folder, file] of [
    ['market-hours', 'market-hours-database.json'],
    ['symbol-properties', 'symbol-properties-database.csv'],
  ]) {
    const path = join(data, folder, file);
    if (!existsSync(path)) return { message: `Algorithm.Initialize() Error: Could not find file '${path}'.`, initialize: false };
  }
  if (isLocalZip(settings.mapFileProvider, 'LocalZipMapFileProvider')) {
    const found = findZip(join(data, 'equity', 'usa', 'map_files'), 'map_files', 31);
    if (!found) {
      const end = newYorkDate(31);
      return {
        message: `LocalZipMapFileProvider couldn't find any map files going all the way back to ${end.slice(4, 6)}/${end.slice(6)}/${end.slice(0, 4)} for usa`,
        initialize: true,
      };
    }
    log.trace(`LocalZipMapFileProvider.Get(usa): Fetched map files from ${found}`);
  }
  if (isLocalZip(settings.factorFileProvider, 'LocalZipFactorFileProvider')) {
    const found = findZip(join(data, 'equity', 'usa', 'factor_files'), 'factor_files', 9);
    if (found) log.trace(`LocalZipFactorFileProvider.Get(usa): Fetched factor files from ${found}`);
    else log.error('LocalZipFactorFileProvider.Get(SPY R735QTJ8XC9X): No factor file found.');
  }
  return undefined;
}
