import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsMessageSender } from '../core/aws/ses-sns-message-sender';
import { parseJobMessage } from '../core/data/jobs/job-queue';
import type { LiveRunnerJob } from '../core/ports/live-services';
import type { MessageSender } from '../core/ports/message-sender';
import type { JobMessage } from '../core/ports/task-runner';
import { type Config, config } from '../core/shared/config';
import * as z from '../core/shared/zod';
import { LEAN_IMAGE } from './lean/image';
import type { BacktestJobOptions } from './modes/backtest';
import type { BuildOptions } from './modes/build';
import type { LiveJobOptions } from './modes/live';
import { outboxSender } from './outbox-sender';

/**
 * The runner's settings, read from the environment once at start and validated, so a missing or
 * malformed variable stops the task at once with its name, instead of a job failing halfway (a
 * progress interval of NaN ms, a LEAN config without a usable api-url). The names are the ones
 * the jobs stack's task definition (lib/constructs/runner-task.ts) and local mode
 * (local/process-launcher.ts) set. Table, buckets, region and the backtest time limit are the
 * core's configuration (core/shared/config.ts), which is validated here too.
 *
 * An empty value counts as not set, as `NAME=` does in an env file.
 */
const unsetIfEmpty = z.transform((value: unknown) => (value === '' ? undefined : value));
const optional = <T extends z.ZodMiniType>(schema: T) => z.pipe(unsetIfEmpty, z.optional(schema));
const command = optional(z.string());
const httpUrl = optional(z.url({ protocol: /^https?$/, error: 'not an http(s) URL' }));

const schema = z.object({
  /** The job message (compile build or backtest): a RunTask container override on ECS (core/aws/ecs-task-runner.ts). */
  LCS_JOB: z.pipe(
    z.string({ error: 'not set: the job message (ECS passes it as a container override, local mode in the environment)' }),
    z.transform((body: string, ctx) => {
      try {
        return parseRunnerJob(body);
      } catch (err) {
        ctx.issues.push({ code: 'custom', message: `not a job message (${(err as Error).message})`, input: body });
        return z.NEVER;
      }
    }),
  ),
  /** The job's scratch folder; default: a fresh folder under the system's temporary directory. */
  LCS_WORK_DIR: optional(z.string()),
  /** Local mode names its task (`local:<token>`); on ECS the task metadata endpoint gives the task ARN. */
  LCS_TASK_REF: optional(z.string()),
  /** Set by the ECS agent in every container. */
  ECS_CONTAINER_METADATA_URI_V4: httpUrl,
  /** LEAN's launcher; unset: the runner is in the LEAN image (runner/Dockerfile) and starts the image's launcher. */
  LCS_LEAN_COMMAND: command,
  LCS_DOTNET_COMMAND: command,
  LCS_REPORT_COMMAND: command,
  LCS_PIP_COMMAND: command,
  /** LEAN's `data-folder`. */
  LCS_LEAN_DATA_DIR: optional(z.string()),
  /** This API as LEAN reaches it (`api-url`, `…/api/v2/`); unset: LEAN runs on local data without API access. */
  LCS_API_URL: httpUrl,
  /** How often progress and the heartbeat are written; faster only loads the table. */
  LCS_PROGRESS_MS: optional(z.coerce.number().check(z.int(), z.gte(100))),
  /** The task's memory limit, named in an out-of-memory error. */
  LCS_TASK_MEMORY_MB: optional(z.coerce.number().check(z.int(), z.positive())),
  /**
   * The unprivileged user LEAN runs as when the runner is root (runner/Dockerfile sets the image's
   * `lean` user): uid, gid (default: the uid) and home. Unset: LEAN runs as the runner.
   */
  LCS_LEAN_UID: optional(z.coerce.number().check(z.int(), z.positive())),
  LCS_LEAN_GID: optional(z.coerce.number().check(z.int(), z.positive())),
  LCS_LEAN_HOME: optional(z.string()),
  /** A live deployment's secret (brokerage and feed credentials, LEAN config keys → values): ECS injects it from Secrets Manager. */
  LCS_LIVE_SECRETS: optional(
    z.pipe(
      z.string(),
      z.transform((text: string, ctx) => {
        try {
          const parsed = JSON.parse(text) as unknown;
          if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
        } catch {
          // reported below; the value itself is never echoed
        }
        ctx.issues.push({ code: 'custom', message: 'not a JSON object of config keys to values', input: '(hidden)' });
        return z.NEVER;
      }),
    ),
  ),
  /** Telegram's Bot API (deployment notifications); a test points it at a local receiver. */
  LCS_TELEGRAM_API_URL: httpUrl,
  /** Notification tries per message and target, and the first back-off between them (doubled each time). */
  LCS_NOTIFY_ATTEMPTS: optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(10))),
  LCS_NOTIFY_RETRY_MS: optional(z.coerce.number().check(z.int(), z.gte(0))),
  /** Email notifications on AWS: the SES-verified sender address; unset, no email is sent (lib/config/settings.ts `live.notifications`). */
  LCS_EMAIL_FROM: optional(z.email({ error: 'not an email address' })),
  /** SMS notifications on AWS through SNS (`true`); unset or `false`: none. */
  LCS_SMS: optional(z.enum(['true', 'false'])),
  /** Local mode with Docker: the name of LEAN's container, and the docker client (live commands go in with `docker exec`). */
  LCS_LEAN_CONTAINER: optional(z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/))),
  LCS_DOCKER: command,
  /** Local mode: email and SMS are appended to this JSON-lines file instead of being sent (docs/live.md). */
  LCS_NOTIFY_OUTBOX: optional(z.string()),
  /** Automatic restarts of a crashed live algorithm (automaticRedeploy), and the first back-off. */
  LCS_LIVE_MAX_RESTARTS: optional(z.coerce.number().check(z.int(), z.gte(0))),
  LCS_LIVE_RESTART_BACKOFF_MS: optional(z.coerce.number().check(z.int(), z.gte(0))),
});

