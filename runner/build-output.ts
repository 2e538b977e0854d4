/**
 * What a C# build leaves for the backtests of its compile (lean-runtime §2.2): the build job
 * uploads its output under this prefix of the artifacts bucket, and a backtest copies it into
 * LEAN's launcher folder and names the assembly in `algorithm-location`.
 */

/**
 * The algorithm's assembly name: unique per compile, because the runner copies the build into
 * LEAN's folder without overwriting, and a name that already exists there (or from another
 * compile) would silently keep the wrong DLL (lean-runtime §2.2).
 */
export function buildAssemblyName(projectId: number, compileId: string): string {
  return `QCAlgorithm_${projectId}_${compileId.replace(/[^0-9a-f]/g, '').slice(-16)}`;
}

export function buildOutputPrefix(projectId: number, compileId: string): string {
  return `projects/${projectId}/compiles/${compileId}/bin/`;
}
