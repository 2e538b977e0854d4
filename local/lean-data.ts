import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Local mode's LEAN data folder starts empty, but LEAN reads some files straight from it while it
 * constructs the algorithm, before any download: `market-hours/market-hours-database.json`
 * (Lean:Common/Securities/MarketHoursDatabase.cs, awaited in Lean:Engine/Engine.cs) and
 * `symbol-properties/symbol-properties-database.csv` (Lean:Common/Securities/SymbolPropertiesDatabase.cs,
 * read by the QCAlgorithm constructor); and the runner builds the map/factor zips LEAN looks for
 * from the CSV map/factor folders (runner/map-factor-files.ts). So the folder is seeded from LEAN's
 * own data folder: the LEAN installation's `Data` folder named by LCS_LEAN_DATA_DIR when LEAN runs
 * through LCS_LEAN_COMMAND, or the image's `/Lean/Data` when it runs in Docker. A marker records
 * what was copied (the folder's state, or the image id), so a new image or installation re-seeds
 * and an unchanged one is not copied again.
 */

/** The folders copied, relative to LEAN's data folder. */
export const SEEDED_FOLDERS = ['market-hours', 'symbol-properties', 'equity/usa/map_files', 'equity/usa/factor_files'] as const;
/** Without these LEAN cannot construct an algorithm. */
const REQUIRED_FILES = ['market-hours/market-hours-database.json', 'symbol-properties/symbol-properties-database.csv'];
const MARKER = '.lcs-seeded-from.json';
/** Where LEAN's data folder is in the quantconnect/lean image (lean-runtime §1). */
const IMAGE_DATA_DIR = '/Lean/Data';

/** Why `dir` cannot serve as LEAN's data folder, or undefined when it can. */
export function leanDataProblem(dir: string | undefined): string | undefined {
  if (!dir) {
    return 'LCS_LEAN_COMMAND is set but LCS_LEAN_DATA_DIR is not: set it to the Data folder of that LEAN installation (the one holding market-hours/ and symbol-properties/), which LEAN needs to start a backtest';
  }
  const missing = REQUIRED_FILES.filter((file) => !existsSync(join(dir, file)));
  if (missing.length) return `LCS_LEAN_DATA_DIR (${dir}) is not LEAN's data folder: ${missing.join(' and ')} missing`;
  return undefined;
}

function readMarker(target: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(target, MARKER), 'utf8')) as { source?: string }).source;
  } catch {
    return undefined;
  }
}

/** Seeded from `source` already, and nothing LEAN needs has gone missing since. */
function seededFrom(target: string, source: string): boolean {
  return readMarker(target) === source && REQUIRED_FILES.every((f) => existsSync(join(target, f)));
}

function writeMarker(target: string, source: string): void {
  writeFileSync(join(target, MARKER), `${JSON.stringify({ source, seeded: new Date().toISOString() })}\n`);
}

/** A folder's state for the marker: its path and the sizes and times of what is copied from it. */
function folderState(source: string): string {
  const parts = SEEDED_FOLDERS.flatMap((folder) => {
    const path = join(source, folder);
    if (!existsSync(path)) return [];
    return readdirSync(path)
      .sort()
      .map((name) => {
        const s = statSync(join(path, name));
        return `${folder}/${name}:${s.size}:${Math.floor(s.mtimeMs)}`;
      });
  });
  return `dir:${source}#${parts.join(',')}`;
}

function copyFolders(from: string, target: string): void {
  for (const folder of SEEDED_FOLDERS) {
    const path = join(from, folder);
    if (existsSync(path)) cpSync(path, join(target, folder), { recursive: true, force: true });
  }
}

/** Seeds `target` from a LEAN data folder on this machine; true when it copied. */
export function seedFromFolder(target: string, source: string): boolean {
  const state = folderState(source);
  if (seededFrom(target, state)) return false;
  mkdirSync(target, { recursive: true });
  copyFolders(source, target);
  writeMarker(target, state);
  return true;
}

/** Runs the docker client without blocking the server (a pull can take many minutes). */
function docker(client: string, args: string[], timeoutMs = 60_000): Promise<{ ok: boolean; out: string; err: string }> {
  return new Promise((done) => {
    execFile(client, args, { timeout: timeoutMs, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      done({ ok: !error, out: (stdout ?? '').trim(), err: (stderr || error?.message || '').trim() }),
    );
  });
}

/**
 * Seeds `target` from the image's /Lean/Data, once per image id (pulling the image first if it is
 * not here, unless `pull` is false: then nothing happens): a stopped container is created, the folders are copied out with `docker cp` (written
 * as this user), and the container is removed. True when it copied; throws with docker's message.
 */
export async function seedFromImage(target: string, image: string, client = 'docker', options: { pull?: boolean } = {}): Promise<boolean> {
  let id = await docker(client, ['image', 'inspect', '--format', '{{.Id}}', image]);
  if (!id.ok && options.pull === false) return false;
  if (!id.ok) {
    const pull = await docker(client, ['pull', image], 60 * 60_000);
    if (!pull.ok) throw new Error(`docker pull ${image} failed: ${pull.err}`);
    id = await docker(client, ['image', 'inspect', '--format', '{{.Id}}', image]);
    if (!id.ok) throw new Error(`docker image inspect ${image} failed: ${id.err}`);
  }
  const source = `image:${id.out}`;
  if (seededFrom(target, source)) return false;
  const name = `lcs-data-${randomBytes(4).toString('hex')}`;
  const created = await docker(client, ['create', '--name', name, image]);
  if (!created.ok) throw new Error(`docker create ${image} failed: ${created.err}`);
  const staging = join(target, `.lcs-seed-${name}`);
  try {
    for (const folder of SEEDED_FOLDERS) {
      const into = join(staging, folder);
      mkdirSync(join(into, '..'), { recursive: true });
      const copied = await docker(client, ['cp', `${name}:${IMAGE_DATA_DIR}/${folder}`, into], 10 * 60_000);
      if (!copied.ok && REQUIRED_FILES.some((f) => f.startsWith(`${folder}/`))) {
        throw new Error(`docker cp ${IMAGE_DATA_DIR}/${folder} out of ${image} failed: ${copied.err}`);
      }
    }
    copyFolders(staging, target);
    writeMarker(target, source);
    return true;
  } finally {
    rmSync(staging, { recursive: true, force: true });
    await docker(client, ['rm', '-f', name]);
  }
}