/**
 * Email and SMS (docs/live.md, "Notifications"): locally an outbox file; on AWS SES and SNS for
 * what the operator enabled; otherwise none.
 */
function messageSender(s: z.infer<typeof schema>, region: string): MessageSender | undefined {
  const job = s.LCS_JOB;
  if (job.kind !== 'live') return undefined;
  if (s.LCS_NOTIFY_OUTBOX) return outboxSender(s.LCS_NOTIFY_OUTBOX, job.deployId);
  const sms = s.LCS_SMS === 'true';
  return s.LCS_EMAIL_FROM || sms ? awsMessageSender({ emailFrom: s.LCS_EMAIL_FROM, sms, client: { region } }) : undefined;
}

/** A backtest/build job message, or a live deployment's job (core/ports/live-services.ts). */
function parseRunnerJob(body: string): JobMessage | LiveRunnerJob {
  const parsed = JSON.parse(body) as Partial<LiveRunnerJob>;
  if (parsed.kind !== 'live') return parseJobMessage(body);
  if (typeof parsed.orgId !== 'string' || typeof parsed.projectId !== 'number' || typeof parsed.deployId !== 'string')
    throw new Error(`not a live job: ${body.slice(0, 200)}`);
  return { kind: 'live', orgId: parsed.orgId, projectId: parsed.projectId, deployId: parsed.deployId };
}

export interface RunnerSettings {
  job: JobMessage | LiveRunnerJob;
  workDir: string;
  /** The task's own name for the job's item, when the launcher gave one (local mode). */
  taskRef?: string;
  /** Where the ECS task metadata (the task ARN) is read. */
  taskMetadataUrl?: string;
  build: Pick<BuildOptions, 'dotnetCommand'>;
  live: Pick<LiveJobOptions, 'publishMs' | 'maxRestarts' | 'restartBackoffMs' | 'secrets' | 'notify' | 'leanContainer'>;
  backtest: Pick<
    BacktestJobOptions,
    'leanCommand' | 'leanCwd' | 'dataDir' | 'apiUrl' | 'maxSeconds' | 'pollMs' | 'memoryMb' | 'reportCommand' | 'reportCwd' | 'pipCommand' | 'leanUser'
  >;
}

