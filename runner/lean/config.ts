import { existsSync } from 'node:fs';
import type { Backtest } from '../../core/domain/backtests/types';

/**
 * LEAN's config for one backtest (lean-runtime §2.1, §8 step 4). Paths are absolute so the same
 * config works for the launcher in the image (cwd /Lean/Launcher/bin/Debug), a local launcher
 * or a container with the job folder mounted at the same path.
 */
export interface LeanConfigInput {
  backtest: Pick<Backtest, 'backtestId' | 'name' | 'projectId' | 'orgId' | 'parameterSet'>;
  language: 'Py' | 'C#';
  projectDir: string;
  resultsDir: string;
  storageDir: string;
  dataDir: string;
  apiUrl?: string;
  /** The job credential (`job-user-id`, `api-access-token`), never a user's own token. */
  credentials?: { userId: number; token: string };
  /** C#: the assembly the build produced and, when the source tells, the algorithm class. */
  assembly?: { file: string; typeName?: string };
}

export function leanConfig(input: LeanConfigInput): Record<string, unknown> {
  const { backtest } = input;
  const python = input.language === 'Py';
  return {
    environment: 'backtesting',
    'algorithm-id': backtest.backtestId,
    'backtest-name': backtest.name,
    'algorithm-language': python ? 'Python' : 'CSharp',
    // C#: LEAN needs the class name only when the assembly holds several algorithm classes
    // (Lean:`AlgorithmFactory/Loader.cs`); without one it loads the single class it finds.
    ...(python ? { 'algorithm-type-name': 'main' } : input.assembly?.typeName ? { 'algorithm-type-name': input.assembly.typeName } : {}),
    'algorithm-location': python ? `${input.projectDir}/main.py` : (input.assembly?.file ?? ''),
    // Only folders that exist: LEAN logs an ERROR line for each missing one on every run
    // (Lean:`Common/Python/PythonInitializer.cs` ConfigurePythonPaths), which a failure would then quote.
    'python-additional-paths': python ? [`${input.projectDir}/Library`].filter((dir) => existsSync(dir)) : [],
    'data-folder': input.dataDir,
    'results-destination-folder': input.resultsDir,
    'object-store-root': input.storageDir,
    'close-automatically': true,
    debugging: false,
    'debugging-method': 'LocalCmdline',
    // No `composer-dll-directory`: LEAN then loads its handlers from the launcher's own folder
    // (Lean:`Common/Util/Composer.cs`, AppDomain base directory), wherever it runs. `.` (lean-cli's
    // value) holds only in the launcher's folder: a launcher run from the job folder
    // (LCS_LEAN_COMMAND) found no handler there and could not start.
    'project-id': backtest.projectId,
    'job-organization-id': backtest.orgId,
    'job-user-id': input.credentials ? String(input.credentials.userId) : '0',
    'api-access-token': input.credentials?.token ?? '',
    ...(input.apiUrl ? { 'api-url': input.apiUrl } : {}),
    // LEAN reads its parameters as a string map (Lean:`Launcher/config.json` "parameters"); the backtest keeps their JSON types.
    parameters: Object.fromEntries(Object.entries(backtest.parameterSet).map(([k, v]) => [k, String(v)])),
    // LEAN downloads missing data through this API (data/read links). Every job has a job
    // credential (runner/job-credentials.ts), token or not, so every user gets the same providers.
    ...(input.credentials && input.apiUrl
      ? {
          'data-provider': 'QuantConnect.Lean.Engine.DataFeeds.ApiDataProvider',
          'map-file-provider': 'QuantConnect.Data.Auxiliary.LocalZipMapFileProvider',
          'factor-file-provider': 'QuantConnect.Data.Auxiliary.LocalZipFactorFileProvider',
        }
      : {}),
    'storage-limit': 10 * 1024 ** 3,
    'storage-file-count': 10_000,
  };
}
