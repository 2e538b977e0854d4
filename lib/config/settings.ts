import { existsSync, readFileSync } from 'node:fs';
import * as z from 'zod';

/**
 * Deployment settings, one typed source for the CDK app and local mode (so, e.g., the local server
 * enforces the same per-organisation rate limits as the deployed usage plans). Read from
 * `lcs.config.json` when present; CDK context (`-c key=value`) overrides single values.
 */
export const settingsSchema = z.object({
  /** Names resources and stacks: `lcs-<stage>`. */
  stage: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,20}$/)
    .default('prod'),
  /** `dev` turns deletion protection off and lets stacks be destroyed with their data. */
  environment: z.enum(['prod', 'dev']).default('prod'),
  rateLimit: z
    .object({
      /** Steady requests per second per organisation. */
      ratePerSecond: z.number().positive().default(50),
      /** Short bursts above the steady rate. */
      burst: z.number().int().positive().default(100),
      /** Requests per organisation per day (0: no quota). */
      dailyQuota: z.number().int().min(0).default(0),
    })
    .default({ ratePerSecond: 50, burst: 100, dailyQuota: 0 }),
  auth: z
    .object({
      /** QuantConnect hash window, seconds back and ahead (contract §1.2). */
      hashMaxAgeSeconds: z.number().int().positive().default(7200),
      hashMaxAheadSeconds: z.number().int().min(0).default(300),
      /** API Gateway authorizer cache TTL (0 disables; revocations take this long to apply). */
      authorizerCacheSeconds: z.number().int().min(0).max(3600).default(60),
      basicAuth: z.boolean().default(false),
      /** Use this OIDC issuer instead of the stack's Cognito user pool. */
      jwtIssuer: z.string().url().optional(),
      jwtAudience: z.string().optional(),
      jwtJwksUrl: z.string().url().optional(),
      jwtUserClaim: z.string().default('email'),
    })
    .default({ hashMaxAgeSeconds: 7200, hashMaxAheadSeconds: 300, authorizerCacheSeconds: 60, basicAuth: false, jwtUserClaim: 'email' }),
  /** The first admin, created at deploy time; its API token is put in Secrets Manager. */
  firstAdmin: z
    .object({
      email: z.string().email().default('admin@example.com'),
      name: z.string().default('Administrator'),
      organization: z.string().default('Default Organization'),
    })
    .default({ email: 'admin@example.com', name: 'Administrator', organization: 'Default Organization' }),
  logRetentionDays: z.number().int().positive().default(30),
  /** Application log level of every function (LCS_LOG_LEVEL and the Lambda log filter). */
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  /**
   * Ceiling on the whole API stage, all organisations together (the per-organisation limits are
   * `rateLimit`): protects the account's Lambda concurrency and budget from a flood.
   */
  apiThrottle: z
    .object({ ratePerSecond: z.number().positive().default(500), burst: z.number().int().positive().default(1000) })
    .default({ ratePerSecond: 500, burst: 1000 }),
  auditRetentionDays: z.number().int().positive().default(400),
  /** Optional WAF rate rule on failed authentication per source IP. */
  authFailureWaf: z.boolean().default(false),
});

export type Settings = z.infer<typeof settingsSchema>;

export function loadSettings(file = 'lcs.config.json', overrides: Record<string, unknown> = {}): Settings {
  const fromFile = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  const parsed = settingsSchema.safeParse({ ...fromFile, ...overrides });
  if (!parsed.success) {
    throw new Error(`Invalid settings in ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
