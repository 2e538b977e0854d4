import { opendir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** One file of a local LEAN data folder and the bucket key it goes to (its relative path). */
export interface LocalFile {
  key: string;
  path: string;
  size: number;
}

/** S3 allows 1,024 bytes of UTF-8 per key. */
const MAX_KEY_BYTES = 1024;

/** Why a relative path cannot be a bucket key, or undefined when it can. */
export function invalidKey(key: string): string | undefined {
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) return `longer than ${MAX_KEY_BYTES} bytes`;
  if (key.includes('\\')) return 'contains a backslash';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is rejected
  if (/[\u0000-\u001f\u007f]/.test(key)) return 'contains a control character';
  if (key.includes('\uFFFD')) return 'is not valid UTF-8';
  return undefined;
}

/**
 * Every regular file under `root`, keyed by its relative path with forward slashes, in a stable
 * order. Dotfiles and dot-folders (.DS_Store, .git) are skipped, as is anything that is not a
 * regular file (symbolic links, sockets). A path that cannot be a key fails the whole walk, before
 * anything is uploaded.
 */
export async function walkFolder(root: string): Promise<LocalFile[]> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(root);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `folder ${root} does not exist` : `cannot read ${root}: ${(err as Error).message}`);
  }
  if (!info.isDirectory()) throw new Error(`${root} is not a folder`);
  const files: LocalFile[] = [];
  const visit = async (dir: string, prefix: string): Promise<void> => {
    const entries = [];
    for await (const entry of await opendir(dir)) entries.push(entry);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      const key = `${prefix}${entry.name}`;
      if (entry.isDirectory()) await visit(path, `${key}/`);
      else if (entry.isFile()) {
        const problem = invalidKey(key);
        if (problem) throw new Error(`cannot upload ${path}: its path ${problem}`);
        files.push({ key, path, size: (await stat(path)).size });
      }
    }
  };
  await visit(root, '');
  return files;
}
