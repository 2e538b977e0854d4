/**
 * Per-organisation rate limits (design §5): in AWS every organisation has an API Gateway API key
 * whose value is the organisation id, attached to the stack's usage plan; the authorizer names that
 * key as the request's usage identifier. Local mode has no usage plan, so attaching is a no-op.
 */
export interface UsagePlanKeys {
  /** Makes sure the organisation's API key exists and is on the usage plan (safe to repeat). */
  attach(org: { id: string; name: string }): Promise<void>;
}

/** Deployments without a usage plan (local mode): attaching is a no-op. */
export const noUsagePlanKeys: UsagePlanKeys = {
  async attach() {},
};
