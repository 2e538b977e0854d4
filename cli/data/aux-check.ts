import { open, readFile } from 'node:fs/promises';
import { unzipSync } from 'fflate';
import type { LocalFile } from './walk';

/**
 * Checks of the map and factor files in a folder about to be pushed. LEAN's LocalZipMapFileProvider
 * and LocalZipFactorFileProvider (what backtests here use, with ApiDataProvider) read only
 * `<type>/<market>/map_files/map_files_<yyyyMMdd>.zip` (likewise factor_files), a zip of
 * `<permtick>.csv` files (Lean:Common/Data/Auxiliary/MapFileZipHelper.cs, LocalZipMapFileProvider.cs,
 * LocalZipFactorFileProvider.cs). `data/read` answers LEAN's request for yesterday's zip with the
 * newest one pushed, and the runner puts it in LEAN's data folder before each backtest; without one
 * the runner zips the CSV files of the LEAN image. A zip LEAN cannot read must not get there: it
 * would replace the image's files for every backtest.
 */

const AUX_ZIP = /^[^/]+\/[^/]+\/(map_files|factor_files)\/([a-z_]+)_(\d{8})\.zip$/;
const AUX_CSV = /^([^/]+\/[^/]+\/(map_files|factor_files))\/[^/]+\.csv$/i;
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
/** Larger zips are only checked for the zip signature (reading them whole costs memory). */
const MAX_INSPECTED_BYTES = 512 * 1024 * 1024;

export interface AuxCheck {
  /** Files that must not be pushed. */
  errors: string[];
  /** Things the operator should know. */
  notes: string[];
}

async function head(path: string, bytes: number): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await file.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

async function csvEntries(path: string): Promise<string[] | undefined> {
  const names: string[] = [];
  try {
    // Lists the entries without inflating any of them.
    unzipSync(await readFile(path), {
      filter: (entry) => {
        names.push(entry.name);
        return false;
      },
    });
  } catch {
    return undefined;
  }
  return names.filter((name) => name.toLowerCase().endsWith('.csv'));
}

export async function checkAuxiliaryFiles(files: LocalFile[]): Promise<AuxCheck> {
  const errors: string[] = [];
  const notes: string[] = [];
  const zipFolders = new Set<string>();
  const csvFolders = new Set<string>();
  for (const file of files) {
    const csv = AUX_CSV.exec(file.key);
    if (csv) csvFolders.add(csv[1] as string);
    const match = AUX_ZIP.exec(file.key);
    if (!match) continue;
    const [, folder, kind] = match as unknown as [string, string, string, string];
    if (kind !== folder) {
      errors.push(`${file.key}: a ${folder} folder holds ${folder}_<yyyyMMdd>.zip files only (LEAN looks for that name)`);
      continue;
    }
    zipFolders.add(file.key.slice(0, file.key.lastIndexOf('/')));
    if (file.size === 0) {
      errors.push(`${file.key}: empty (LEAN would read it as no ${folder.replace('_', ' ')} at all)`);
      continue;
    }
    const magic = await head(file.path, 4);
    if (!ZIP_MAGIC.every((byte, i) => magic[i] === byte)) {
      errors.push(`${file.key}: not a zip file`);
      continue;
    }
    if (file.size > MAX_INSPECTED_BYTES) continue;
    const entries = await csvEntries(file.path);
    if (!entries) errors.push(`${file.key}: not a readable zip file`);
    else if (entries.length === 0) errors.push(`${file.key}: holds no <permtick>.csv files`);
  }
  for (const folder of [...csvFolders].sort()) {
    if (zipFolders.has(folder)) continue;
    const kind = folder.slice(folder.lastIndexOf('/') + 1);
    notes.push(
      `${folder}: CSV files but no ${kind}_<yyyyMMdd>.zip; backtests read ${kind} only from such a zip (the runner makes one from the LEAN image's CSV files, not from these)`,
    );
  }
  return { errors, notes };
}
