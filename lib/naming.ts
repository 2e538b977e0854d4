import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Settings } from './config/settings';

/** Names and per-environment policies shared by every stack and construct. */
export const SERVICE_NAME = 'lean-cloud-server';

/** `lcs-<stage>`: prefixes stack names and the few physical names people type. */
export function prefix(settings: Settings): string {
  return `lcs-${settings.stage}`;
}

/** CloudWatch namespace of the Powertools metrics (one per stage, so stages never mix). */
export function metricsNamespace(settings: Settings): string {
  return `LeanCloudServer/${settings.stage}`;
}

/**
 * Data is retained unless the stage is a disposable `dev` environment, except when the stack
 * that created it rolls back: a failed first deploy would otherwise leave the fixed-name table
 * and buckets behind, and the retry would fail on "already exists" (CloudFormation's
 * `RetainExceptOnCreate`).
 */
export function removalPolicy(settings: Settings): RemovalPolicy {
  return settings.environment === 'dev' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
}

const RETENTIONS = Object.values(RetentionDays).filter((v): v is RetentionDays => typeof v === 'number' && v > 0);

/** CloudWatch Logs accepts only some retention periods; anything else is a configuration error. */
export function retentionDays(days: number): RetentionDays {
  const match = RETENTIONS.find((r) => r === days);
  if (match === undefined) {
    throw new Error(`logRetentionDays ${days} is not a CloudWatch Logs retention; use one of ${[...RETENTIONS].sort((a, b) => a - b).join(', ')}`);
  }
  return match;
}

/** `projects/collaboration/lock/acquire` → `ProjectsCollaborationLockAcquire` (construct ids). */
export function pascal(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}
