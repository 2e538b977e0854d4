import { importedOptimizationIds, importOptimization } from '../../core/domain/optimizations/optimization-import';
import type { Principal } from '../../core/shared/principal';
import { type QcSource, SourceRefusal } from './source';

/**
 * A project's history beyond its backtests: `--with-optimizations` imports the source's ended
 * optimizations read-only (listed and read here like any ended one; running ones are skipped and
 * named, a later run takes them once they end). `--with-live` starts nothing and imports no
 * deployment: a deployment here is a running LEAN process with its brokerage credentials, its
 * results stream and its runner, and a past one's record would be an empty shell without them.
 * It reads the project's latest deployment on the source instead and prints the `lean cloud live
 * deploy` command that redeploys it here. Brokerage credentials are never read: the source's
 * live/read does not return them, and the command leaves them to lean-cli's prompts.
 */
export interface OptimizationOutcome {
  imported: number;
  unchanged: number;
  /** Source optimizations not ended yet (running or new), by name: not imported. */
  skipped: string[];
  failed: number;
  error?: string;
}

export interface LiveOutcome {
  deployId: string;
  status: string;
  brokerage: string;
  node?: string;
  launched?: string;
  stopped?: string;
  /** The lean-cli command that deploys the imported project here as it ran on the source. */
  command: string;
}

const ENDED = new Set(['completed', 'aborted']);

export async function importOptimizations(
  source: QcSource,
  sourceProjectId: number,
  targetId: number | undefined,
  principal: Principal,
  dryRun: boolean,
): Promise<OptimizationOutcome> {
  const result: OptimizationOutcome = { imported: 0, unchanged: 0, skipped: [], failed: 0 };
  try {
    const { optimizations = [] } = await source.call<{ optimizations?: { optimizationId: string; name?: string; status?: string }[] }>('optimizations/list', {
      projectId: sourceProjectId,
    });
    const done = targetId === undefined ? new Set<string>() : await importedOptimizationIds(principal, targetId, source.base);
    for (const summary of optimizations) {
      if (done.has(summary.optimizationId)) {
        result.unchanged++;
        continue;
      }
      if (!ENDED.has(String(summary.status))) {
        result.skipped.push(`${summary.name ?? summary.optimizationId} (${summary.status ?? 'unknown'})`);
        continue;
      }
      if (dryRun || targetId === undefined) {
        result.imported++;
        continue;
      }
      try {
        const { optimization } = await source.call<{ optimization: Record<string, unknown> }>('optimizations/read', { optimizationId: summary.optimizationId });
        // The list may be older than the read: one that was still running is taken next time.
        if (!ENDED.has(String(optimization.status))) {
          result.skipped.push(`${summary.name ?? summary.optimizationId} (${String(optimization.status)})`);
          continue;
        }
        await importOptimization(principal, targetId, { source: source.base, sourceOptimizationId: summary.optimizationId, read: optimization });
        result.imported++;
      } catch (err) {
        result.failed++;
        result.error = (err as Error).message;
      }
    }
  } catch (err) {
    result.failed++;
    result.error = (err as Error).message;
  }
  return result;
}

/** A shell word in double quotes when it needs them. */
const quoted = (word: string) => (/^[\w./:@-]+$/.test(word) ? word : `"${word.replace(/(["\\$`])/g, '\\$1')}"`);

/** The project's latest deployment on the source (live/read by project), or undefined when it never had one. */
export async function liveDeployment(source: QcSource, sourceProjectId: number, nameHere: string): Promise<LiveOutcome | undefined> {
  const answer = await source.call<Record<string, unknown>>('live/read', { projectId: sourceProjectId }).catch((err: unknown) => {
    // "No live deployment found" (contract §3.8) and any other refusal: nothing to redeploy.
    if (err instanceof SourceRefusal) return undefined;
    throw err;
  });
  if (!answer?.deployId || !answer.status || answer.status === 'Undefined') return undefined;
  const node = answer.node && typeof answer.node === 'object' ? (answer.node as { name?: unknown; id?: unknown }) : {};
  const nodeName = typeof node.name === 'string' && node.name ? node.name : typeof node.id === 'string' && node.id ? node.id : undefined;
  const brokerage = String(answer.brokerage ?? '');
  const command = [
    'lean cloud live deploy',
    quoted(nameHere),
    ...(brokerage ? ['--brokerage', quoted(brokerage)] : []),
    ...(nodeName ? ['--node', quoted(nodeName)] : []),
    '--auto-restart',
    answer.automaticRedeploy === true ? 'yes' : 'no',
  ].join(' ');
  return {
    deployId: String(answer.deployId),
    status: String(answer.status),
    brokerage,
    ...(nodeName ? { node: nodeName } : {}),
    ...(typeof answer.launched === 'string' ? { launched: answer.launched } : {}),
    ...(typeof answer.stopped === 'string' ? { stopped: answer.stopped } : {}),
    command,
  };
}
