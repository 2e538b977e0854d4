import { createHash } from 'node:crypto';
import { MAX_KEY_BYTES, marketDataStore } from '../../data/market-data/market-data-store';
import { config } from '../../shared/config';
import { InvalidError, NotFoundError } from '../../shared/errors';
import { relativePath } from '../../shared/paths';
import type { Principal } from '../../shared/principal';
import { orgAccess } from '../identity/access';

/**
 * Market data for LEAN's ApiDataProvider and `lean data download` (contract §3.9, §5.1; design §9).
 *
 * Market data is shared by the whole deployment: every organisation sees the same files (the
 * operator's own data, price 0). The organisation named in a request is still checked, so a
 * caller can only speak for organisations they belong to, and nobody reaches a file without
 * credentials except through a link this service has just signed for that one file.
 */

/** data/list answers at most this many entries (files and sub-folders) per call, in key order. */
export const MAX_LIST_ENTRIES = 10_000;

/** Links are signed at the start of the current minute (see `signingWindow`). */
const SIGNING_WINDOW_SECONDS = 60;

const VENDOR = 'Local';
const AGREEMENT_URL = 'https://www.quantconnect.com/terms/data/';
/** US equity security master: LEAN's ApiDataProvider checks the organisation holds it for equity data. */
const PRODUCT_ID = 37;

