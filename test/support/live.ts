import type { Answer, LeanCli } from './api';
import { call } from './api';

/**
 * lean-cli's and LEAN's live calls (lean-cli:`lean/components/api/live_client.py`, contract §3.8,
 * §5.2): `live/create` as JSON with the brokerage settings flattened into `brokerage`, GET
 * `live/read?projectId=` and `live/portfolio/read?projectId=`, JSON posts for the rest.
 */
export type LiveRead = Record<string, unknown> & { status: string | null; deployId: string; launched: string; stopped: string | null };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function liveNode(cli: LeanCli): Promise<{ id: string; name: string; busy: boolean; usedBy: string }> {
  const nodes = await cli.nodes();
  const node = (nodes.body.live as { id: string; name: string; busy: boolean; usedBy: string }[])[0];
  if (!node) throw new Error(`no live node: ${nodes.text}`);
  return node;
}

/** `lean cloud live deploy <project> --brokerage "Paper Trading" --node … --auto-restart …` */
export function deploy(
  cli: LeanCli,
  projectId: number,
  compileId: string,
  nodeId: string,
  options: { autoRestart?: boolean; brokerage?: Record<string, unknown> } = {},
) {
  return call('live/create', {
    json: {
      projectId,
      compileId,
      nodeId,
      brokerage: options.brokerage ?? { id: 'QuantConnectBrokerage' },
      dataProviders: { QuantConnectBrokerage: { id: 'QuantConnectBrokerage' } },
      automaticRedeploy: options.autoRestart ?? false,
      versionId: -1,
    },
    creds: cli.creds,
  });
}

export function readLive(cli: LeanCli, projectId: number): Promise<Answer> {
  return call('live/read', { method: 'GET', query: { projectId }, creds: cli.creds });
}

export async function waitForLive(cli: LeanCli, projectId: number, until: (l: LiveRead) => boolean, timeoutMs = 30_000): Promise<LiveRead> {
  const deadline = Date.now() + timeoutMs;
  let last: Answer | undefined;
  while (Date.now() < deadline) {
    last = await readLive(cli, projectId);
    if (last.body.success === true && until(last.body as LiveRead)) return last.body as LiveRead;
    await sleep(200);
  }
  throw new Error(`live/read never matched: ${last?.text.slice(0, 800)}`);
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Reads until the value passes `ok`; the error shows the last value read. */
export async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 40_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (ok(last)) return last;
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last).slice(0, 600)}`);
}

/** A Python project with `mainPy`, compiled, through `api` (a client bound to one server and user). */
export async function compiledProject(api: (endpoint: string, options: Parameters<typeof call>[1]) => Promise<Answer>, name: string, mainPy: string) {
  const created = await api('projects/create', { json: { name, language: 'Py' } });
  const projectId = (created.body.projects as { projectId: number }[])[0]!.projectId;
  await api('files/update', { json: { projectId, name: 'main.py', content: mainPy } });
  const compile = await api('compile/create', { json: { projectId } });
  const compileId = compile.body.compileId as string;
  await until(
    'the compile',
    () => api('compile/read', { json: { projectId, compileId } }),
    (r) => r.body.state === 'BuildSuccess',
  );
  return { projectId, compileId };
}
