import { backtestRepository } from '../../core/data/backtests/backtest-repository';
import { nodeRepository } from '../../core/data/jobs/node-repository';
import { optimizationRepository } from '../../core/data/optimizations/optimization-repository';
import { documentClient } from '../../core/data/table/clients';
import { isFinal } from '../../core/domain/backtests/types';
import { abortOptimization, readOptimization } from '../../core/domain/optimizations/optimization-service';
import { optimizationView } from '../../core/domain/optimizations/optimization-view';
import type { Optimization } from '../../core/domain/optimizations/types';
import { envelopeJson, okEnvelope } from '../../core/shared/envelope';
import type { Principal } from '../../core/shared/principal';
import { call } from '../support/api';
import { algorithm, pythonProject } from '../support/backtests';
import { type CliOptimization, leanCliProgress, type OptimizationBody, optimizeCalls, points, pollOptimization } from '../support/optimizations';
import { countCommands } from '../support/table-commands';
import { createTenant, type Tenant } from '../support/tenants';

/**
 * Optimizations end to end in local mode, speaking like `lean cloud optimize` (form bodies,
 * polling optimizations/read, progress from runtimeStatistics). Points are real backtests on the
 * queue → dispatcher → runner path; the fake LEAN derives Sharpe ratio and drawdown from the
 * parameters (`fake-lean-optimum`, test/support/fake-lean/objective.mjs), so the best point is known:
 * Sharpe = 2 − Σ ((p − optimum)/10)², Drawdown = Σ p / 200.
 */
// Points are real runner processes; on a shared two-core machine a 20-point grid takes minutes.
jest.setTimeout(400_000);

const SHARPE = 'TotalPerformance.PortfolioStatistics.SharpeRatio';
const DRAWDOWN = 'TotalPerformance.PortfolioStatistics.Drawdown';
let tenant: Tenant;

