import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { objectStoreRepository } from '../core/data/objects/object-store-repository';
import { objectKeyProblem } from '../core/domain/objects/object-key-rules';
import { objectStoreService } from '../core/domain/objects/object-store-service';
import { listFiles } from './workspace';

/**
 * Open-source LEAN only has LocalObjectStore, a folder (`object-store-root`), and makes no object
 * API calls (lean-runtime §3). So the runner copies the organisation's objects into that folder
 * before LEAN starts and writes back what changed when it ends: new and changed values are stored
 * within the organisation's quota, deleted ones removed. Changes are found by content hash.
 */
const MAX_OBJECTS = 10_000;

export interface ObjectSnapshot {
  /** Organisation-relative key → MD5 of what was copied in. */
  md5s: Map<string, string>;
}

const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

export async function pullObjects(orgId: string, root: string): Promise<ObjectSnapshot> {
  const md5s = new Map<string, string>();
  const listed = await objectStoreRepository.listAll(orgId, '', MAX_OBJECTS);
  for (const { key } of listed.slice(0, MAX_OBJECTS)) {
    const data = await objectStoreRepository.read(orgId, key);
    const target = join(root, ...key.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, data);
    md5s.set(key, md5(data));
  }
  return { md5s };
}

/** Writes back the folder's changes; returns problems (quota, bad keys) to show in the job log. */
export async function pushObjects(orgId: string, root: string, before: ObjectSnapshot): Promise<{ stored: number; removed: number; problems: string[] }> {
  const problems: string[] = [];
  const seen = new Set<string>();
  let stored = 0;
  let removed = 0;
  for (const file of await listFiles(root)) {
    const key = relative(root, file).split(sep).join('/');
    seen.add(key);
    const problem = objectKeyProblem(key);
    if (problem) {
      problems.push(`object '${key}' not saved: ${problem}`);
      continue;
    }
    const data = await readFile(file);
    if (before.md5s.get(key) === md5(data)) continue;
    try {
      await objectStoreService.store(orgId, key, data);
      stored++;
    } catch (err) {
      problems.push(`object '${key}' not saved: ${(err as Error).message}`);
    }
  }
  for (const key of before.md5s.keys()) {
    if (!seen.has(key) && (await objectStoreService.remove(orgId, key))) removed++;
  }
  return { stored, removed, problems };
}
