/**
 * The live-services port (design §8, §12): how the live domain keeps one long-lived runner per
 * deployment without knowing what runs it. In AWS an ECS service (desiredCount 1) in the jobs
 * cluster implements it (core/aws/ecs-live-services.ts); in local mode a supervised child process
 * (local/). The runner inside reads `LCS_JOB` (a {@link LiveRunnerJob}) and, when the deployment
 * has brokerage or data-feed credentials, `LCS_LIVE_SECRETS` (a JSON object of LEAN config keys to
 * values): AWS injects the latter from the deployment's own secret through the task definition's
 * `secrets`, so no table item, response or log line ever carries it.
 */

/** The job a live runner runs: names the deployment; everything else is read from the table. */
export interface LiveRunnerJob {
  kind: 'live';
  orgId: string;
  projectId: number;
  deployId: string;
}

export interface LiveStartRequest {
  job: LiveRunnerJob;
  /** Live node SKU (`L-MICRO`, …): picks the task size. */
  sku: string;
  /** The deployment's secret (an ARN in AWS, a key locally) from {@link DeploymentSecrets.create}; absent when it has none. */
  secretRef?: string;
}

export interface LiveServices {
  /**
   * Starts the deployment's runner and keeps one running: a runner that exits or a task that
   * dies is replaced by the same deployment, never a second one. Idempotent per deploy id.
   */
  start(request: LiveStartRequest): Promise<{ serviceRef: string }>;
  /** Stops keeping it running and removes it (after the runner wrote LEAN's final files). Safe to repeat. */
  remove(serviceRef: string, reason: string): Promise<void>;
}

/**
 * One secret per deployment holding its brokerage and data-feed credentials (design §8): Secrets
 * Manager, encrypted with the app key, in AWS; the local secret folder in local mode.
 */
export interface DeploymentSecrets {
  /** Stores the values and answers the reference {@link LiveStartRequest.secretRef} takes. */
  create(deployId: string, values: Record<string, string>): Promise<string>;
  /** Deletes the secret with its deployment. Safe to repeat. */
  remove(secretRef: string): Promise<void>;
}