beforeAll(async () => {
  tenant = await createTenant('optimizations e2e');
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Backtest items of an optimization's points (start and end times, phases), read from the table. */
async function pointBacktests(projectId: number, ids: string[]) {
  return Promise.all(ids.map(async (id) => backtestRepository.get(projectId, id)));
}

/** Most backtests running at one instant, from their recorded start and end times. */
function maxOverlap(spans: { started: string; finished: string }[]): number {
  const events = spans.flatMap((s) => [
    { t: Date.parse(s.started), d: 1 },
    { t: Date.parse(s.finished), d: -1 },
  ]);
  events.sort((a, b) => a.t - b.t || a.d - b.d);
  let now = 0;
  let most = 0;
  for (const e of events) {
    now += e.d;
    most = Math.max(most, now);
  }
  return most;
}

/** A grid over `fast` of slow points (on O2-8 nodes), returned once a point runs. */
async function slowGridRunning(name: string, grid: { optimum: string; seconds: number; max: number; parallelNodes: number }) {
  const project = await pythonProject(
    tenant.cli,
    `Optimize/${name}`,
    algorithm({ optimum: grid.optimum, scenario: 'slow', seconds: grid.seconds, orders: 1, insights: 0 }),
  );
  const created = await optimizeCalls.create(tenant.cli, {
    ...project,
    name,
    target: SHARPE,
    extremum: 'max',
    parameters: [{ name: 'fast', min: 1, max: grid.max, step: 1 }],
    nodeType: 'O2-8',
    parallelNodes: grid.parallelNodes,
  });
  const { optimizationId } = (created.body.optimizations as OptimizationBody[])[0] as OptimizationBody;
  await pollOptimization(tenant.cli, optimizationId, { until: (o) => Number(o.runtimeStatistics.Running) >= 1 });
  return { project, optimizationId };
}

/** The tenant's admin as the core's services see a caller, for the in-process calls below. */
const tenantAdmin = (): Principal => ({
  userId: tenant.admin.userId,
  authMethod: 'qc-hash',
  credentialId: 'test',
  memberships: [{ orgId: tenant.orgId, role: 'admin' }],
});

describe('lean cloud optimize: grid search with a constraint and a failing point', () => {
  let request: CliOptimization;
  let final: OptimizationBody;
  let seen: OptimizationBody[];
  let optimizationId: string;

  beforeAll(async () => {
    const main = algorithm({ optimum: 'fast=15,slow=38', 'fail-when': 'fast=20,slow=20', scenario: 'slow', seconds: 1, orders: 4, insights: 0 });
    const project = await pythonProject(tenant.cli, 'Optimize/Grid', main);
    request = {
      ...project,
      name: 'Grid with constraint',
      target: SHARPE,
      extremum: 'max',
      parameters: [
        { name: 'fast', min: 5, max: 20, step: 5 },
        { name: 'slow', min: 20, max: 60, step: 10 },
      ],
      constraints: [{ target: DRAWDOWN, operator: 'Less', value: 0.25 }],
      nodeType: 'O2-8',
      parallelNodes: 3,
    };
    const estimate = await optimizeCalls.estimate(tenant.cli, request);
    expect(estimate.body.success).toBe(true);
    expect(estimate.body.estimate).toMatchObject({ estimateId: expect.any(String), time: expect.any(Number), balance: expect.any(Number), backtests: 20 });

    const created = await optimizeCalls.create(tenant.cli, request);
    expect(created.body.success).toBe(true);
    const summary = (created.body.optimizations as OptimizationBody[])[0] as OptimizationBody;
    expect(summary).toMatchObject({ projectId: project.projectId, name: 'Grid with constraint', nodeType: 'O2-8' });
    expect(['new', 'running']).toContain(summary.status);
    expect(summary.optimizationId).toMatch(/^O-[0-9a-f]{32}$/);
    optimizationId = summary.optimizationId;
    ({ final, seen } = await pollOptimization(tenant.cli, optimizationId));
  });

  it('ends completed with every point of the grid recorded', () => {
    expect(final.status).toBe('completed');
    expect(final.runtimeStatistics).toMatchObject({ Total: '20', Completed: '19', Failed: '1', Running: '0', 'In Queue': '0' });
    expect(points(final)).toHaveLength(20);
  });

  it('reports progress the way lean-cli reads it, rising to 1', () => {
    const progress = seen.map(leanCliProgress);
    expect(progress.every((p, i) => i === 0 || p >= (progress[i - 1] as number))).toBe(true);
    expect(progress.some((p) => p > 0 && p < 1)).toBe(true);
    expect(progress.at(-1)).toBe(1);
  });

  it('answers the wire shapes lean-cli and LEAN parse', () => {
    for (const p of points(final)) {
      expect(p.statistics).toHaveLength(21);
      expect(p.statistics.every((v) => typeof v === 'number')).toBe(true);
      expect(p.parameterSet).toEqual({ fast: expect.any(String), slow: expect.any(String) });
      if (p.exitCode === 0) {
        expect(p.equity.length).toBeGreaterThan(0);
        expect(p.equity.every((c) => Array.isArray(c) && c.length === 5)).toBe(true);
      }
    }
  });

  it('records the failing point with its exit code and error, without failing the optimization', () => {
    const failed = points(final).filter((p) => p.exitCode !== 0);
    expect(failed).toHaveLength(1);
    expect(failed[0]?.parameterSet).toEqual({ fast: '20', slow: '20' });
    expect(failed[0]?.error).toBeTruthy();
  });

  it('finds the best parameter set within the constraint (the unconstrained optimum is excluded)', () => {
    const best = points(final).find((p) => p.id === final.bestBacktestId);
    expect(best?.parameterSet).toEqual({ fast: '15', slow: '30' });
    // lean-cli's own pick: exitCode 0, its constraint on statistics[7] (Drawdown, in percent), max statistics[15].
    const candidates = points(final).filter((p) => p.exitCode === 0 && (p.statistics[7] as number) < 25);
    const leanCliBest = candidates.sort((a, b) => (b.statistics[15] as number) - (a.statistics[15] as number))[0];
    expect(leanCliBest?.parameterSet).toEqual({ fast: '15', slow: '30' });
    // The grid's unconstrained best, (15, 40): Sharpe 1.96 but drawdown 27.5 %.
    const optimum = points(final).find((p) => p.parameterSet.fast === '15' && p.parameterSet.slow === '40');
    expect(optimum?.statistics[15]).toBe(1.96);
    expect(Math.max(...points(final).map((p) => p.statistics[15] as number))).toBe(1.96);
    expect(optimum?.statistics[7]).toBeGreaterThanOrEqual(25);
  });

  it('never ran more than parallelNodes points at once (recorded start and end times)', async () => {
    const backtests = await pointBacktests(
      request.projectId,
      points(final).map((p) => p.id),
    );
    const spans = backtests.map((b) => ({ started: b?.started as string, finished: b?.finished as string }));
    expect(spans.every((s) => s.started && s.finished)).toBe(true);
    const most = maxOverlap(spans);
    expect(most).toBeLessThanOrEqual(3);
    expect(most).toBeGreaterThan(1);
  });

  it('lets lean-cli read the best backtest', async () => {
    const read = await tenant.cli.readBacktest(request.projectId, final.bestBacktestId as string);
    expect(read.body.success).toBe(true);
    expect((read.body.backtest as { parameterSet: Record<string, string> }).parameterSet).toMatchObject({ fast: '15', slow: '30' });
  });

  it('keeps its ended answer whole: the same answer as built from its points, with a rename shown', async () => {
    const stored = await optimizationRepository.getWithPoints(optimizationId);
    expect(stored.optimization?.finalView).toBe(true);
    const built = JSON.parse(JSON.stringify(optimizationView(stored.optimization as Optimization, stored.points)));
    const read = await optimizeCalls.read(tenant.cli, optimizationId);
    expect(read.body.optimization).toEqual(built);
    expect(await optimizeCalls.json(tenant.cli, 'optimizations/update', { optimizationId, name: 'Renamed when ended' })).toMatchObject({
      body: { success: true },
    });
    const renamed = await optimizeCalls.read(tenant.cli, optimizationId);
    expect(renamed.body.optimization).toEqual({ ...built, name: 'Renamed when ended' });
  });

  it('reads an ended optimization without querying its points: two item reads however many points', async () => {
    const counter = countCommands(documentClient());
    const caller = tenantAdmin();
    const read = async () => {
      const before = counter.snapshot();
      const answer = await readOptimization(caller, optimizationId);
      return { answer, sent: counter.since(before) };
    };
    const first = await read();
    const again = await read();
    // The optimization's item and its project's item (access), and no query of the point items.
    expect(first.sent).toEqual({ GetItemCommand: 2 });
    expect(again.sent).toEqual({ GetItemCommand: 2 });
    const overHttp = await optimizeCalls.read(tenant.cli, optimizationId);
    expect(JSON.parse(envelopeJson(okEnvelope(again.answer)))).toEqual(overHttp.body);
  });

  it('is not found by another organization', async () => {
    const other = await createTenant('optimizations other');
    const read = await optimizeCalls.read(other.cli, optimizationId);
    expect(read.body).toMatchObject({ success: false, errors: [expect.stringMatching(/not found/i)] });
    const list = await optimizeCalls.json(other.cli, 'optimizations/list', { projectId: request.projectId });
    expect(list.body.success).toBe(false);
    const abort = await optimizeCalls.abort(other.cli, optimizationId);
    expect(abort.body.success).toBe(false);
    const listed = await optimizeCalls.json(tenant.cli, 'optimizations/list', { projectId: request.projectId });
    expect((listed.body.optimizations as { optimizationId: string }[]).map((o) => o.optimizationId)).toContain(optimizationId);
  });
});

describe('Euler search (JSON, as LEAN sends it)', () => {
  it('reaches the known optimum with fewer backtests than the full grid', async () => {
    // Sharpe peaks at fast = 12; on the finest grid (0..80 step 5) the best point is fast = 10.
    const project = await pythonProject(tenant.cli, 'Optimize/Euler', algorithm({ optimum: 'fast=12', orders: 2, insights: 0 }));
    const created = await optimizeCalls.json(tenant.cli, 'optimizations/create', {
      ...project,
      name: 'Euler',
      target: SHARPE,
      targetTo: 'max',
      targetValue: null,
      strategy: 'QuantConnect.Optimizer.Strategies.EulerSearchOptimizationStrategy',
      parameters: [{ name: 'fast', min: 0, max: 80, step: 40, minStep: 5 }],
      constraints: [],
      nodeType: 'O4-12',
      parallelNodes: 3,
    });
    expect(created.body.success).toBe(true);
    const { optimizationId } = (created.body.optimizations as OptimizationBody[])[0] as OptimizationBody;
    const { final } = await pollOptimization(tenant.cli, optimizationId);
    expect(final.status).toBe('completed');
    const best = points(final).find((p) => p.id === final.bestBacktestId);
    expect(best?.parameterSet).toEqual({ fast: '10' });
    // Rounds: 0, 40, 80 → 10, 20 (step 10 around 0) → 5, 15 (step 5 around 10): 7 of the full grid's 17.
    const fullGrid = 17;
    expect(
      points(final)
        .map((p) => Number(p.parameterSet.fast))
        .sort((a, b) => a - b),
    ).toEqual([0, 5, 10, 15, 20, 40, 80]);
    expect(points(final).length).toBeLessThan(fullGrid);
    expect(Number(final.runtimeStatistics.Total)).toBe(points(final).length);
  });
});

describe('abort mid-way, then delete', () => {
  it('keeps finished points, leaves nothing running or queued, frees the nodes; delete removes everything', async () => {
    const project = await pythonProject(tenant.cli, 'Optimize/Abort', algorithm({ optimum: 'fast=15', scenario: 'slow', seconds: 2, orders: 2, insights: 0 }));
    const created = await optimizeCalls.create(tenant.cli, {
      ...project,
      name: 'To abort',
      target: SHARPE,
      extremum: 'max',
      parameters: [{ name: 'fast', min: 1, max: 10, step: 1 }],
      nodeType: 'O8-16',
      parallelNodes: 2,
    });
    expect(created.body.success).toBe(true);
    const { optimizationId } = (created.body.optimizations as OptimizationBody[])[0] as OptimizationBody;
    await pollOptimization(tenant.cli, optimizationId, { until: (o) => Number(o.runtimeStatistics.Completed) >= 1 });

    const aborted = await optimizeCalls.abort(tenant.cli, optimizationId);
    expect(aborted.body).toMatchObject({ success: true });
    await sleep(3000); // a point would have started and finished by now, had anything kept going
    const read = await optimizeCalls.read(tenant.cli, optimizationId);
    const after = read.body.optimization as OptimizationBody;
    expect(after.status).toBe('aborted');
    expect((await optimizationRepository.get(optimizationId))?.finalView).toBe(true);
    const kept = points(after);
    expect(kept.length).toBeGreaterThanOrEqual(1);
    expect(kept.length).toBeLessThan(10);
    expect(kept.every((p) => p.progress === 1)).toBe(true);
    expect(after.runtimeStatistics.Running).toBe('0');

    const projectBacktests = await backtestRepository.listByProject(project.projectId);
    expect(projectBacktests.filter((b) => !isFinal(b))).toEqual([]);
    expect(projectBacktests.map((b) => b.backtestId).sort()).toEqual(kept.map((p) => p.id).sort());
    const nodes = await nodeRepository.listByOrg(tenant.orgId);
    expect(nodes.filter((n) => n.kind === 'optimization' && n.busyWith)).toEqual([]);
    expect(await nodeRepository.listWaiters(tenant.orgId)).toEqual([]);

    const deleted = await optimizeCalls.delete(tenant.cli, optimizationId);
    expect(deleted.body).toMatchObject({ success: true });
    expect((await optimizeCalls.read(tenant.cli, optimizationId)).body.success).toBe(false);
    expect(await backtestRepository.listByProject(project.projectId)).toEqual([]);
    const backtestRead = await tenant.cli.readBacktest(project.projectId, kept[0]?.id as string);
    expect(backtestRead.body.success).toBe(false);
  });
});

describe('a point that ends while the abort is stopping points', () => {
  it('stays a finished point with its backtest: the abort drops only what is still running', async () => {
    const { project, optimizationId } = await slowGridRunning('Abort race', { optimum: 'fast=2', seconds: 4, max: 6, parallelNodes: 1 });
    const caller = tenantAdmin();
    // The interleaving, made certain: the abort lists the point as running, and it ends right after that listing.
    const listing = optimizationRepository.getWithPoints.bind(optimizationRepository);
    let ended: string | undefined;
    const spy = jest.spyOn(optimizationRepository, 'getWithPoints').mockImplementationOnce(async (id) => {
      const listed = await listing(id);
      const running = listed.points.find((p) => p.phase === 'running');
      if (running && (await optimizationRepository.recordPoint({ ...running, phase: 'completed' }, 1))) ended = running.backtestId;
      return listed;
    });
    const stopped: string[] = [];
    try {
      await abortOptimization(caller, optimizationId, {
        launch: async () => Promise.reject(new Error('not here')),
        stop: async (ref) => void stopped.push(ref),
      });
    } finally {
      spy.mockRestore();
    }
    expect(ended).toBeDefined();
    // Not stopped, not removed: the optimization's answer names it, and its backtest is still there.
    expect(stopped).toEqual([]);
    expect(await backtestRepository.get(project.projectId, ended!)).toBeDefined();
    const read = await optimizeCalls.read(tenant.cli, optimizationId);
    const after = read.body.optimization as OptimizationBody;
    expect(after.status).toBe('aborted');
    expect(points(after).map((p) => p.id)).toContain(ended);
    expect((await optimizeCalls.delete(tenant.cli, optimizationId)).body).toMatchObject({ success: true });
  });
});

describe('deleting the project of a running optimization', () => {
  it('aborts and removes the optimization with its points, and frees its nodes', async () => {
    const { project, optimizationId } = await slowGridRunning('Orphan', { optimum: 'fast=3', seconds: 2, max: 8, parallelNodes: 2 });

    expect((await tenant.cli.deleteProject(project.projectId)).body).toMatchObject({ success: true });
    expect((await optimizeCalls.read(tenant.cli, optimizationId)).body.success).toBe(false);
    expect(await optimizationRepository.listByProject(project.projectId)).toEqual([]);
    await sleep(3000); // a point would have started by now, had the optimization kept going
    expect(await backtestRepository.listByProject(project.projectId)).toEqual([]);
    const nodes = await nodeRepository.listByOrg(tenant.orgId);
    expect(nodes.filter((n) => n.kind === 'optimization' && n.busyWith)).toEqual([]);
  });
});

describe('bad input: envelope errors, nothing queued', () => {
  let project: { projectId: number; compileId: string };
  const base = () => ({
    ...project,
    name: 'Bad',
    target: SHARPE,
    targetTo: 'max',
    parameters: [{ name: 'fast', min: 1, max: 5, step: 1 }],
    constraints: [],
    nodeType: 'O2-8',
    parallelNodes: 2,
  });

  beforeAll(async () => {
    project = await pythonProject(tenant.cli, 'Optimize/Bad', algorithm({ orders: 1 }));
  });

  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['a zero step', { parameters: [{ name: 'fast', min: 1, max: 5, step: 0 }] }, /step/],
    ['a negative step', { parameters: [{ name: 'fast', min: 1, max: 5, step: -1 }] }, /step/],
    ['min > max', { parameters: [{ name: 'fast', min: 9, max: 5, step: 1 }] }, /min/],
    [
      'a grid over the ceiling',
      {
        parameters: [
          { name: 'a', min: 1, max: 100, step: 1 },
          { name: 'b', min: 1, max: 100, step: 1 },
        ],
      },
      /at most/,
    ],
    ['an unknown target', { target: 'TotalPerformance.PortfolioStatistics.Happiness' }, /target/],
    ['an unknown node type', { nodeType: 'O99-1' }, /nodeType/],
    ['too many parallel nodes for the node type', { nodeType: 'O8-16', parallelNodes: 7 }, /parallelNodes/],
    ['an unknown constraint operator', { constraints: [{ target: DRAWDOWN, operator: 'Roughly', targetValue: 1 }] }, /operator/],
  ];

  it.each(cases)('refuses %s', async (_label, change, message) => {
    const answer = await call('optimizations/create', { json: { ...base(), ...change }, creds: tenant.admin });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ success: false, errors: [expect.stringMatching(message)] });
  });

  it('queued nothing for any of them', async () => {
    const list = await optimizeCalls.json(tenant.cli, 'optimizations/list', { projectId: project.projectId });
    expect(list.body).toMatchObject({ success: true, optimizations: [] });
    expect(await backtestRepository.listByProject(project.projectId)).toEqual([]);
  });
});
