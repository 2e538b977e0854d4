import { existsSync, readFileSync } from 'node:fs';
import * as z from 'zod';

/**
 * quantconnect/lean on Docker Hub, pinned by digest (a tag moves). Check which LEAN build it is
 * with `docker buildx imagetools inspect` before deploying, and mirror it to ECR (docs/jobs.md).
 */
export const DEFAULT_LEAN_IMAGE = 'quantconnect/lean@sha256:dc84a683464681b2e6c9579bc7655e16d4802380367c77004e40a6a504088bd7';

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
      /**
       * data/read's own limit per organisation (the usage plan's method throttle): LEAN fetches
       * each data file it lacks with one data/read, and a refused one is missing data, not a retry
       * (issue 20 item 14). The default carries about ten backtests loading data at once.
       */
      dataRead: z
        .object({ ratePerSecond: z.number().positive().default(250), burst: z.number().int().positive().default(500) })
        .default({ ratePerSecond: 250, burst: 500 }),
    })
    .default({ ratePerSecond: 50, burst: 100, dailyQuota: 0, dataRead: { ratePerSecond: 250, burst: 500 } }),
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
      /** An email claim is trusted only with `email_verified: true` from the issuer. */
      jwtRequireEmailVerified: z.boolean().default(true),
      /** Failed authentications allowed at once per source address and per user id, refilled per minute (0: no budget). */
      failureBurst: z.number().int().min(0).default(20),
      failuresPerMinute: z.number().int().positive().default(20),
    })
    .default({
      hashMaxAgeSeconds: 7200,
      hashMaxAheadSeconds: 300,
      authorizerCacheSeconds: 60,
      basicAuth: false,
      jwtUserClaim: 'email',
      jwtRequireEmailVerified: true,
      failureBurst: 20,
      failuresPerMinute: 20,
    }),
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
  /**
   * AI tools (ai/tools/backtest-init, complete, error-enhance, search) through Amazon Bedrock: a
   * foundation model id enabled in the account and region, e.g. `anthropic.claude-3-5-haiku-20241022-v1:0`.
   * Off when absent: those tools answer that AI tools are not enabled.
   */
  ai: z.object({ modelId: z.string().min(1).optional() }).default({}),
  /**
   * The web console's sign-in with an external OIDC issuer (`auth.jwtIssuer`): the console's client
   * at that issuer (public, authorization code + PKCE, redirect URI = the console stack's
   * ConsoleUrl output with a trailing `/`) and its endpoints. Without it such a deployment's console
   * asks for a user id and API token; with the stack's own user pool the console has its own client.
   */
  console: z
    .object({
      oidc: z
        .object({
          clientId: z.string().min(1),
          authorizeUrl: z.string().url().startsWith('https://'),
          tokenUrl: z.string().url().startsWith('https://'),
          /** The issuer's end-session endpoint, called on sign-out with `client_id` and `post_logout_redirect_uri`. */
          logoutUrl: z.string().url().startsWith('https://').optional(),
        })
        .optional(),
    })
    .default({}),
  /** Optional WAF rate rule on failed authentication per source IP. */
  authFailureWaf: z.boolean().default(false),
  /** Jobs on ECS Fargate (docs/jobs.md). */
  jobs: z
    .object({
      /** Start runner tasks on Fargate Spot (about 70% cheaper), on-demand Fargate when Spot has no capacity. */
      spot: z.boolean().default(true),
      /** Deliveries of one job message before it goes to the dead-letter queue. */
      maxReceiveCount: z.number().int().min(1).max(100).default(5),
      /** Task ephemeral storage, GiB: the LEAN image is pulled and unpacked onto it (Fargate: 21–200). */
      ephemeralStorageGiB: z.number().int().min(21).max(200).default(60),
      /** Wall-clock limit of one backtest, seconds (LCS_BACKTEST_MAX_SECONDS of the runner). */
      backtestMaxSeconds: z
        .number()
        .int()
        .min(60)
        .default(12 * 3600),
      /** Alarm when the oldest queued job message is older than this, seconds. */
      queueAgeAlarmSeconds: z.number().int().min(60).default(900),
      /** The LEAN engine image the runner is built on: pinned by digest; an ECR mirror in production. */
      leanImage: z
        .string()
        .regex(/^[a-z0-9._\-/:]+@sha256:[0-9a-f]{64}$/, 'must be pinned by digest: <repository>@sha256:<64 hex>')
        .default(DEFAULT_LEAN_IMAGE),
    })
    .default({
      spot: true,
      maxReceiveCount: 5,
      ephemeralStorageGiB: 60,
      backtestMaxSeconds: 12 * 3600,
      queueAgeAlarmSeconds: 900,
      leanImage: DEFAULT_LEAN_IMAGE,
    }),
  /** Live trading on ECS services (docs/live.md). */
  live: z
    .object({
      /**
       * Run live deployments on Fargate Spot: about 70% cheaper, but a reclaim stops the algorithm
       * until ECS has started a replacement (two minutes' notice, then minutes without trading).
       */
      spot: z.boolean().default(false),
      /** Alarm when a running deployment has published nothing (no heartbeat) for this long, seconds. */
      staleHeartbeatSeconds: z.number().int().min(30).default(180),
      /**
       * Email and SMS notifications (docs/live.md, "Notifications"); webhooks and Telegram need
       * nothing. Off by default: until enabled here, `live/create` refuses email or SMS targets.
       */
      notifications: z
        .object({
          /** The sender of notification emails, verified in SES (the address or its domain); no email without it. */
          emailFrom: z.string().email().optional(),
          /** The verified SES identity the sender belongs to, when it is the domain: default `emailFrom` itself. */
          emailIdentity: z.string().min(3).optional(),
          /** SMS through SNS (`Publish` to a phone number; SNS SMS costs money per message and country). */
          sms: z.boolean().default(false),
        })
        .default({ sms: false }),
    })
    .default({ spot: false, staleHeartbeatSeconds: 180, notifications: { sms: false } }),
  /** Operator monitoring (docs/operations.md): the dashboard, the alarms and their SNS topic. */
  monitoring: z
    .object({
      /** Subscribe this address to the alarm topic (SNS sends a confirmation mail first). */
      alarmEmail: z.string().email().optional(),
      /** Alarm when more than this share of API requests in 5 minutes answer 5xx, percent. */
      api5xxRatePercent: z.number().positive().max(100).default(1),
      /** Alarm when the API's p99 latency stays above this for 15 minutes, milliseconds. */
      apiLatencyP99Ms: z.number().int().positive().default(3000),
      /** Alarm when more requests than this are answered 429 (rate limit or quota) in 5 minutes. */
      apiThrottlesPer5Minutes: z.number().int().min(0).default(50),
      /** Alarm when the authorizer function fails more often than this in 5 minutes. */
      authorizerErrorsPer5Minutes: z.number().int().min(0).default(0),
      /** Spend guard: alarm when more runner tasks than this run for 15 minutes. */
      maxRunningTasks: z.number().int().positive().default(20),
    })
    .default({ api5xxRatePercent: 1, apiLatencyP99Ms: 3000, apiThrottlesPer5Minutes: 50, authorizerErrorsPer5Minutes: 0, maxRunningTasks: 20 }),
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
