import { chown, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * What LEAN, and so the user's algorithm, may see of the runner: an explicit, minimal environment
 * and, in the runner image, another user.
 *
 * LEAN runs user code. Started with the runner's environment it would hand that code
 * `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (the task role's credentials, one HTTP call away),
 * any `AWS_*` keys, the ECS metadata URIs and the runner's `LCS_*` settings. So LEAN gets only
 * what it needs to start: the search path, locale, .NET and Python variables the LEAN image sets
 * (Lean:`DockerfileLeanFoundation` ENV lines: PATH, PYTHONNET_PYDLL, LD_LIBRARY_PATH, MKL/CUDA/XLA
 * tuning, PIP_DEFAULT_TIMEOUT), the Docker client's when LEAN is started through `docker run`
 * (local mode; the container gets none of them), and what the runner sets on purpose.
 *
 * A clean environment is not enough on its own: a process of the same user can read the runner's
 * `/proc/<pid>/environ`. In the runner image LEAN therefore runs as the unprivileged `lean` user
 * (runner/Dockerfile; `LCS_LEAN_UID`/`LCS_LEAN_GID`), which cannot read a root process's environ,
 * ptrace it, or read the runner's files. What remains reachable, and what narrows it:
 * - the ECS credentials endpoint (169.254.170.2) and the task metadata endpoint, over the network:
 *   both are in the task's network namespace, and Fargate grants no NET_ADMIN for an iptables
 *   owner rule dropping the `lean` uid's traffic there. The credentials endpoint answers only under
 *   the task's random relative URI, which only root processes' environments hold (the runner's,
 *   tini's); runner/settings.ts refuses to run LEAN as the runner in the image when the runner
 *   holds task-role credentials. The role is per stack, not per job: keep it minimal. Closed for
 *   good only by running LEAN in a separate task without a role;
 * - LEAN's API credential in its config (`api-access-token`): a job credential minted for this
 *   job only (runner/job-credentials.ts), never the user's token: limited to the endpoints LEAN
 *   uses in the job's organisation and project, revoked when the job ends;
 * - anything on the network the task's security group allows.
 */

/** Variables passed through by exact name. */
const PASSED = new Set([
  'PATH',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TERM',
  'TMPDIR',
  'LD_LIBRARY_PATH',
  'PYTHONNET_PYDLL',
  'PYTHONHOME',
  'PYTHONPATH',
  'PIP_DEFAULT_TIMEOUT',
  'MKL_THREADING_LAYER',
  'XLA_FLAGS',
  'DOCKER_HOST',
  'DOCKER_CONTEXT',
  'DOCKER_CONFIG',
  'DOCKER_CERT_PATH',
  'DOCKER_TLS_VERIFY',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
]);
/** Variables passed through by prefix (.NET, locale, CUDA/PyTorch tuning). */
const PASSED_PREFIXES = ['DOTNET_', 'LC_', 'CUDA_', 'PYTORCH_'];
/** Never passed, whatever the lists above say: secrets and the runner's own settings. */
const NEVER = /^(AWS_|ECS_|LCS_)|SECRET|TOKEN|PASSWORD|CREDENTIAL|_KEY$|^KEY$/i;

/**
 * LEAN's environment: the allowed variables of `source` (the runner's own), then `extra` (set by
 * the runner on purpose, e.g. HOME and PYTHONUSERBASE). `extra` is not filtered.
 */
export function leanEnvironment(source: NodeJS.ProcessEnv, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined || NEVER.test(name)) continue;
    if (PASSED.has(name) || PASSED_PREFIXES.some((prefix) => name.startsWith(prefix))) env[name] = value;
  }
  env.DOTNET_NOLOGO = 'true';
  env.DOTNET_CLI_TELEMETRY_OPTOUT = 'true';
  env.HOME = source.HOME ?? '/tmp';
  return { ...env, ...extra };
}

/** The user LEAN runs as: uid, gid and home. */
export interface LeanUser {
  uid: number;
  gid: number;
  home?: string;
}

/**
 * The user to start LEAN as, or undefined to keep the runner's own. Switching needs root: an
 * unprivileged runner (local mode, tests) cannot, and starts LEAN as itself, with the clean
 * environment only.
 */
export function leanUser(configured: LeanUser | undefined, runnerUid: number | null = process.getuid?.() ?? null): LeanUser | undefined {
  if (!configured || runnerUid !== 0 || configured.uid === 0) return undefined;
  return configured;
}

/** Hands a job folder over to LEAN's user: everything in it, recursively (the runner, root, keeps access). */
export async function giveTo(dir: string, user: LeanUser): Promise<void> {
  await chown(dir, user.uid, user.gid);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isDirectory()) await giveTo(path, user);
    else if (!entry.isSymbolicLink()) await chown(path, user.uid, user.gid);
  }
}
