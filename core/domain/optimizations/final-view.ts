import { finalViewStore } from '../../data/optimizations/final-view-store';
import { optimizationRepository } from '../../data/optimizations/optimization-repository';
import { JsonText } from '../../shared/envelope';
import { logger } from '../../shared/logger';
import { optimizationView } from './optimization-view';
import type { Optimization } from './types';

const ended = (o: Pick<Optimization, 'status'>) => o.status === 'completed' || o.status === 'aborted';

/**
 * Keeps an ended optimization's read answer whole. Nothing about it changes any more except its
 * name (overlaid on read), so `optimizations/read` need not query every point again. Best effort:
 * without it, reads build the answer from the points as they do while it runs.
 */
export async function keepFinalView(optimizationId: string): Promise<void> {
  try {
    const { optimization, points } = await optimizationRepository.getWithPoints(optimizationId);
    if (!optimization || !ended(optimization)) return;
    // Kept without its name, which can still change: reads add the current one.
    const { name: _name, ...view } = optimizationView(optimization, points);
    await finalViewStore.save(optimization.projectId, optimizationId, JSON.stringify(view));
    await optimizationRepository.markFinalView(optimizationId);
  } catch (err) {
    logger.warn('The ended optimization was not kept whole; reads build it from its points', { optimizationId, error: (err as Error).message });
  }
}

/**
 * Kept answers never change once written (only the name, overlaid here), so a warm function keeps
 * the ones it served: the stored text, and the answer built from it under the current name. The
 * same answer object each time lets the envelope reuse the text it wrote around it
 * (`envelopeJson`), so serving it again copies nothing. Least recently used first out, within a
 * bound well inside the smallest function's memory; an entry counts twice its text (the stored
 * text and the answer written out once). A deleted optimization is never served from here: reads
 * find its table item first and answer "not found" without it.
 */
const CACHE_CHARS = 16 * 1024 * 1024;
interface Served {
  json: string;
  name: string;
  answer: JsonText;
}
const served = new Map<string, Served>();
let cachedChars = 0;

function forget(optimizationId: string): void {
  const entry = served.get(optimizationId);
  if (!entry) return;
  served.delete(optimizationId);
  cachedChars -= entry.json.length * 2;
}

function remember(optimizationId: string, entry: Served): void {
  forget(optimizationId);
  if (entry.json.length * 2 > CACHE_CHARS / 4) return;
  served.set(optimizationId, entry);
  cachedChars += entry.json.length * 2;
  for (const oldest of served.keys()) {
    if (cachedChars <= CACHE_CHARS) break;
    forget(oldest);
  }
}

/**
 * The name goes last: answers kept before the name was left out carry an old one, and JavaScript's
 * and Python's parsers keep a key's last value.
 */
function withName(json: string, name: string): JsonText {
  const separator = json === '{}' ? '' : ',';
  return new JsonText(`${json.slice(0, -1)}${separator}"name":${JSON.stringify(name)}}`);
}

/**
 * The kept answer with the current name, as JSON text passed through to the client untouched, or
 * undefined (not ended, not kept, or gone).
 */
export async function finalView(optimization: Optimization): Promise<JsonText | undefined> {
  if (!optimization.finalView || !ended(optimization)) return undefined;
  const { optimizationId, name } = optimization;
  const cached = served.get(optimizationId);
  if (cached?.name === name) {
    remember(optimizationId, cached); // most recently used
    return cached.answer;
  }
  const json = cached?.json ?? (await finalViewStore.read(optimization.projectId, optimizationId));
  if (!json?.endsWith('}') || json.length < 2) return undefined;
  const entry = { json, name, answer: withName(json, name) };
  remember(optimizationId, entry);
  return entry.answer;
}

/** Removes the kept answer from storage and from this function's memory. */
export async function removeFinalView(optimization: Pick<Optimization, 'projectId' | 'optimizationId'>): Promise<void> {
  forget(optimization.optimizationId);
  await finalViewStore.remove(optimization.projectId, optimization.optimizationId);
}
