import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deploymentRepository } from '../core/data/live/deployment-repository';
import { liveLifecycle } from '../core/domain/live/live-lifecycle';
import { isFinalLive } from '../core/domain/live/types';
import type { DeploymentSecrets, LiveRunnerJob, LiveServices, LiveStartRequest } from '../core/ports/live-services';
import { spawnRunner } from './process-launcher';

/**
 * Local mode's live services (design §8, §10): each deployment is the real runner as a supervised
 * child process, started with `LCS_JOB` (the deployment) and, when it has credentials,
 * `LCS_LIVE_SECRETS` read from the local secret folder, the way an ECS service's task definition
 * injects them from Secrets Manager. A runner that dies while its deployment is still active is
 * started again (as ECS replaces a task), up to a bound; the runner records the replacement as a
 * restart of the same deployment.
 */
export interface LocalLiveOptions {
  jobsDir: string;
  leanDataDir: string;
  apiUrl: string;
  progressMs?: number;
  /** Folder of the deployments' secrets (one 0600 file each, removed with the deployment). */
  secretsDir: string;
  /** Where runners append the email and SMS notifications they would send (JSON lines; docs/live.md). */
  outboxFile?: string;
  log: (line: string) => void;
  /** How long a stopped runner gets to write LEAN's final files (Fargate's stopTimeout is at most 120 s). */
  stopGraceMs?: number;
}

/** Runner replacements before the supervisor gives up on a deployment. */
const MAX_REPLACEMENTS = 5;

interface Supervised {
  job: LiveRunnerJob;
  secretRef?: string;
  child?: ChildProcess;
  exited?: Promise<void>;
  removed: boolean;
  replacements: number;
}

export function localLiveServices(options: LocalLiveOptions) {
  mkdirSync(options.secretsDir, { recursive: true, mode: 0o700 });
  const supervised = new Map<string, Supervised>();
  let shuttingDown = false;
  const secretFile = (ref: string) => join(options.secretsDir, `${ref.replace(/[^A-Za-z0-9-]/g, '')}.json`);

  const secrets: DeploymentSecrets = {
    async create(deployId, values) {
      writeFileSync(secretFile(deployId), JSON.stringify(values), { mode: 0o600 });
      return deployId;
    },
    async remove(secretRef) {
      rmSync(secretFile(secretRef), { force: true });
    },
  };

  const run = (ref: string, s: Supervised) => {
    // A new name for every runner, so a replacement (or a server restart) is recorded as a restart.
    const token = `live-${s.job.deployId}-${Date.now().toString(36)}`;
    const extraEnv: Record<string, string> = options.outboxFile ? { LCS_NOTIFY_OUTBOX: options.outboxFile } : {};
    if (s.secretRef) {
      try {
        extraEnv.LCS_LIVE_SECRETS = readFileSync(secretFile(s.secretRef), 'utf8');
      } catch {
        options.log(`live ${s.job.deployId}: its secret is missing; LEAN starts without brokerage credentials`);
      }
    }
    const { child } = spawnRunner(options, s.job, token, undefined, extraEnv);
    if (process.env.LCS_RUNNER_ECHO) {
      child.stdout?.on('data', (d: Buffer) => process.stdout.write(d));
      child.stderr?.on('data', (d: Buffer) => process.stderr.write(d));
    } else {
      child.stdout?.resume();
      child.stderr?.resume();
    }
    s.child = child;
    s.exited = new Promise((done) => {
      child.once('exit', (code, signal) => {
        void onExit(ref, s, code, signal).finally(done);
      });
    });
  };

  const onExit = async (ref: string, s: Supervised, code: number | null, signal: NodeJS.Signals | null) => {
    s.child = undefined;
    if (s.removed || shuttingDown) return;
    const d = await deploymentRepository.get(s.job.projectId, s.job.deployId).catch(() => undefined);
    if (!d || isFinalLive(d)) {
      supervised.delete(ref);
      if (s.secretRef) await secrets.remove(s.secretRef);
      return;
    }
    if (s.replacements >= MAX_REPLACEMENTS) {
      options.log(`live ${s.job.deployId}: runner failed ${s.replacements + 1} times; giving up`);
      await liveLifecycle.ended(d, 'RuntimeError', { error: `The live runner kept failing (last exit ${code ?? signal}).` });
      supervised.delete(ref);
      if (s.secretRef) await secrets.remove(s.secretRef);
      return;
    }
    s.replacements++;
    options.log(`live ${s.job.deployId}: runner exited (${code ?? signal}) while the deployment is ${d.status}; starting it again`);
    await new Promise((r) => setTimeout(r, 1000 * s.replacements));
    if (!s.removed && !shuttingDown) run(ref, s);
  };

  const services: LiveServices = {
    async start(request: LiveStartRequest) {
      const serviceRef = `local-live:${request.job.deployId}`;
      if (!supervised.has(serviceRef)) {
        const s: Supervised = { job: request.job, ...(request.secretRef ? { secretRef: request.secretRef } : {}), removed: false, replacements: 0 };
        supervised.set(serviceRef, s);
        run(serviceRef, s);
      }
      return { serviceRef };
    },

    async remove(serviceRef: string) {
      const s = supervised.get(serviceRef);
      if (!s) return;
      s.removed = true;
      // SIGTERM: the runner forwards SIGINT to LEAN and publishes the final files (runner/modes/live.ts).
      s.child?.kill('SIGTERM');
      const grace = new Promise((r) => setTimeout(r, options.stopGraceMs ?? 120_000));
      await Promise.race([s.exited, grace]);
      s.child?.kill('SIGKILL');
      supervised.delete(serviceRef);
    },
  };

  return {
    services,
    secrets,

    /**
     * The local server is stopping: every runner is stopped (LEAN gets SIGINT and writes its final
     * files). Deployments with automaticRedeploy stay active, to be redeployed at the next start;
     * the others end Stopped with the reason.
     */
    async stopAll(): Promise<void> {
      shuttingDown = true;
      const all = [...supervised.values()];
      for (const s of all) s.child?.kill('SIGTERM');
      await Promise.race([Promise.all(all.map((s) => s.exited)), new Promise((r) => setTimeout(r, options.stopGraceMs ?? 60_000))]);
      for (const s of all) {
        s.child?.kill('SIGKILL');
        const d = await deploymentRepository.get(s.job.projectId, s.job.deployId).catch(() => undefined);
        if (!d || isFinalLive(d) || d.automaticRedeploy) continue;
        await liveLifecycle.ended(d, 'Stopped', { stopReason: 'the local server was stopped' });
        if (s.secretRef) await secrets.remove(s.secretRef);
      }
    },

    /** At start-up: what a previous server left running is redeployed (automaticRedeploy) or shown Stopped with the reason. */
    async restore(): Promise<void> {
      for await (const d of deploymentRepository.scanActive()) {
        if (d.automaticRedeploy) {
          options.log(`live ${d.deployId}: redeployed after the server restart (automaticRedeploy)`);
          await services.start({
            job: { kind: 'live', orgId: d.orgId, projectId: d.projectId, deployId: d.deployId },
            sku: d.sku,
            ...(d.secretRef ? { secretRef: d.secretRef } : {}),
          });
        } else {
          options.log(`live ${d.deployId}: marked Stopped (the server stopped while it ran)`);
          await liveLifecycle.ended(d, 'Stopped', { stopReason: 'the local server stopped while it ran; automaticRedeploy was off' });
          if (d.secretRef) await secrets.remove(d.secretRef);
        }
      }
    },
  };
}