/** A missing or malformed setting; the message names every such variable. */
export class InvalidRunnerSettings extends Error {
  constructor(problems: string[]) {
    super(`Invalid runner settings: ${problems.join('; ')}`);
    this.name = 'InvalidRunnerSettings';
  }
}

/**
 * The settings from `env` (the process's own by default); the core's configuration is always the
 * process's own (core/shared/config.ts reads process.env). Throws InvalidRunnerSettings naming
 * every missing or malformed variable.
 */
export function runnerSettings(env: NodeJS.ProcessEnv = process.env): Readonly<RunnerSettings> {
  const parsed = schema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  let core: Config | undefined;
  try {
    core = config();
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (!parsed.success || !core) throw new InvalidRunnerSettings(problems);
  const s = parsed.data;
  // Without a LEAN command the runner is in the LEAN image, and so are LEAN's report generator and pip.
  const inImage = !s.LCS_LEAN_COMMAND;
  // Fargate gives a task no way to block 169.254.170.2 from one user (no NET_ADMIN for iptables):
  // what keeps the task role from the algorithm is that the endpoint needs the credentials path,
  // which only the runner's environment holds, unreadable from another user (issue 20 item 3).
  // So in the image a runner holding task-role credentials refuses to run LEAN as itself.
  if (inImage && (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) && !s.LCS_LEAN_UID) {
    throw new InvalidRunnerSettings([
      "LCS_LEAN_UID: the runner holds the task role's credentials (AWS_CONTAINER_CREDENTIALS_*), so LEAN must run as another, unprivileged user (the image's `lean`, uid 10001)",
    ]);
  }
  const report: { command?: string; cwd?: string } = s.LCS_REPORT_COMMAND ? { command: s.LCS_REPORT_COMMAND } : inImage ? LEAN_IMAGE.report : {};
  return Object.freeze({
    job: s.LCS_JOB,
    workDir: s.LCS_WORK_DIR ?? join(tmpdir(), `lcs-job-${process.pid}`),
    taskRef: s.LCS_TASK_REF,
    taskMetadataUrl: s.ECS_CONTAINER_METADATA_URI_V4,
    build: { dotnetCommand: s.LCS_DOTNET_COMMAND ?? LEAN_IMAGE.dotnet },
    live: {
      publishMs: s.LCS_PROGRESS_MS ?? 5_000,
      maxRestarts: s.LCS_LIVE_MAX_RESTARTS ?? 5,
      restartBackoffMs: s.LCS_LIVE_RESTART_BACKOFF_MS ?? 10_000,
      secrets: s.LCS_LIVE_SECRETS ?? {},
      ...(s.LCS_LEAN_CONTAINER ? { leanContainer: { docker: s.LCS_DOCKER ?? 'docker', name: s.LCS_LEAN_CONTAINER } } : {}),
      notify: {
        telegramApiUrl: s.LCS_TELEGRAM_API_URL ?? 'https://api.telegram.org',
        attempts: s.LCS_NOTIFY_ATTEMPTS ?? 4,
        retryBaseMs: s.LCS_NOTIFY_RETRY_MS ?? 2_000,
        messages: messageSender(s, core.AWS_REGION),
      },
    },
    backtest: {
      leanCommand: s.LCS_LEAN_COMMAND ?? LEAN_IMAGE.launcher.command,
      leanCwd: inImage ? LEAN_IMAGE.launcher.cwd : undefined,
      dataDir: s.LCS_LEAN_DATA_DIR ?? LEAN_IMAGE.dataDir,
      apiUrl: s.LCS_API_URL,
      maxSeconds: core.LCS_BACKTEST_MAX_SECONDS,
      pollMs: s.LCS_PROGRESS_MS ?? 10_000,
      memoryMb: s.LCS_TASK_MEMORY_MB,
      reportCommand: report.command,
      reportCwd: report.cwd,
      pipCommand: s.LCS_PIP_COMMAND ?? (inImage ? LEAN_IMAGE.pip : undefined),
      leanUser: s.LCS_LEAN_UID ? { uid: s.LCS_LEAN_UID, gid: s.LCS_LEAN_GID ?? s.LCS_LEAN_UID, home: s.LCS_LEAN_HOME } : undefined,
    },
  });
}
