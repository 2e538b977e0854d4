import { execFile } from 'node:child_process';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deploymentRepository } from '../core/data/live/deployment-repository';
import type { LiveDeployment } from '../core/domain/live/types';

/**
 * Commands to LEAN as command files (lean-runtime §6, Lean:`Common/Commands/FileCommandHandler.cs`):
 * LEAN reads every `command*.json` in its working directory in name order, deletes it, runs it
 * and answers `result-command-<Id>.json`. Each file is written under a temporary name that does
 * not match `command*.json` and then renamed, so LEAN never reads a half-written file. The
 * command's `Id` is the queued command's id, which is how an answer finds its command.
 */
export interface CommandFolder {
  /** Writes `content` as `name` in LEAN's working directory (through a temporary name). */
  put(name: string, temporary: string, content: string): Promise<void>;
  /** The `result-command-*.json` files there. */
  results(): Promise<string[]>;
  /** A file's text, or undefined when it cannot be read (yet). */
  read(name: string): Promise<string | undefined>;
  remove(name: string): Promise<void>;
}

/** LEAN's working directory on this machine (the image's launcher folder on ECS, the job folder with LCS_LEAN_COMMAND). */
export function localCommandFolder(dir: string): CommandFolder {
  return {
    async put(name, temporary, content) {
      await writeFile(join(dir, temporary), content);
      await rename(join(dir, temporary), join(dir, name));
    },
    results: async () => (await readdir(dir).catch(() => [] as string[])).filter((n) => RESULT.test(n)),
    read: (name) => readFile(join(dir, name), 'utf8').catch(() => undefined),
    remove: (name) => rm(join(dir, name), { force: true }),
  };
}

/**
 * LEAN's working directory inside its Docker container (local mode with Docker: LEAN runs in
 * `quantconnect/lean` with its own working directory, which no host folder can be mounted over,
 * so commands go in through `docker exec`, as lean-cli's `lean live command` does).
 */
export function containerCommandFolder(docker: string, container: string): CommandFolder {
  const exec = (args: string[], input?: string) =>
    new Promise<string>((resolve, reject) => {
      const child = execFile(docker, ['exec', ...(input === undefined ? [] : ['-i']), container, ...args], { timeout: 30_000 }, (err, stdout) =>
        err ? reject(err) : resolve(stdout),
      );
      if (input !== undefined) child.stdin?.end(input);
    });
  const safe = (name: string) => {
    if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`not a command file name: ${name}`);
    return name;
  };
  return {
    async put(name, temporary, content) {
      await exec(['sh', '-c', `cat > ${safe(temporary)} && mv ${safe(temporary)} ${safe(name)}`], content);
    },
    async results() {
      const listed = await exec(['sh', '-c', 'ls -1 result-command-*.json 2>/dev/null || true']).catch(() => '');
      return listed.split('\n').filter((n) => RESULT.test(n));
    },
    read: (name) => exec(['cat', safe(name)]).catch(() => undefined),
    remove: async (name) => {
      await exec(['rm', '-f', safe(name)]).catch(() => undefined);
    },
  };
}

const RESULT = /^result-command-[A-Za-z0-9._-]+\.json$/;

export function commandChannel(folder: CommandFolder, d: Pick<LiveDeployment, 'projectId' | 'deployId'>, note: (line: string) => void) {
  let sequence = 0;
  return {
    /** Writes the commands queued since the last call; answers how many. */
    async deliver(): Promise<number> {
      const pending = (await deploymentRepository.listCommands(d.projectId, d.deployId)).filter((c) => c.state === 'pending');
      pending.sort((a, b) => a.created.localeCompare(b.created));
      for (const c of pending) {
        const name = `command-${Date.now()}-${String(sequence++).padStart(6, '0')}.json`;
        await folder.put(name, `tmp-${c.commandId}.json`, JSON.stringify({ ...c.command, Id: c.commandId }));
        await deploymentRepository.updateCommand(d.projectId, d.deployId, c.commandId, { state: 'delivered' });
      }
      return pending.length;
    },

    /** Records LEAN's answers (and removes the files), noting each in the deployment's log. */
    async collect(): Promise<void> {
      for (const name of await folder.results()) {
        let answer: unknown;
        try {
          answer = JSON.parse((await folder.read(name)) ?? '');
        } catch {
          continue; // still being written
        }
        if (!answer || typeof answer !== 'object') continue;
        const result = answer as Record<string, unknown>;
        const commandId = name.slice('result-command-'.length, -'.json'.length);
        const success = result.Success === true || result.success === true;
        await deploymentRepository.updateCommand(d.projectId, d.deployId, commandId, { state: 'acknowledged', success, result });
        note(`Command ${String(result.CommandName ?? commandId)} acknowledged by LEAN: ${success ? 'success' : 'failed'}`);
        await folder.remove(name);
      }
    },
  };
}
