/**
 * Names the infrastructure (lib/) and the code it deploys must agree on. They live here, in the
 * shared core, so the CDK app reads them without importing an adapter or a repository.
 */

/** The container that runs the runner in every task definition (the jobs stack names it). */
export const RUNNER_CONTAINER = 'runner';

/** Where the job travels to the runner: an environment override of the runner container. */
export const JOB_ENV = 'LCS_JOB';

/**
 * The encryption context of every API token KMS encrypts; the key's grants require it, so a role
 * allowed to decrypt tokens cannot decrypt anything else with the same key.
 */
export const KMS_CONTEXT = { purpose: 'lcs-api-token' };

/**
 * Where a live runner finds its deployment's brokerage and data-feed credentials: a JSON object of
 * LEAN config keys, injected from the deployment's secret (core/ports/live-services.ts).
 */
export const LIVE_SECRETS_ENV = 'LCS_LIVE_SECRETS';

/** The name of a deployment's secret: `<prefix>/live/<deploy id>`; the execution role reads only these. */
export function liveSecretName(prefix: string, deployId: string): string {
  return `${prefix}/live/${deployId}`;
}
