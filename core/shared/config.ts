import * as z from 'zod';

/**
 * Runtime configuration, read from the environment once and validated, so a missing or malformed
 * variable fails at cold start rather than on the first request. CDK sets these per function;
 * local mode sets them before mounting the handlers.
 */
const flag = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1');
const seconds = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

const schema = z.object({
  TABLE_NAME: z.string().min(1).default('lcs'),
  AWS_REGION: z.string().default('us-east-1'),
  /** Set in local mode only: DynamoDB Local and the S3 emulator. */
  DYNAMODB_ENDPOINT: z.string().url().optional(),
  S3_ENDPOINT: z.string().url().optional(),
  SQS_ENDPOINT: z.string().url().optional(),
  /** The job queue (compile builds, backtests); set for functions that queue or dispatch jobs. */
  JOBS_QUEUE_URL: z.string().optional(),
  /** Deliveries of a job message before the queue dead-letters it (the queue's maxReceiveCount). */
  LCS_JOB_MAX_RECEIVES: z.coerce.number().int().min(1).max(1000).default(5),
  /** How long a job waiting for a free node is held back at most, seconds (it doubles up to this). */
  LCS_NODE_WAIT_MAX_SECONDS: z.coerce.number().int().min(1).max(900).default(60),
  /** Wall-clock limit of one backtest, seconds (QuantConnect's cloud stops backtests after hours). */
  LCS_BACKTEST_MAX_SECONDS: z.coerce
    .number()
    .int()
    .min(10)
    .default(12 * 3600),
  ARTIFACTS_BUCKET_NAME: z.string().min(1).default('lcs-artifacts'),
  /** LEAN market data in LEAN's own folder layout (`lcs data push`), served by data/read links. */
  DATA_BUCKET_NAME: z.string().min(1).default('lcs-data'),
  /** The object store: one prefix per organisation. */
  OBJECTS_BUCKET_NAME: z.string().min(1).default('lcs-objects'),
  /** Object store quota per organisation, bytes (default 5 GB). */
  LCS_OBJECT_QUOTA_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(5 * 1024 ** 3),
  /** Lifetime of presigned download links (data/read, object/get), seconds. */
  LCS_LINK_SECONDS: z.coerce.number().int().min(10).max(3600).default(300),

  /** Local mode: AES key file for API tokens. In AWS the KMS key id is used instead. */
  LCS_TOKEN_KEY_FILE: z.string().optional(),
  LCS_TOKEN_KMS_KEY_ID: z.string().optional(),

  /** QuantConnect hash window (contract §1.2): LEAN reuses one header for ~2 hours. */
  LCS_HASH_MAX_AGE_SECONDS: seconds(7200),
  LCS_HASH_MAX_AHEAD_SECONDS: seconds(300),

  LCS_JWT_ISSUER: z.string().optional(),
  LCS_JWT_AUDIENCE: z.string().optional(),
  LCS_JWT_JWKS_URL: z.string().url().optional(),
  /** Which claim names the user, and whether it holds the email or the numeric user id. */
  LCS_JWT_USER_CLAIM: z.string().default('email'),
  LCS_JWT_USER_MATCH: z.enum(['email', 'userId']).default('email'),

  LCS_BASIC_AUTH: flag,

  /** File content above this size is kept in S3 instead of the item (items stay far below 400 KB). */
  LCS_FILE_INLINE_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(300_000)
    .default(64 * 1024),
  LCS_FILE_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(10 * 1024 * 1024),
  LCS_AUDIT_RETENTION_DAYS: seconds(400),
  /** How long a decrypted API token stays in memory (it is re-checked against the table each call). */
  LCS_TOKEN_CACHE_SECONDS: seconds(300),
  /** How long verified credentials are trusted without re-verification (revocation delay; 0: off). */
  LCS_AUTH_CACHE_SECONDS: seconds(10),
  /** Credit balance reported to clients; data and nodes cost nothing on a self-hosted server. */
  LCS_CREDIT_BALANCE: z.coerce.number().min(0).default(1_000_000),
  LCS_LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).default('INFO'),
});

export type Config = z.infer<typeof schema>;

let cached: Config | undefined;

export function config(): Config {
  if (!cached) {
    const parsed = schema.safeParse(process.env);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
      throw new Error(`Invalid configuration: ${problems.join('; ')}`);
    }
    cached = Object.freeze(parsed.data);
  }
  return cached;
}

/** Tests and the local server change the environment before the first call; this forgets the old read. */
export function resetConfig(): void {
  cached = undefined;
}
