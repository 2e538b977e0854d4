import { backtestRepository } from '../../data/backtests/backtest-repository';
import { NotFoundError } from '../../shared/errors';
import type { Principal } from '../../shared/principal';
import { type ProjectAccess, projectAccess } from '../identity/access';
import type { Backtest } from './types';

/**
 * A backtest the caller may read (or change): the project's access rules first, so another
 * organisation's backtest is "not found" exactly like a missing one.
 */
export async function backtestAccess(
  principal: Principal,
  projectId: number,
  backtestId: string,
  need: 'read' | 'write',
): Promise<{ access: ProjectAccess; backtest: Backtest }> {
  const access = await projectAccess(principal, projectId, need);
  const backtest = await backtestRepository.get(projectId, backtestId);
  if (!backtest) throw new NotFoundError('Backtest');
  return { access, backtest };
}
