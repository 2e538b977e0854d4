import { MODULES_PREFIX } from '../../core/data/market-data/market-data-store';
import type { LocalFile } from '../data/walk';

/** The layout `lcs modules push` takes: `<folder>/<productId>/<Package>.<version>.nupkg`. */

/** lean-cli reads a package's name as the text before the first `.<digit>` (`NuGetPackage.parse`); anything else crashes it. */
const PACKAGE_FILE = /^[^\d/]+\.\d[^/]*\.nupkg$/;

/** Why a file of the folder cannot be a module file, or undefined. */
export function moduleFileProblem(relative: string): string | undefined {
  const parts = relative.split('/');
  if (parts.length !== 2 || !/^[1-9]\d{0,9}$/.test(parts[0] as string)) return 'must be <productId>/<file>, a product id folder holding its packages';
  if (!PACKAGE_FILE.test(parts[1] as string)) return 'must be a NuGet package named <Package>.<version>.nupkg';
  return undefined;
}

/** The folder's files as module keys; any file that does not fit refuses the whole push, before any upload. */
export function moduleFiles(files: LocalFile[]): LocalFile[] {
  const problems = files.flatMap((f) => {
    const problem = moduleFileProblem(f.key);
    return problem ? [`${f.key}: ${problem}`] : [];
  });
  if (problems.length) throw new Error(`not pushed; ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}`);
  if (files.length === 0) throw new Error('not pushed: the folder holds no <productId>/<Package>.<version>.nupkg files');
  return files.map((f) => ({ ...f, key: `${MODULES_PREFIX}${f.key}` }));
}
