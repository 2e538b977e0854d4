import { readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deploymentRepository } from '../core/data/live/deployment-repository';
import type { LiveDeployment } from '../core/domain/live/types';
import { readJson } from './lean/result-json';

/**
 * Commands to LEAN as command files (lean-runtime §6, Lean:`Common/Commands/FileCommandHandler.cs`):
 * LEAN reads every `command*.json` in its working directory in name order, deletes it, runs it
 * and answers `result-command-<Id>.json`. Each file is written under a temporary name that does
 * not match `command*.json` and then renamed, so LEAN never reads a half-written file. The
 * command's `Id` is the queued command's id, which is how an answer finds its command.
 */
export function commandChannel(leanCwd: string, d: Pick<LiveDeployment, 'projectId' | 'deployId'>, note: (line: string) => void) {
  let sequence = 0;
  return {
    /** Writes the commands queued since the last call; answers how many. */
    async deliver(): Promise<number> {
      const pending = (await deploymentRepository.listCommands(d.projectId, d.deployId)).filter((c) => c.state === 'pending');
      pending.sort((a, b) => a.created.localeCompare(b.created));
      for (const c of pending) {
        const name = `command-${Date.now()}-${String(sequence++).padStart(6, '0')}.json`;
        const temporary = join(leanCwd, `tmp-${c.commandId}.json`);
        await writeFile(temporary, JSON.stringify({ ...c.command, Id: c.commandId }));
        await rename(temporary, join(leanCwd, name));
        await deploymentRepository.updateCommand(d.projectId, d.deployId, c.commandId, { state: 'delivered' });
      }
      return pending.length;
    },

    /** Records LEAN's answers (and removes the files), noting each in the deployment's log. */
    async collect(): Promise<void> {
      const names = (await readdir(leanCwd).catch(() => [] as string[])).filter((n) => /^result-command-.+\.json$/.test(n));
      for (const name of names) {
        const answer = await readJson(join(leanCwd, name));
        if (!answer || typeof answer !== 'object') continue; // still being written
        const result = answer as Record<string, unknown>;
        const commandId = name.slice('result-command-'.length, -'.json'.length);
        const success = result.Success === true || result.success === true;
        await deploymentRepository.updateCommand(d.projectId, d.deployId, commandId, { state: 'acknowledged', success, result });
        note(`Command ${String(result.CommandName ?? commandId)} acknowledged by LEAN: ${success ? 'success' : 'failed'}`);
        await rm(join(leanCwd, name), { force: true });
      }
    },
  };
}
