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
 * The kept answer with the current name, as JSON text passed through to the client untouched, or
 * undefined (not ended, not kept, or gone). The name goes last: answers kept before the name was
 * left out carry an old one, and JavaScript's and Python's parsers keep a key's last value.
 */
export async function finalView(optimization: Optimization): Promise<JsonText | undefined> {
  if (!optimization.finalView || !ended(optimization)) return undefined;
  const json = await finalViewStore.read(optimization.projectId, optimization.optimizationId);
  if (!json?.endsWith('}') || json.length < 2) return undefined;
  const separator = json === '{}' ? '' : ',';
  return new JsonText(`${json.slice(0, -1)}${separator}"name":${JSON.stringify(optimization.name)}}`);
}
