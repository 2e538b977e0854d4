import { compileRepository } from '../../data/backtests/backtest-repository';
import { ConflictError, InvalidError, NotFoundError } from '../../shared/errors';
import type { Principal } from '../../shared/principal';
import { projectAccess } from '../identity/access';
import type { Compile } from './types';

/**
 * Reading compiles: compile/read, and the check backtests/create makes. Apart from compile-service
 * so that these functions' bundles carry neither the Python parser nor the snapshot writer.
 */
export const compileReads = {
  async readCompile(principal: Principal, projectId: number, compileId: string) {
    const { project } = await projectAccess(principal, projectId, 'read');
    const compile = await compileRepository.get(project.id, compileId);
    if (!compile || compile.orgId !== project.orgId) throw new NotFoundError('Compile');
    return { compileId: compile.compileId, state: compile.state, logs: compile.state === 'InQueue' ? [] : compile.logs };
  },
};

/**
 * The compile a backtest runs (backtests/create): it must belong to the project and have built.
 * The caller has already checked access to the project.
 */
export async function getCompileForBacktest(projectId: number, compileId: string): Promise<Compile> {
  const compile = await compileRepository.get(projectId, compileId);
  if (!compile) throw new NotFoundError('Compile');
  if (compile.state === 'BuildError')
    throw new InvalidError(`compileId: the compile failed (BuildError); fix the errors shown by compile/read and compile again`);
  if (compile.state === 'InQueue') throw new ConflictError(`compileId: the compile is still in queue; wait until compile/read shows BuildSuccess`);
  return compile;
}