/** False for text with a lone UTF-16 surrogate, which no S3 key can hold. */
function wellFormed(value: string): boolean {
  try {
    encodeURIComponent(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * A data path as LEAN and lean-cli send it: relative, forward slashes, no `.`/`..` segments, no
 * control characters (shared rules), and, for data keys, no percent signs (so `%2e%2e` can never
 * become `..` on a later decode), well-formed Unicode and at most 1024 bytes (an S3 key).
 */
function dataPath(value: string, field = 'filePath'): string {
  relativePath(value, field, MAX_KEY_BYTES);
  if (value.includes('%')) throw new InvalidError(`${field}: must not contain '%' (send the path unencoded)`);
  if (!wellFormed(value)) throw new InvalidError(`${field}: must be valid Unicode text`);
  if (Buffer.byteLength(value, 'utf8') > MAX_KEY_BYTES) throw new InvalidError(`${field}: must be at most ${MAX_KEY_BYTES} bytes`);
  return value;
}

/**
 * The signing date and lifetime of a link: signed at the start of the current minute and valid for
 * LCS_LINK_SECONDS plus that minute, so every link stays usable for at least LCS_LINK_SECONDS and
 * the same file asked for twice within a minute gets the same URL (cacheable; and LEAN's and
 * lean-cli's repeated requests get identical answers).
 */
export function signingWindow(now = Date.now()): { signingDate: Date; expiresIn: number } {
  const windowMs = SIGNING_WINDOW_SECONDS * 1000;
  return { signingDate: new Date(Math.floor(now / windowMs) * windowMs), expiresIn: config().LCS_LINK_SECONDS + SIGNING_WINDOW_SECONDS };
}

/** A JS-literal style regex (slash delimited, `m` flag) matching every file under a top-level folder. */
function folderRegex(folder: string): string {
  const escaped = folder.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return `/^${escaped}\\/.+$/m`;
}

/**
 * A dated auxiliary zip as LEAN's LocalZipMapFileProvider / LocalZipFactorFileProvider ask for it
 * (Lean:Common/Data/Auxiliary/MapFileZipHelper.cs `GetMapFileZipFileName`, FactorFileZipHelper):
 * `<type>/<market>/map_files/map_files_<yyyyMMdd>.zip`, likewise factor_files.
 */
const DATED_AUX_ZIP = /^(.+\/(map_files|factor_files)\/)(map_files|factor_files)_(\d{8})\.zip$/;

/**
 * The newest stored zip of the same kind in the same folder, for a dated request that has no file of
 * its own: LEAN asks for yesterday's zip (New York) first and walks back at most 30 days for map
 * files (Lean:Common/Data/Auxiliary/LocalZipMapFileProvider.cs `GetMapFileResolver`) and 9 for factor
 * files (LocalZipFactorFileProvider.cs `HydrateFactorFileFromLatestZip`), then fails; an operator
 * uploads a zip once in a while, not every day. Prefers the newest not after the requested date,
 * else the newest there is.
 */
async function newestAuxZip(path: string): Promise<string | undefined> {
  const match = DATED_AUX_ZIP.exec(path);
  if (!match || match[2] !== match[3]) return undefined;
  const [, folder, kind, , date] = match as unknown as [string, string, string, string, string];
  return newestDatedZip(folder, kind, date);
}

/**
 * The key of the newest `<folder><kind>_<yyyyMMdd>.zip` in the data bucket (`folder` ends in '/'):
 * the newest not after `notAfter` when given and there is one, else the newest; undefined if none.
 */
export async function newestDatedZip(folder: string, kind: string, notAfter?: string): Promise<string | undefined> {
  const stem = `${folder}${kind}_`;
  const listing = await marketDataStore.list(stem, MAX_LIST_ENTRIES);
  const dates = listing.files
    .map((key) => /^(\d{8})\.zip$/.exec(key.slice(stem.length))?.[1])
    .filter((d): d is string => d !== undefined)
    .sort();
  if (dates.length === 0) return undefined;
  const chosen = (notAfter ? dates.filter((d) => d <= notAfter).at(-1) : undefined) ?? dates.at(-1);
  return `${stem}${chosen}.zip`;
}

/** Matches every path: the last price entry (see `prices`). */
const CATCH_ALL_REGEX = '/^.+$/m';

/** A stable positive 31-bit id for a folder name, so dataset ids do not move when folders are added. */
function datasetId(folder: string): number {
  return Number.parseInt(createHash('sha256').update(folder).digest('hex').slice(0, 7), 16);
}

/** The name `lean data download --dataset` takes for a top-level folder's dataset. */
export function datasetName(folder: string): string {
  return `${folder} (local data)`;
}

/** The `lean data download` option naming the files to fetch (`--files usa/daily/spy.zip,...`). */
export const FILES_OPTION = 'files';

/**
 * A dataset's entry in data/prices' `datasources`, in lean-cli's form (lean-cli:lean/models/data.py
 * `Dataset`): one text option, the comma-separated paths of files under the folder, and one path
 * template that puts each under it. lean-cli lists each file's prefix with data/list (a plain key
 * prefix, see `list`) and downloads those that exist with data/read. No option lists a folder's
 * files for you: `lcs data ls` does.
 */
function datasource(folder: string) {
  return {
    options: [
      {
        type: 'text',
        id: FILES_OPTION,
        label: 'File path(s)',
        description: `Comma-separated files under ${folder}/, e.g. usa/daily/spy.zip (list them with: npx lcs data ls ${folder}/)`,
        transform: 'lowercase',
        multiple: true,
      },
    ],
    paths: [{ templates: { all: [`${folder}/{${FILES_OPTION}}`], latest: [] as string[] } }],
    requirements: {},
  };
}

export const dataService = {
  async readLink(principal: Principal, input: { filePath: string; organizationId?: string }) {
    orgAccess(principal, input.organizationId, 'viewer');
    const requested = dataPath(input.filePath);
    let path = requested;
    if (!(await marketDataStore.head(path))) {
      const newest = await newestAuxZip(requested);
      if (!newest || !(await marketDataStore.head(newest))) throw new NotFoundError('File');
      path = newest;
    }
    const { signingDate, expiresIn } = signingWindow();
    const link = await marketDataStore.link(path, signingDate, expiresIn);
    return { link, cost: 0, balance: config().LCS_CREDIT_BALANCE };
  },

  /**
   * The files and sub-folders directly under a folder. Entries are relative to the top-level
   * (security-type) folder: lean-cli prefixes each with the first segment of the request
   * (contract §3.9), so `equity/usa/daily/` lists `usa/daily/spy.zip`. Sub-folders end in '/'.
   * A path that is no folder is a plain key prefix, as lean-cli's `lean data download` sends it
   * (the common prefix of the files it wants, e.g. `equity/usa/minute/spy/2013100` or one file's
   * whole path): the files and sub-folders of its folder whose names start with it.
   */
  async list(principal: Principal, input: { filePath: string; organizationId?: string }) {
    orgAccess(principal, input.organizationId, 'viewer');
    const isFolder = input.filePath.endsWith('/');
    const path = dataPath(isFolder ? input.filePath.slice(0, -1) : input.filePath);
    let listing = await marketDataStore.list(`${path}/`, MAX_LIST_ENTRIES);
    if (!isFolder && listing.files.length + listing.folders.length === 0) listing = await marketDataStore.list(path, MAX_LIST_ENTRIES);
    const entries = [...listing.files, ...listing.folders].sort();
    if (entries.length === 0) throw new NotFoundError(isFolder ? 'Data directory' : `Data file or directory '${path}'`);
    const topLength = path.split('/')[0]!.length + 1;
    return { objects: entries.map((key) => key.slice(topLength)) };
  },

  /**
   * One price entry per top-level folder present in the data bucket, price 0, then a final price-0
   * entry that matches every path. LEAN takes the first entry whose regex matches
   * (Lean:Common/Api/Data.cs `DataPricesList.GetPrice`) and throws "No price found" for a file it
   * wants to (re)download when none does (Lean:Engine/DataFeeds/ApiDataProvider.cs `Fetch`), even
   * when the file is on its disk: ApiDataProvider re-fetches files without a date in their name
   * once they are older than a few days (`NeedToDownload`, `IsOutOfDate`), e.g. the image's daily
   * and hour data. With the catch-all, data/read answers "File not found" instead, Api.DownloadData
   * returns false before touching the file (Lean:Api/Api.cs), and LEAN reads its local copy.
   */
  async prices(principal: Principal, organizationId?: string) {
    orgAccess(principal, organizationId, 'viewer');
    const folders = await marketDataStore.topFolders();
    return {
      prices: [...folders.map(folderRegex), CATCH_ALL_REGEX].map((regex) => ({
        vendorName: VENDOR,
        regex,
        price: 0,
        type: 'data',
        subscribed: true,
        productId: PRODUCT_ID,
        paths: [] as string[],
      })),
      agreement: AGREEMENT_URL,
      datasources: Object.fromEntries(folders.map((folder) => [String(datasetId(folder)), datasource(folder)])),
    };
  },

  /**
   * The datasets `lean data download` offers: one per top-level folder of the data bucket, each with
   * its entry in data/prices' `datasources` under the same id (lean-cli drops a dataset without one).
   */
  async marketList(principal: Principal) {
    orgAccess(principal, undefined, 'viewer');
    const folders = await marketDataStore.topFolders();
    return {
      list: folders.map((folder) => ({
        id: datasetId(folder),
        name: datasetName(folder),
        delivery: 'cloud & download',
        vendorName: VENDOR,
        tags: [{ name: folder }],
        pending: false,
      })),
    };
  },
};
