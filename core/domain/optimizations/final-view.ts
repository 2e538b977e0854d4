import { finalViewStore } from '../../data/optimizations/final-view-store';
import { optimizationRepository } from '../../data/optimizations/optimization-repository';
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
    await finalViewStore.save(optimization.projectId, optimizationId, JSON.stringify(optimizationView(optimization, points)));
    await optimizationRepository.markFinalView(optimizationId);
  } catch (err) {
    logger.warn('The ended optimization was not kept whole; reads build it from its points', { optimizationId, error: (err as Error).message });
  }
}

/** The kept answer with the current name, or undefined (not ended, not kept, or gone). */
export async function finalView(optimization: Optimization): Promise<Record<string, unknown> | undefined> {
  if (!optimization.finalView || !ended(optimization)) return undefined;
  const json = await finalViewStore.read(optimization.projectId, optimization.optimizationId);
  if (!json) return undefined;
  return { ...(JSON.parse(json) as Record<string, unknown>), name: optimization.name };
}
