import * as z from './zod';

/**
 * Runtime configuration, read from the environment once (on first use) and validated. CDK sets
 * these per function; local mode sets them before mounting the handlers. Entry points check the
 * resources they need at module init (requireBindings), so a missing one fails the cold start.
 */
const flag = z.pipe(
  z.optional(z.enum(['true', 'false', '1', '0', ''])),
  z.transform((v) => v === 'true' || v === '1'),
);
/** A whole number of at least `min`, from its decimal text. */
const count = (fallback: number, min: number, max?: number) =>
  z._default(z.coerce.number().check(z.int(), z.gte(min), ...(max === undefined ? [] : [z.lte(max)])), fallback);
const seconds = (fallback: number) => count(fallback, 0);
/** A resource name: no default, see RESOURCE_NAMES. */
const resourceName = () => z.optional(z.string().check(z.minLength(1)));
const url = () => z.optional(z.url());

const schema = z.object({
  TABLE_NAME: resourceName(),
  AWS_REGION: z._default(z.string(), 'us-east-1'),
  /** Set in local mode only: DynamoDB Local and the S3 emulator. */
  DYNAMODB_ENDPOINT: url(),
  S3_ENDPOINT: url(),
  SQS_ENDPOINT: url(),
  /** The job queue (compile builds, backtests); set for functions that queue or dispatch jobs. */
  JOBS_QUEUE_URL: z.optional(z.string()),
  /** The syntax-check function compile/create and ai/tools/syntax-check invoke in AWS (in-process locally: unset). */
  SYNTAX_CHECK_FUNCTION_NAME: z.optional(z.string().check(z.minLength(1))),
  /** The object/get zip queue (core/domain/objects/object-download.ts); set for object/get. */
  OBJECT_ZIP_QUEUE_URL: z.optional(z.string()),
  /** Deliveries of a job message before the queue dead-letters it (the queue's maxReceiveCount). */
  LCS_JOB_MAX_RECEIVES: count(5, 1, 1000),
  /** How long a job waiting for a free node is held back at most, seconds (it doubles up to this). */
  LCS_NODE_WAIT_MAX_SECONDS: count(60, 1, 900),
  /** Wall-clock limit of one backtest, seconds (QuantConnect's cloud stops backtests after hours). */
  LCS_BACKTEST_MAX_SECONDS: count(12 * 3600, 10),
  /** Most backtests one optimization may plan (QuantConnect caps at 3 parameters; the ceiling here is the operator's). */
  LCS_OPTIMIZATION_MAX_POINTS: count(1000, 1, 100_000),
  /** Optimization nodes (concurrency slots) a new organisation gets; all its optimizations share them. */
  LCS_OPTIMIZATION_NODES: count(6, 0, 1000),
  /** optimizations/estimate's time per backtest when the project has no finished backtest yet, seconds. */
  LCS_OPTIMIZATION_DEFAULT_BACKTEST_SECONDS: count(60, 1),
  /** Fargate price used for the estimate's cost (us-east-1 on-demand, USD per vCPU-hour and per GB-hour). */
  LCS_FARGATE_VCPU_HOUR_USD: z._default(z.coerce.number().check(z.gte(0)), 0.04048),
  LCS_FARGATE_GB_HOUR_USD: z._default(z.coerce.number().check(z.gte(0)), 0.004445),
  ARTIFACTS_BUCKET_NAME: resourceName(),
  /** LEAN market data in LEAN's own folder layout (`lcs data push`), served by data/read links. */
  DATA_BUCKET_NAME: resourceName(),
  /** The object store: one prefix per organisation. */
  OBJECTS_BUCKET_NAME: resourceName(),
  /** Object store quota per organisation, bytes (default 5 GB). */
  LCS_OBJECT_QUOTA_BYTES: z._default(z.coerce.number().check(z.int(), z.positive()), 5 * 1024 ** 3),
  /**
   * object/get: the most bytes (before compression) and objects one zip download may hold. The
   * defaults are the ceilings (docs/api.md "Object store downloads"): a zip without ZIP64 stays
   * below 4 GiB and 65,535 entries, and the zip worker's timeout and memory are sized for them
   * (lib/stacks/jobs-stack.ts). An operator (or a test) may only lower them.
   */
  LCS_OBJECT_DOWNLOAD_MAX_BYTES: count(2 * 1024 ** 3, 1, 2 * 1024 ** 3),
  LCS_OBJECT_DOWNLOAD_MAX_OBJECTS: count(10_000, 1, 10_000),
  /** Lifetime of presigned download links (data/read, object/get), seconds. */
  LCS_LINK_SECONDS: count(300, 10, 3600),

  /** Local mode: AES key file for API tokens. In AWS the KMS key id is used instead. */
  LCS_TOKEN_KEY_FILE: z.optional(z.string()),
  LCS_TOKEN_KMS_KEY_ID: z.optional(z.string()),

  /** QuantConnect hash window (contract §1.2): LEAN reuses one header for ~2 hours. */
  LCS_HASH_MAX_AGE_SECONDS: seconds(7200),
  LCS_HASH_MAX_AHEAD_SECONDS: seconds(300),

  LCS_JWT_ISSUER: z.optional(z.string()),
  LCS_JWT_AUDIENCE: z.optional(z.string()),
  LCS_JWT_JWKS_URL: url(),
  /** Which claim names the user, and whether it holds the email or the numeric user id. */
  LCS_JWT_USER_CLAIM: z._default(z.string(), 'email'),
  LCS_JWT_USER_MATCH: z._default(z.enum(['email', 'userId']), 'email'),
  /** Matching by email: the token must carry `email_verified: true` (set 'false' for an issuer that verifies every address yet omits the claim). */
  LCS_JWT_REQUIRE_EMAIL_VERIFIED: z.pipe(
    z.optional(z.enum(['true', 'false', '1', '0', ''])),
    z.transform((v) => v !== 'false' && v !== '0'),
  ),

  LCS_BASIC_AUTH: flag,

  /**
   * AI tools backed by Amazon Bedrock (ai/tools/backtest-init, complete, error-enhance, search):
   * the model id (e.g. anthropic.claude-3-5-haiku-20241022-v1:0, or an inference profile id). Unset:
   * off, and those tools answer that AI tools are not enabled on this server.
   */
  LCS_AI_MODEL_ID: z.optional(z.string().check(z.minLength(1))),
  /** Bedrock Runtime endpoint override (tests: a loopback stand-in); default the region's. */
  LCS_AI_ENDPOINT: url(),

  /** File content above this size is kept in S3 instead of the item (items stay far below 400 KB). */
  LCS_FILE_INLINE_MAX_BYTES: count(64 * 1024, 1024, 300_000),
  /**
   * The largest project file (UTF-8 bytes). At most 4 MiB: a file travels as a JSON string inside
   * Lambda's 6 MB event, and a project's files together have their own cap (payload-limits.ts).
   */
  LCS_FILE_MAX_BYTES: count(2 * 1024 * 1024, 1024, 4 * 1024 * 1024),
  LCS_AUDIT_RETENTION_DAYS: seconds(400),
  /** How long a decrypted API token stays in memory (it is re-checked against the table each call). */
  LCS_TOKEN_CACHE_SECONDS: seconds(300),
  /** How long verified credentials are trusted without re-verification (revocation delay; 0: off). */
  LCS_AUTH_CACHE_SECONDS: seconds(10),
  /**
   * Failed authentication budget, per source address and per user id (or key id): this many
   * failures at once, refilled at LCS_AUTH_FAILURES_PER_MINUTE; beyond it, authentication is
   * refused unverified (HTTP 429 locally) until the budget refills. 0: no budget.
   */
  LCS_AUTH_FAILURES_BURST: count(20, 0),
  LCS_AUTH_FAILURES_PER_MINUTE: count(20, 1),
  /** Credit balance reported to clients; data and nodes cost nothing on a self-hosted server. */
  LCS_CREDIT_BALANCE: z._default(z.coerce.number().check(z.gte(0)), 1_000_000),
  LCS_LOG_LEVEL: z._default(z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']), 'INFO'),
});

/**
 * The deployment's table and buckets. A function gets the variable of each resource together with
 * its grant (lib/constructs/api-function.ts), and only those, so none has a default: a default
 * would name a resource this deployment may not have, and fail later and obscurely. Reading one
 * that is not set throws, naming it.
 */
export const RESOURCE_NAMES = ['TABLE_NAME', 'ARTIFACTS_BUCKET_NAME', 'DATA_BUCKET_NAME', 'OBJECTS_BUCKET_NAME'] as const;
export type ResourceName = (typeof RESOURCE_NAMES)[number];
/** What an entry point may require at cold start: the resources, the job queue of job routes, the syntax-check function, the zip queue. */
export type Binding = ResourceName | 'JOBS_QUEUE_URL' | 'SYNTAX_CHECK_FUNCTION_NAME' | 'OBJECT_ZIP_QUEUE_URL';

export type Config = Omit<z.output<typeof schema>, ResourceName> & Readonly<Record<ResourceName, string>>;

function unboundError(names: readonly Binding[]): Error {
  const [verb, pronoun] = names.length === 1 ? ['is', 'it'] : ['are', 'them'];
  return new Error(
    `Missing resource binding: ${names.join(', ')} ${verb} not set. A function is deployed with the variable of each resource it is granted; this one runs without ${pronoun}.`,
  );
}

let cached: Config | undefined;

export function config(): Config {
  if (!cached) {
    const parsed = schema.safeParse(process.env);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
      throw new Error(`Invalid configuration: ${problems.join('; ')}`);
    }
    const values = parsed.data;
    for (const name of RESOURCE_NAMES) {
      if (values[name] !== undefined) continue;
      Object.defineProperty(values, name, {
        enumerable: false,
        get() {
          throw unboundError([name]);
        },
      });
    }
    cached = Object.freeze(values) as Config;
  }
  return cached;
}

/**
 * Fails, naming every one that is missing, unless all of `names` are set. Entry points call it at
 * module init; it reads only those variables, so the full read of config() stays with first use.
 */
export function requireBindings(names: readonly Binding[]): void {
  const missing = names.filter((name) => !process.env[name]);
  if (missing.length) throw unboundError(missing);
}

/** Tests and the local server change the environment before the first call; this forgets the old read. */
export function resetConfig(): void {
  cached = undefined;
}
