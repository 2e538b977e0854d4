import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jobQueue } from '../../core/data/jobs/job-queue';
import { deploymentRepository } from '../../core/data/live/deployment-repository';
import { liveResults } from '../../core/data/live/live-results';
import { liveLifecycle } from '../../core/domain/live/live-lifecycle';
import { readNotificationSecret } from '../../core/domain/live/notifications';
import { isFinalLive, type LiveDeployment } from '../../core/domain/live/types';
import type { LiveRunnerJob } from '../../core/ports/live-services';
import { qcDate } from '../../core/shared/dates';
import { MetricUnit, recordEvent } from '../../core/shared/metrics';
import { jobCredentials, type LeanApiCredential } from '../job-credentials';
import { giveTo, type LeanUser, leanEnvironment, leanUser } from '../lean/environment';
import { liveLeanConfig } from '../lean/live-config';
import { fillSignature, liveFilesReader } from '../lean/live-files';
import { startLean } from '../lean/process';
import { commandChannel, containerCommandFolder, localCommandFolder } from '../live-commands';
import { liveNotifier, type NotifierOptions } from '../live-notifier';
import { installRequirements, prepareAssembly } from '../project-setup';
import { TaskStopped } from '../task';
import { materialiseSnapshot } from '../workspace';

export interface LiveJobOptions {
  workDir: string;
  taskRef: string;
  leanCommand: string;
  leanCwd?: string;
  /** Local mode with Docker: LEAN's container (its working directory is inside it), reached with this docker client. */
  leanContainer?: { docker: string; name: string };
  dataDir: string;
  apiUrl?: string;
  /** How often LEAN's files are read and published (and commands delivered), ms. */
  publishMs: number;
  /** Automatic restarts after a crash (automaticRedeploy), and the first back-off (doubled each time, at most 5 min). */
  maxRestarts: number;
  restartBackoffMs: number;
  /** The deployment's secret values (LEAN config keys, and the notification targets), from `LCS_LIVE_SECRETS`. */
  secrets: Record<string, string>;
  /** How notifications are sent (issue 12 item 7): Telegram's API URL, retries, the email/SMS sender if any. */
  notify: Pick<NotifierOptions, 'telegramApiUrl' | 'retryBaseMs' | 'attempts' | 'messages'>;
  pipCommand?: string;
  leanUser?: LeanUser;
  log: (line: string) => void;
  /** Resolves on SIGTERM (ECS stopping the task, the local supervisor stopping it). */
  stopSignal: Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One live deployment (design §8, lean-runtime §6): start LEAN live from the compile snapshot,
 * publish what it writes every `publishMs` (with a heartbeat), deliver commands, and record how it
 * ended. A crash with automaticRedeploy restarts LEAN from the last published cash and holdings,
 * recorded; SIGTERM is forwarded as SIGINT and the final files are published before the runner
 * exits, leaving the deployment to whoever replaces this runner (or stops it).
 */
export async function runLiveJob(job: LiveRunnerJob, options: LiveJobOptions): Promise<void> {
  const found = await deploymentRepository.get(job.projectId, job.deployId);
  if (!found || isFinalLive(found)) {
    options.log(`live ${job.deployId}: nothing to run (${found ? found.status : 'deleted'})`);
    return;
  }
  let d = await liveLifecycle.taken(found, options.taskRef);
  if (!d) return;
  const dirs = { project: join(options.workDir, 'project'), results: join(options.workDir, 'results'), storage: join(options.workDir, 'storage') };
  for (const dir of Object.values(dirs)) await mkdir(dir, { recursive: true });
  await mkdir(options.dataDir, { recursive: true });
  const leanCwd = options.leanCwd ?? options.workDir;

  // The deployment's log continues across restarts and replaced runners.
  const logLines = await liveResults.readLog(d.projectId, d.deployId);
  const note = (line: string) => {
    logLines.push(`${qcDate(new Date())} ${line}`);
    options.log(`live ${job.deployId}: ${line}`);
  };
  if (d.restarts.length && d.restarts[d.restarts.length - 1]!.reason.startsWith('runner ')) note(`Restart ${d.restarts.length}: ${d.restarts.at(-1)!.reason}`);

  let stoppedFromOutside = false;
  let credentials: LeanApiCredential | undefined;
  // The notification targets are in the secret too; LEAN's config gets only its own keys.
  const { leanSecrets, notification } = readNotificationSecret(options.secrets);
  const notifier = liveNotifier(notification, d, { ...options.notify, log: (line) => options.log(`live ${job.deployId}: ${line}`), note });
  try {
    const { manifest, files } = await materialiseSnapshot(d.projectId, d.compileId, dirs.project);
    const assembly = manifest.language === 'C#' ? await prepareAssembly(d, files, options.workDir, options.leanCwd) : undefined;
    const user = leanUser(options.leanUser);
    const env = leanEnvironment(process.env, { ...(user?.home ? { HOME: user.home } : {}), PYTHONUSERBASE: join(options.workDir, 'python') });
    if (user) await giveTo(options.workDir, user);
    const pipProblem =
      manifest.language === 'Py' ? await installRequirements(dirs.project, files, options, { env, uid: user?.uid, gid: user?.gid }) : undefined;
    if (pipProblem) {
      await liveLifecycle.ended(d, 'DeployError', { error: pipProblem });
      return;
    }
    // LEAN's API credential, made for this deployment (never the user's token); renewed while it
    // runs, revoked when this runner ends (a replacement runner makes its own).
    credentials = options.apiUrl
      ? await jobCredentials({ orgId: d.orgId, projectId: d.projectId, userId: d.userId, job: { kind: 'live', id: d.deployId } })
      : undefined;
    const reader = liveFilesReader(dirs.results, d.deployId);
    // What an earlier runner of this deployment published was notified by it.
    if (notification) notifier.seed(await liveResults.readOrders(d.projectId, d.deployId), await liveResults.readInsights(d.projectId, d.deployId));
    const commands = commandChannel(
      options.leanContainer ? containerCommandFolder(options.leanContainer.docker, options.leanContainer.name) : localCommandFolder(leanCwd),
      d,
      note,
    );

    const publish = async (current: LiveDeployment, launched: boolean): Promise<LiveDeployment | undefined> => {
      const snap = await reader.read();
      for (const line of snap.newLogLines) logLines.push(line);
      await commands.collect();
      if (snap.ordersChanged || snap.insightsChanged) notifier.observe(snap.orders, snap.insights);
      if (snap.ordersChanged) await liveResults.writeOrders(current.projectId, current.deployId, snap.orders);
      if (snap.insightsChanged) await liveResults.writeInsights(current.projectId, current.deployId, snap.insights);
      if (snap.chartsChanged) await liveResults.writeCharts(current.projectId, current.deployId, snap.charts);
      await liveResults.writeLog(current.projectId, current.deployId, logLines);
      const running = launched || snap.launched;
      return liveLifecycle.publish(current, {
        ...(running && current.status === 'Initializing' ? { status: 'Running' as const } : {}),
        ...(snap.holdings ? { holdings: snap.holdings } : {}),
        ...(snap.cash ? { cash: snap.cash } : {}),
        ...(snap.runtimeStatistics ? { runtimeStatistics: snap.runtimeStatistics } : {}),
        orderCount: snap.orders.length,
        insightCount: snap.insights.length,
        chartNames: snap.charts.map((c) => c.name),
        logLines: logLines.length,
      });
    };

    void options.stopSignal.then(() => {
      stoppedFromOutside = true;
    });
    for (;;) {
      // A restart starts from the last published portfolio (paper), the first run from what the client gave.
      const restarted = d.restarts.length > 0 && Object.keys(d.cash).length > 0;
      const configFile = join(options.workDir, 'config.json');
      const config = liveLeanConfig({
        deployment: d,
        language: manifest.language,
        projectDir: dirs.project,
        resultsDir: dirs.results,
        storageDir: dirs.storage,
        dataDir: options.dataDir,
        apiUrl: options.apiUrl,
        credentials,
        assembly,
        cash: restarted ? cashFrom(d) : d.initialCash,
        holdings: restarted ? holdingsFrom(d) : d.initialHoldings,
        secrets: leanSecrets,
      });
      await writeFile(configFile, JSON.stringify(config, null, 2), { mode: 0o600 });
      if (user) await giveTo(options.workDir, user);
      await rm(join(dirs.results, `${d.deployId}.json`), { force: true });
      await reader.processStarted();
      const lean = startLean({
        command: options.leanCommand,
        configFile,
        cwd: leanCwd,
        maxSeconds: Number.POSITIVE_INFINITY,
        env,
        user,
        echo: (t) => process.stdout.write(t),
      });
      note(`LEAN started (pid ${lean.pid})`);
      void options.stopSignal.then(() => lean.stop(110_000));

      let launched = false;
      let exited = false;
      const loop = (async () => {
        while (!exited) {
          // Taken before reading, so a fill written while this publish runs wakes the next one.
          const seen = await fillSignature(dirs.results, d.deployId);
          try {
            const published = await publish(d, launched);
            if (published) {
              heartbeat.published();
              d = published;
              launched ||= d.status === 'Running';
              await commands.deliver();
            } else {
              // Ended by someone else (a stop that gave up waiting): nothing more to keep running.
              lean.stop(30_000);
            }
          } catch (err) {
            options.log(`live ${job.deployId}: publish failed: ${(err as Error).message}`);
          }
          await heartbeat.tick(credentials).catch((err: Error) => options.log(`live ${job.deployId}: ${err.message}`));
          await untilFillOrInterval(dirs.results, d.deployId, seen, options.publishMs, () => exited);
        }
      })();
      const exit = await lean.done;
      exited = true;
      await loop;
      const last = (await publish(d, launched).catch(() => undefined)) ?? (await deploymentRepository.get(d.projectId, d.deployId));
      if (!last || isFinalLive(last)) return;
      d = last;
      const state = (await reader.read()).state;
      note(`LEAN exited (code ${exit.exitCode ?? exit.signal})`);
      if (d.stopRequested) {
        // LEAN reports Completed after a stop; the status asked for is what QuantConnect shows (lean-runtime §6).
        await liveResults.writeLog(d.projectId, d.deployId, logLines);
        await liveLifecycle.ended(d, d.stopRequested);
        return;
      }
      if (stoppedFromOutside) {
        // ECS is replacing or stopping this task: the deployment goes on with the next runner.
        await liveResults.writeLog(d.projectId, d.deployId, logLines);
        throw new TaskStopped('live deployment');
      }
      const error =
        state.RuntimeError ||
        (exit.exitCode === 0
          ? ''
          : `LEAN exited unexpectedly (code ${exit.exitCode ?? exit.signal}). ${exit.stderrTail.trim().split('\n').slice(-3).join(' ')}`.trim());
      if (!error) {
        note('The algorithm ended on its own');
        await liveResults.writeLog(d.projectId, d.deployId, logLines);
        await liveLifecycle.ended(d, 'Stopped', { stopReason: 'the algorithm ended on its own' });
        return;
      }
      if (!launched && !d.restarts.length) {
        note(`Deploy error: ${error}`);
        await liveResults.writeLog(d.projectId, d.deployId, logLines);
        await liveLifecycle.ended(d, 'DeployError', { error, stacktrace: state.StackTrace ?? '' });
        return;
      }
      if (!d.automaticRedeploy || d.restarts.length >= options.maxRestarts) {
        note(`Runtime error: ${error}${d.automaticRedeploy ? ` (no restart: ${d.restarts.length} of ${options.maxRestarts} used)` : ''}`);
        await liveResults.writeLog(d.projectId, d.deployId, logLines);
        await liveLifecycle.ended(d, 'RuntimeError', { error, stacktrace: state.StackTrace ?? '' });
        return;
      }
      const backoff = Math.min(options.restartBackoffMs * 2 ** d.restarts.length, 300_000);
      note(`Restart ${d.restarts.length + 1} of ${options.maxRestarts} in ${backoff} ms after: ${error}`);
      const again = await liveLifecycle.restarted(d, error);
      await liveResults.writeLog(d.projectId, d.deployId, logLines);
      if (!again) return;
      d = again;
      await sleep(backoff);
    }
  } catch (err) {
    if (err instanceof TaskStopped) throw err;
    options.log(`live ${job.deployId}: runner error: ${(err as Error).stack ?? err}`);
    note(`Runner error: ${(err as Error).message}`);
    await liveResults.writeLog(d.projectId, d.deployId, logLines).catch(() => undefined);
    await liveLifecycle.ended(d, d.status === 'Running' ? 'RuntimeError' : 'DeployError', { error: `The live runner failed: ${(err as Error).message}` });
  } finally {
    // What is still queued goes out before the runner exits (bounded: a stop must not hang on a dead receiver).
    if (notification) {
      await notifier.drain(NOTIFY_DRAIN_MS);
      await liveResults.writeLog(d.projectId, d.deployId, logLines).catch(() => undefined);
    }
    await credentials?.revoke().catch(() => undefined);
    // Ended: the service and secret go (the dispatcher removes them; this runner may not).
    const now = await deploymentRepository.get(d.projectId, d.deployId).catch(() => undefined);
    if (now && isFinalLive(now)) {
      await jobQueue
        .send({ kind: 'live-retire', orgId: now.orgId, projectId: now.projectId, deployId: now.deployId, attempt: 1 })
        .catch((err: Error) => options.log(`live ${job.deployId}: could not ask for the service to be removed: ${err.message}`));
    }
    await rm(options.workDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** How often LEAN's order-events and minute files are looked at between publishes, ms. */
const FILL_CHECK_MS = 250;
/** After a fill is seen, LEAN's related writes get this long to land before the publish, ms. */
const FILL_SETTLE_MS = 200;
/** Publishes triggered by fills are at least this far apart (a busy algorithm fills constantly), ms. */
const FILL_MIN_GAP_MS = 1_000;

/**
 * Waits for the next publish: `intervalMs`, or less when LEAN's order-events or minute files differ
 * from `before` (a fill), then a short settle; never less than {@link FILL_MIN_GAP_MS}.
 */
async function untilFillOrInterval(resultsDir: string, deployId: string, before: string, intervalMs: number, ended: () => boolean): Promise<void> {
  const started = Date.now();
  for (;;) {
    const elapsed = Date.now() - started;
    if (elapsed >= intervalMs || ended()) return;
    await sleep(Math.min(FILL_CHECK_MS, intervalMs - elapsed));
    if (Date.now() - started < Math.min(FILL_MIN_GAP_MS, intervalMs)) continue;
    if ((await fillSignature(resultsDir, deployId)) !== before) {
      await sleep(FILL_SETTLE_MS);
      return;
    }
  }
}

const MINUTE = 60_000;
const NOTIFY_DRAIN_MS = 15_000;
const CREDENTIAL_RENEW_MS = 60 * MINUTE;
const heartbeat = liveHeartbeat();

/**
 * Once a minute: the age of this runner's last successful publish (the stale-heartbeat alarm takes
 * the maximum over all deployments) and a count of one running deployment (their sum is how many
 * run); once an hour, the renewal of LEAN's credential (it lasts a day, a deployment months).
 */
function liveHeartbeat() {
  let lastPublished = Date.now();
  let lastMetric = 0;
  let lastRenewal = Date.now();
  return {
    published() {
      lastPublished = Date.now();
    },
    async tick(credentials: LeanApiCredential | undefined) {
      const now = Date.now();
      if (now - lastMetric >= MINUTE) {
        lastMetric = now;
        recordEvent('LiveHeartbeatAgeSeconds', {}, Math.round((now - lastPublished) / 1000), MetricUnit.Seconds);
        recordEvent('LiveDeploymentsRunning', {}, 1);
      }
      if (credentials && now - lastRenewal >= CREDENTIAL_RENEW_MS) {
        lastRenewal = now;
        if (!(await credentials.renew())) throw new Error('LEAN’s API credential could not be renewed (revoked?)');
      }
    },
  };
}

/** LEAN's `live-cash-balance` from the published cash (lean-runtime §4.3 `cash` shape). */
function cashFrom(d: LiveDeployment) {
  return Object.entries(d.cash).map(([currency, c]) => ({ currency: String(c.symbol ?? currency), amount: Number(c.amount ?? 0) }));
}

/** LEAN's `live-holdings` from the published holdings (short keys `q`, `a`; keyed by security id). */
function holdingsFrom(d: LiveDeployment) {
  return Object.entries(d.holdings)
    .filter(([, h]) => Number(h.q ?? h.quantity ?? 0) !== 0)
    .map(([symbolId, h]) => ({
      symbol: String((h.symbol as { value?: string } | undefined)?.value ?? symbolId.split(' ')[0]),
      symbolId,
      quantity: Number(h.q ?? h.quantity),
      averagePrice: Number(h.a ?? h.averagePrice ?? 0),
    }));
}
