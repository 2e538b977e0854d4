import type { LocalFile } from './walk';

/**
 * The top-level folders of LEAN's data folder: its security types (SecurityType, lower case) and
 * the reference folders LEAN reads besides them. A key under any other top folder is never read.
 */
export const LEAN_TOP_FOLDERS = [
  'alternative',
  'base',
  'cfd',
  'commodity',
  'crypto',
  'cryptofuture',
  'equity',
  'forex',
  'future',
  'futureoption',
  'index',
  'indexoption',
  'market-hours',
  'option',
  'symbol-properties',
];

/** A note for a push whose keys LEAN would not read (a folder one level too high or too low), or undefined. */
export function layoutWarning(files: readonly LocalFile[], folder: string): string | undefined {
  const known = new Set(LEAN_TOP_FOLDERS);
  const tops = [...new Set(files.filter((f) => f.key.includes('/')).map((f) => f.key.split('/')[0] as string))];
  const unknown = tops.filter((t) => !known.has(t));
  const looseFiles = files.length > 0 && files.every((f) => !f.key.includes('/'));
  if (unknown.length === 0 && !looseFiles) return undefined;
  // The LEAN folder one level down (data/equity/…): push that folder instead.
  const inner = unknown.find((t) => files.some((f) => known.has(f.key.split('/')[1] ?? '') && f.key.startsWith(`${t}/`) && f.key.split('/').length > 2));
  const what = looseFiles
    ? 'only files at its top level'
    : `top-level folder${unknown.length === 1 ? '' : 's'} ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''}`;
  const fix = inner
    ? `push ${folder.replace(/\/+$/, '')}/${inner} instead (it holds LEAN's ${LEAN_TOP_FOLDERS.filter((k) => files.some((f) => f.key.startsWith(`${inner}/${k}/`))).join(', ')})`
    : 'push the folder that holds equity/, forex/, … or pass --prefix <path> to put these files under it (e.g. --prefix equity/usa/daily)';
  return `${folder} has ${what}, which LEAN never reads (it reads keys like equity/usa/daily/spy.zip under ${LEAN_TOP_FOLDERS.slice(0, 6).join(', ')}, …): ${fix}`;
}
