import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { dataPaths } from '../../local/embedded-storage';
import { fail } from '../admin/action';
import { orgId } from '../admin/parse';

/**
 * `lcs workspace <dir>`: the lean-cli workspace this server needs (issue: lean-cli refuses an empty
 * folder, an empty lean.json, and `lean init` needs QuantConnect). lean-cli accepts a lean.json
 * with a data folder and the organization its cloud commands act in; projects are then created
 * with `lean project-create` and pushed with `lean cloud push`.
 */
export interface WorkspaceFiles {
  leanJson: Record<string, string>;
  nextSteps: string[];
}

export function workspaceFiles(organizationId: string, dir: string): WorkspaceFiles {
  return {
    leanJson: { 'data-folder': 'data', 'job-organization-id': organizationId },
    nextSteps: [
      `cd ${JSON.stringify(dir)}`,
      'export QC_API=local',
      'lean login --user-id <your user id> --api-token <your API token>   # local mode: printed at its first start, kept in <data-dir>/admin.json',
      'lean project-create --language python "My Project"',
      'lean cloud push --project "My Project"',
      'lean cloud backtest "My Project" --push',
      'lean cloud pull',
    ],
  };
}

/** The organization: --org, else local mode's first admin's (its admin.json). */
function organizationFor(options: { org?: string; dataDir: string }): string {
  if (options.org) return options.org;
  const file = dataPaths(options.dataDir).admin;
  if (!existsSync(file))
    fail(`no --org given and no local server data in ${resolve(options.dataDir)} (start it once with npm start, or pass --org <organization id>)`);
  return (JSON.parse(readFileSync(file, 'utf8')) as { organizationId: string }).organizationId;
}

export function registerWorkspace(program: Command): void {
  program
    .command('workspace')
    .description('make <dir> a lean-cli workspace for this server: writes lean.json (data folder, organization) and prints the next commands')
    .argument('<dir>', 'folder to create or use')
    .option('--org <id>', 'organization the lean-cli cloud commands act in (default: the local server’s first organization)', orgId)
    .option('--data-dir <dir>', 'local mode: the data folder of the server', '.lcs-data')
    .option('--force', 'replace an existing lean.json')
    .action((dir: string, options: { org?: string; dataDir: string; force?: boolean }) => {
      const root = resolve(dir);
      const file = join(root, 'lean.json');
      if (existsSync(file) && !options.force) fail(`${file} exists; pass --force to replace it`);
      const { leanJson, nextSteps } = workspaceFiles(organizationFor(options), root);
      mkdirSync(join(root, leanJson['data-folder'] as string), { recursive: true });
      writeFileSync(file, `${JSON.stringify(leanJson, null, 2)}\n`);
      process.stdout.write(`Wrote ${file}\n\nNext:\n${nextSteps.map((s) => `  ${s}`).join('\n')}\n`);
    });
}
