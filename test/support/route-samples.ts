import { randomBytes } from 'node:crypto';
import { nodeRepository } from '../../core/data/jobs/node-repository';
import { MODULES_PREFIX, marketDataStore } from '../../core/data/market-data/market-data-store';
import { identityService } from '../../core/domain/identity/identity-service';
import { starterFiles } from '../../core/domain/projects/starter-files';
import { type RoutePath, routes } from '../../lambdas/api/routes';
import type { RouteDef } from '../../lambdas/api/routes/route-types';
import { type Answer, call, LeanCli, removeStarterFiles } from './api';
import { compileProject, pollBacktest } from './backtests';
import { addUser, createTenant, type Tenant, type TestUser } from './tenants';

/**
 * A valid request for every route of the route table, so the contract tests can iterate the
 * table and cover a new endpoint the moment it is added. `routeSamples` is typed as a record over
 * every route path: adding a route without a sample fails `tsc`, and `sampleFor` fails the tests.
 *
 * Samples are JSON parameter maps for the fixture's admin. Every mutating sample works on
 * resources it creates itself (a fresh project, file or collaborator), so it can be sent any
 * number of times, by any credential, and a call that does succeed never damages the fixture.
 */
export type Params = Record<string, unknown>;
export type Sample = (f: Fixture) => Promise<Params>;

export interface Fixture {
  label: string;
  tenant: Tenant;
  orgId: string;
  /** Organisation admin and owner: every sample is valid for this user. */
  admin: TestUser;
  /** A member with write permission on the fixture project. */
  member: TestUser;
  /** A viewer with read permission on the fixture project. */
  viewer: TestUser;
  /** A Py project with one file and the library linked; read-only for the samples. */
  projectId: number;
  projectName: string;
  fileName: string;
  fileContent: string;
  /** A Py library project (linked into the fixture project). */
  libraryId: number;
  /** A backtest node of the organisation. */
  nodeId: string;
  /** Users added as read collaborators to every fresh project (e.g. to test role refusals). */
  freshProjectReaders: TestUser[];
  /** Creates a Py project owned by the admin, with the given files; returns its id. */
  freshProject(files?: { name: string; content: string }[]): Promise<number>;
  addCollaborator(projectId: number, user: TestUser, write: boolean): Promise<void>;
  /** A compile of the fixture project and a completed backtest of it (made once, on first use). */
  completedBacktest(): Promise<{ compileId: string; backtestId: string }>;
  /**
   * A compiled project of its own for samples that start backtests, so the fixture project's
   * backtest list does not change while read samples compare answers.
   */
  scratchCompile(): Promise<{ projectId: number; compileId: string }>;
  /** A stopped live deployment that published results, of a project of its own (shared like the scratch project), for the live read samples. */
  liveDeployment(): Promise<{ projectId: number; deployId: string }>;
  /**
   * A compiled fresh project and a free live node for a sample that deploys: the deployments
   * earlier samples started are stopped first, so their nodes are free again.
   */
  liveSlot(): Promise<{ projectId: number; compileId: string; nodeId: string }>;
  /** A fresh project with a running deployment, for stop and liquidate. */
  deployedProject(): Promise<number>;
  /** A project whose deployment keeps running (commands are sent to it). */
  runningDeployment(): Promise<number>;
}

export const rand = (bytes = 4) => randomBytes(bytes).toString('hex');

/** Throws with the server's answer when a fixture step fails, so a broken setup is obvious. */
export async function must(what: string, answer: Promise<Answer>): Promise<Answer> {
  const got = await answer;
  if (got.status !== 200 || got.body.success !== true) throw new Error(`fixture step '${what}' failed: HTTP ${got.status} ${got.text}`);
  return got;
}

export async function buildFixture(label: string): Promise<Fixture> {
  const tenant = await createTenant(`contract ${label}`);
  const { orgId, admin } = tenant;
  const [member, viewer] = await Promise.all([addUser(orgId, 'member'), addUser(orgId, 'viewer')]);
  const creds = admin;

  const createProject = async (name: string) => {
    const answer = await must('projects/create', call('projects/create', { json: { name, language: 'Py', organizationId: orgId }, creds }));
    return (answer.body.projects as { projectId: number }[])[0]!.projectId;
  };
  // A new project already has its starter files: writing one of those is an update.
  const starters = new Set(starterFiles('Py').map((f) => f.name));
  const createFile = (projectId: number, name: string, content: string) => {
    const path = starters.has(name) ? 'files/update' : 'files/create';
    return must(path, call(path, { json: { projectId, name, content }, creds }));
  };
  const addCollaborator = async (projectId: number, user: TestUser, write: boolean) => {
    await must(
      'projects/collaboration/create',
      call('projects/collaboration/create', {
        json: { projectId, collaboratorUserId: String(user.userId), collaborationWrite: write, collaborationLiveControl: false },
        creds,
      }),
    );
  };

  const projectName = `Contract/${label}-${rand()}`;
  const fileName = 'main.py';
  const fileContent = 'from AlgorithmImports import *\n\nclass Fixture(QCAlgorithm):\n    pass\n';
  const [projectId, libraryId] = await Promise.all([createProject(projectName), createProject(`Contract/Library-${rand()}`)]);
  // Writes to one project are sequential: each names the project version it read.
  await createFile(libraryId, 'lib.py', 'LIBRARY = 1\n');
  await createFile(projectId, fileName, fileContent);
  await addCollaborator(projectId, member, true);
  await addCollaborator(projectId, viewer, false);
  await must('projects/library/create', call('projects/library/create', { json: { projectId, libraryId }, creds }));
  const nodes = await must('nodes/read', call('nodes/read', { json: { organizationId: orgId }, creds }));
  const nodeId = (nodes.body.backtest as { id: string }[])[0]?.id;
  if (!nodeId) throw new Error('fixture: the organisation has no backtest node');
  // Live samples need nodes of their own besides the one the read samples' deployment holds.
  const created = new Date().toISOString();
  await nodeRepository.putMany(
    [1, 2, 3, 4].map((i) => ({ id: `LMICRO-extra${i}${rand(2)}`, orgId, kind: 'live' as const, sku: 'L-MICRO', name: `L-MICRO extra ${i}`, created })),
  );
  /** Projects whose deployments samples started; stopped before the next sample needs a node. */
  const sampleDeployments = new Set<number>();
  const liveCompile = async (readers: TestUser[]) => {
    const id = await createProject(`Contract/live-${rand(6)}`);
    await createFile(id, fileName, fileContent);
    for (const reader of readers) await addCollaborator(id, reader, reader === member);
    const compiled = await compileProject(new LeanCli(admin, ''), id);
    return { projectId: id, compileId: compiled.compileId };
  };
  /** Nodes handed to samples not yet sent: a test may build two samples before it deploys either. */
  const handedOut = new Set<string>();
  const freeLiveNode = async (): Promise<string> => {
    const freeNode = async () =>
      ((await must('nodes/read', call('nodes/read', { json: { organizationId: orgId }, creds }))).body.live as { id: string; busy: boolean }[]).find(
        (n) => !n.busy && !handedOut.has(n.id),
      );
    let free = await freeNode();
    if (!free) {
      // All taken: stop what earlier samples deployed, together (each stop waits for LEAN's final files).
      await Promise.all([...sampleDeployments].map((id) => call('live/update/stop', { json: { projectId: id }, creds })));
      sampleDeployments.clear();
      handedOut.clear();
      free = await freeNode();
    }
    if (!free) throw new Error('fixture: no free live node');
    handedOut.add(free.id);
    return free.id;
  };
  const deployOn = async (projectId: number, compileId: string, nodeId: string) => {
    const answer = await must(
      'live/create',
      call('live/create', { json: { projectId, compileId, nodeId, brokerage: { id: 'QuantConnectBrokerage' }, automaticRedeploy: false }, creds }),
    );
    return answer.body.deployId as string;
  };

  const fixture: Fixture = {
    label,
    tenant,
    orgId,
    admin,
    member,
    viewer,
    projectId,
    projectName,
    fileName,
    fileContent,
    libraryId,
    nodeId,
    freshProjectReaders: [],
    async freshProject(files = []) {
      const id = await createProject(`Contract/fresh-${rand(6)}`);
      // A fresh project holds exactly the files given.
      await removeStarterFiles(id, creds);
      for (const file of files) await must('files/create', call('files/create', { json: { projectId: id, ...file }, creds }));
      for (const reader of fixture.freshProjectReaders) await addCollaborator(id, reader, false);
      return id;
    },
    addCollaborator,
    completedBacktest: () => {
      completed ??= completeBacktest(projectId, admin);
      return completed;
    },
    liveDeployment: () => Promise.reject(new Error('set below')),
    liveSlot: () => Promise.reject(new Error('set below')),
    deployedProject: () => Promise.reject(new Error('set below')),
    runningDeployment: () => Promise.reject(new Error('set below')),
    scratchCompile: () => {
      scratch ??= (async () => {
        // Shared like the fixture project: the member may write, the viewer read.
        const id = await createProject(`Contract/scratch-${rand(6)}`);
        await createFile(id, fileName, fileContent);
        await addCollaborator(id, member, true);
        await addCollaborator(id, viewer, false);
        const compiled = await compileProject(new LeanCli(admin, ''), id);
        return { projectId: id, compileId: compiled.compileId };
      })();
      return scratch;
    },
  };
  let completed: Promise<{ compileId: string; backtestId: string }> | undefined;
  let scratch: Promise<{ projectId: number; compileId: string }> | undefined;
  let liveRead: Promise<{ projectId: number; deployId: string }> | undefined;
  let liveRunning: Promise<number> | undefined;
  const waitForLive = async (id: number, done: (body: Record<string, unknown>) => boolean) => {
    for (let i = 0; i < 150; i++) {
      const read = await call('live/read', { json: { projectId: id }, creds });
      if (done(read.body)) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`fixture: live deployment of project ${id} did not get there`);
  };
  fixture.liveDeployment = () => {
    // Published something, then stopped: reads answer the same every time.
    liveRead ??= (async () => {
      const { projectId: id, compileId } = await liveCompile([member, viewer]);
      const deployId = await deployOn(id, compileId, await freeLiveNode());
      await waitForLive(id, (b) => b.status === 'Running' && Object.keys((b.charts as object | undefined) ?? {}).length > 0);
      await must('live/update/stop', call('live/update/stop', { json: { projectId: id }, creds }));
      await waitForLive(id, (b) => b.status === 'Stopped');
      return { projectId: id, deployId };
    })();
    return liveRead;
  };
  fixture.runningDeployment = () => {
    liveRunning ??= (async () => {
      await fixture.liveDeployment();
      const { projectId: id, compileId } = await liveCompile([member, viewer]);
      await deployOn(id, compileId, await freeLiveNode());
      return id;
    })();
    return liveRunning;
  };
  fixture.liveSlot = async () => {
    await fixture.runningDeployment();
    const compiled = await liveCompile(fixture.freshProjectReaders);
    const slot = { ...compiled, nodeId: await freeLiveNode() };
    sampleDeployments.add(compiled.projectId);
    return slot;
  };
  fixture.deployedProject = async () => {
    const slot = await fixture.liveSlot();
    await deployOn(slot.projectId, slot.compileId, slot.nodeId);
    return slot.projectId;
  };
  return fixture;
}

/** Routes whose every sample deploys a live algorithm (seconds each, and a live node while it runs). */
export const DEPLOYING_SAMPLES: ReadonlySet<RoutePath> = new Set<RoutePath>(['live/create', 'live/update/stop', 'live/update/liquidate']);

async function completeBacktest(projectId: number, creds: TestUser): Promise<{ compileId: string; backtestId: string }> {
  const cli = new LeanCli(creds, '');
  const compiled = await compileProject(cli, projectId);
  if (compiled.state !== 'BuildSuccess') throw new Error(`fixture compile failed: ${compiled.logs.join('\n')}`);
  const created = await must('backtests/create', cli.createBacktest(projectId, compiled.compileId, `Contract ${rand()}`));
  const backtestId = (created.body.backtest as { backtestId: string }).backtestId;
  const { final } = await pollBacktest(cli, projectId, backtestId, { timeoutMs: 90_000 });
  if (final.status !== 'Completed.') throw new Error(`fixture backtest ended ${final.status}: ${final.error}`);
  return { compileId: compiled.compileId, backtestId };
}

/** The fixture's completed backtest, plus extra parameters. */
const onBacktest =
  (extra: (f: Fixture) => Params = () => ({})): Sample =>
  async (f) => ({ projectId: f.projectId, backtestId: (await f.completedBacktest()).backtestId, ...extra(f) });

const organization: Sample = async (f) => ({ organizationId: f.orgId });
const nothing: Sample = async () => ({});

export const routeSamples = {
  health: nothing,
  authenticate: nothing,

  'account/read': organization,
  'organizations/read': organization,
  'organizations/list': nothing,
  'organizations/encryption/keys/list': organization,
  'user/read': organization,
  'nodes/read': organization,
  'admin/members/list': organization,
  // A member of its own, so a role change or removal never touches the fixture's users.
  'admin/members/update': async (f) => ({ organizationId: f.orgId, userId: (await addUser(f.orgId, 'viewer')).userId, role: 'member' }),
  'admin/members/delete': async (f) => ({ organizationId: f.orgId, userId: (await addUser(f.orgId, 'viewer')).userId }),
  'admin/keys/list': organization,
  'admin/keys/create': async (f) => ({ organizationId: f.orgId, name: `contract ${rand(6)}` }),
  'admin/keys/delete': async (f) => ({ organizationId: f.orgId, keyId: (await identityService.issueKey(f.admin.userId, `contract ${rand(6)}`)).keyId }),
  'admin/audit/read': async (f) => ({ organizationId: f.orgId, action: 'projects/create', count: 10 }),

  'projects/create': async (f) => ({ name: `Contract/created-${rand(6)}`, language: 'Py', organizationId: f.orgId }),
  'projects/read': async (f) => ({ projectId: f.projectId, organizationId: f.orgId }),
  'projects/update': async (f) => ({
    projectId: await f.freshProject([{ name: 'main.py', content: 'x = 1\n' }]),
    description: 'updated by the contract tests',
    parameters: [{ key: 'fast', value: '10' }],
  }),
  'projects/delete': async (f) => ({ projectId: await f.freshProject() }),
  'projects/library/create': async (f) => ({ projectId: await f.freshProject(), libraryId: f.libraryId }),
  'projects/library/delete': async (f) => {
    const projectId = await f.freshProject();
    await must('projects/library/create', call('projects/library/create', { json: { projectId, libraryId: f.libraryId }, creds: f.admin }));
    return { projectId, libraryId: f.libraryId };
  },
  'projects/nodes/read': async (f) => ({ projectId: f.projectId }),
  'projects/nodes/update': async (f) => ({ projectId: await f.freshProject(), nodes: [f.nodeId] }),
  'projects/collaboration/create': async (f) => ({
    projectId: await f.freshProject(),
    collaboratorUserId: String(f.member.userId),
    collaborationWrite: true,
    collaborationLiveControl: false,
  }),
  'projects/collaboration/read': async (f) => ({ projectId: f.projectId }),
  'projects/collaboration/update': async (f) => {
    const projectId = await f.freshProject();
    await f.addCollaborator(projectId, f.member, false);
    return { projectId, collaboratorUserId: String(f.member.userId), write: true, liveControl: true };
  },
  'projects/collaboration/delete': async (f) => {
    const projectId = await f.freshProject();
    await f.addCollaborator(projectId, f.member, false);
    return { projectId, collaboratorId: String(f.member.userId) };
  },
  'projects/collaboration/lock/acquire': async (f) => ({ projectId: await f.freshProject(), codeSourceId: 'contract-tests' }),

  'files/create': async (f) => ({ projectId: await f.freshProject(), name: `src/f-${rand()}.py`, content: 'A = 1\n' }),
  'files/read': async (f) => ({ projectId: f.projectId, name: f.fileName }),
  'files/update': async (f) => ({
    projectId: await f.freshProject([{ name: 'main.py', content: 'a = 1\n' }]),
    name: 'main.py',
    content: 'a = 2\n',
  }),
  'files/delete': async (f) => ({ projectId: await f.freshProject([{ name: 'main.py', content: 'a = 1\n' }]), name: 'main.py' }),
  'files/patch': async (f) => ({
    projectId: await f.freshProject([{ name: 'main.py', content: 'a = 1\nb = 2\n' }]),
    patch: ['--- a/main.py', '+++ b/main.py', '@@ -1,2 +1,2 @@', ' a = 1', '-b = 2', '+b = 3', ''].join('\n'),
  }),

  'lean/versions/read': nothing,
  'lean/environments/read': nothing,

  // Market data is shared by the deployment: the samples put one small file into the data bucket.
  'data/read': async (f) => {
    const { marketDataStore } = await import('../../core/data/market-data/market-data-store');
    await marketDataStore.put('equity/usa/daily/contract_sample.zip', 'contract sample\n');
    return { format: 'link', filePath: 'equity/usa/daily/contract_sample.zip', organizationId: f.orgId };
  },
  'data/list': async (f) => {
    const { marketDataStore } = await import('../../core/data/market-data/market-data-store');
    await marketDataStore.put('equity/usa/daily/contract_sample.zip', 'contract sample\n');
    return { filePath: 'equity/usa/daily/', organizationId: f.orgId };
  },
  'data/prices': organization,
  'market/data/list': nothing,

  // object store samples: insert here
  'object/set': async (f) => ({ organizationId: f.orgId, key: `/contract/set-${rand()}.txt`, objectData: 'value\n' }),
  'object/get': async (f) => {
    // One fixed object, written only if missing, so reads give the same answer every time.
    const read = { organizationId: f.orgId, key: 'contract/read.txt' };
    if ((await call('object/properties', { json: read, creds: f.admin })).body.success !== true) {
      await must('object/set', call('object/set', { json: { ...read, objectData: 'value\n' }, creds: f.admin }));
    }
    return { organizationId: f.orgId, keys: [read.key] };
  },
  'object/properties': async (f) => {
    // One fixed object, written only if missing, so reads give the same answer every time.
    const read = { organizationId: f.orgId, key: 'contract/read.txt' };
    if ((await call('object/properties', { json: read, creds: f.admin })).body.success !== true) {
      await must('object/set', call('object/set', { json: { ...read, objectData: 'value\n' }, creds: f.admin }));
    }
    return read;
  },
  'object/list': async (f) => {
    // One fixed object, written only if missing, so reads give the same answer every time.
    const read = { organizationId: f.orgId, key: 'contract/read.txt' };
    if ((await call('object/properties', { json: read, creds: f.admin })).body.success !== true) {
      await must('object/set', call('object/set', { json: { ...read, objectData: 'value\n' }, creds: f.admin }));
    }
    return { organizationId: f.orgId, path: '/' };
  },
  'object/delete': async (f) => {
    const key = `contract/delete-${rand()}.txt`;
    await must('object/set', call('object/set', { json: { organizationId: f.orgId, key, objectData: 'value\n' }, creds: f.admin }));
    return { organizationId: f.orgId, key };
  },

  // compile and backtests
  'compile/create': async (f) => ({ projectId: await f.freshProject([{ name: 'main.py', content: f.fileContent }]) }),
  'compile/read': async (f) => ({ projectId: f.projectId, compileId: (await f.completedBacktest()).compileId }),
  'backtests/create': async (f) => ({ ...(await f.scratchCompile()), backtestName: `Contract ${rand()}` }),
  'backtests/read': onBacktest(),
  'backtests/list': async (f) => ({ projectId: f.projectId, includeStatistics: true }),
  'backtests/update': onBacktest(() => ({ name: `Renamed ${rand()}`, note: 'checked by the contract tests' })),
  'backtests/delete': async (f) => {
    const { compileId } = await f.completedBacktest();
    const created = await must(
      'backtests/create',
      call('backtests/create', { json: { projectId: f.projectId, compileId, backtestName: 'to delete' }, creds: f.admin }),
    );
    return { projectId: f.projectId, backtestId: (created.body.backtest as { backtestId: string }).backtestId };
  },
  'backtests/tags/update': onBacktest(() => ({ tags: ['contract', rand()] })),
  'backtests/chart/read': onBacktest(() => ({ name: 'Strategy Equity', count: 100 })),
  'backtests/orders/read': onBacktest(() => ({ start: 0, end: 100 })),
  'backtests/insights/read': onBacktest(() => ({ start: 0, end: 100 })),
  'backtests/read/insights': onBacktest(() => ({ start: 0, end: 100 })),
  'backtests/read/report': onBacktest(),
  'backtests/read/log': onBacktest(() => ({ start: 0, end: 200, query: '' })),

  // services, modules, AI tools
  'services/terminal-news': nothing,
  'ai/tools/syntax-check': async () => ({ language: 'Py', files: [{ name: 'main.py', content: 'x = (1,\n' }] }),
  // No newline: multipart bodies carry line breaks as CRLF, and this read is compared by value.
  'ai/tools/pep8-convert': async () => ({ files: [{ name: 'main.py', content: 'self.SetCash(100000)' }] }),
  // Off unless the operator configures a Bedrock model: these answer the "not enabled" error.
  'ai/tools/backtest-init': async () => ({ language: 'Py', files: [{ name: 'main.py', content: 'x = 1\n' }] }),
  'ai/tools/complete': async () => ({ language: 'Py', sentence: 'self.add_eq', responseSizeLimit: 5 }),
  'ai/tools/error-enhance': async () => ({ language: 'Py', error: { message: 'NameError: name x is not defined' } }),
  'ai/tools/search': async () => ({ language: 'Py', criteria: [{ input: 'index options', type: 'Docs', count: 1 }] }),
  'modules/list': async (f) => ({ productId: 1, organizationId: f.orgId }),
  'modules/read': async (f) => {
    // One fixed module file, written only if missing, so reads give the same answer every time.
    const fileName = 'QuantConnect.Contract.Sample.1.0.0.nupkg';
    await marketDataStore.put(`${MODULES_PREFIX}2/${fileName}`, 'sample package\n');
    return { productId: 2, organizationId: f.orgId, fileName };
  },
  // optimizations: a one-point grid; create, abort and delete make their own in the scratch
  // project, reads use one of the fixture project aborted at once (it answers the same every time)
  'optimizations/estimate': async (f) => optimizationRequest(await f.scratchCompile()),
  'optimizations/create': async (f) => optimizationRequest(await f.scratchCompile()),
  'optimizations/read': async (f) => ({ optimizationId: (await endedOptimization(f)).optimizationId }),
  'optimizations/list': async (f) => ({ projectId: (await endedOptimization(f)).projectId }),
  'optimizations/update': async (f) => ({ optimizationId: (await endedOptimization(f)).optimizationId, name: `Renamed ${rand()}` }),
  'optimizations/abort': async (f) => ({ optimizationId: await newOptimization(await f.scratchCompile(), f) }),
  'optimizations/delete': async (f) => ({ optimizationId: await newOptimization(await f.scratchCompile(), f) }),
  // live trading: reads of the fixture's stopped deployment, commands to its running one; deploy, stop and liquidate on projects of their own
  'live/create': async (f) => ({
    ...(await f.liveSlot()),
    brokerage: { id: 'QuantConnectBrokerage' },
    dataProviders: { QuantConnectBrokerage: { id: 'QuantConnectBrokerage' } },
    automaticRedeploy: false,
    versionId: -1,
  }),
  'live/read': async (f) => ({ projectId: (await f.liveDeployment()).projectId }),
  'live/list': async (f) => ({ projectId: (await f.liveDeployment()).projectId }),
  'live/update/stop': async (f) => ({ projectId: await f.deployedProject() }),
  'live/update/liquidate': async (f) => ({ projectId: await f.deployedProject() }),
  'live/logs/read': async (f) => {
    const { projectId, deployId } = await f.liveDeployment();
    return { format: 'json', projectId, algorithmId: deployId, startLine: 0, endLine: 250 };
  },
  'live/portfolio/read': async (f) => ({ projectId: (await f.liveDeployment()).projectId }),
  'live/orders/read': async (f) => ({ projectId: (await f.liveDeployment()).projectId, start: 0, end: 1000 }),
  'live/insights/read': async (f) => ({ projectId: (await f.liveDeployment()).projectId, start: 0, end: 100 }),
  'live/chart/read': async (f) => ({ projectId: (await f.liveDeployment()).projectId, name: 'Strategy Equity', count: 100 }),
  'live/commands/create': async (f) => ({ projectId: await f.runningDeployment(), command: { text: 'hello' } }),
  'live/commands/broadcast': async (f) => ({ organizationId: f.orgId, excludeProjectId: f.projectId, command: { text: 'hello' } }),
  'live/auth0/read': async () => ({ brokerage: 'alpaca' }),
  'live/auth0/authorize': async (f) => ({ brokerage: 'alpaca', projectId: f.projectId }),
} satisfies Record<RoutePath, Sample>;

/**
 * Routes of features the test server leaves off (the operator enables them): their valid samples
 * answer this error instead of success. The AI tools' model is tested against a Bedrock stand-in
 * in test/unit/ai-bedrock.test.ts.
 */
const OFF_BY_DEFAULT: Record<string, RegExp> = Object.fromEntries([
  ...['ai/tools/backtest-init', 'ai/tools/complete', 'ai/tools/error-enhance', 'ai/tools/search'].map((p): [string, RegExp] => [
    p,
    /^AI tools are not enabled on this server/,
  ]),
  // No OAuth brokerage is configured on the test server (docs/live.md): these refuse by design.
  ...['live/auth0/read', 'live/auth0/authorize'].map((p): [string, RegExp] => [p, /has no OAuth brokerage configured/]),
]);

export function offByDefault(path: string): RegExp | undefined {
  return OFF_BY_DEFAULT[path];
}

/**
 * Stops the fixture's live deployments that still run (the samples deploy some): each is a runner
 * and a LEAN process, and left running they slow every later test file on the shared server.
 */
export async function stopLiveDeployments(f: Fixture): Promise<void> {
  const listed = await call('live/list', { json: {}, creds: f.admin });
  const running = ((listed.body.live as { projectId: number; status: string }[] | undefined) ?? []).filter(
    (d) => d.status === 'Running' || d.status === 'Initializing',
  );
  await Promise.all(running.map((d) => call('live/update/stop', { json: { projectId: d.projectId }, creds: f.admin })));
}

/** What a route's valid sample answers on the test server, as contract-helpers' `summary` reads it. */
export function validSummary(path: string): { status: number; success: boolean; errors: unknown } {
  const off = offByDefault(path);
  return off ? { status: 200, success: false, errors: [expect.stringMatching(off)] } : { status: 200, success: true, errors: undefined };
}

function optimizationRequest(compile: { projectId: number; compileId: string }): Params {
  return {
    ...compile,
    name: `Contract ${rand()}`,
    target: 'TotalPerformance.PortfolioStatistics.SharpeRatio',
    targetTo: 'max',
    parameters: [{ name: 'contract', min: 1, max: 1, step: 1 }],
    constraints: [],
    nodeType: 'O2-8',
    parallelNodes: 1,
  };
}

async function newOptimization(compile: { projectId: number; compileId: string }, f: Fixture): Promise<string> {
  const created = await must('optimizations/create', call('optimizations/create', { json: optimizationRequest(compile), creds: f.admin }));
  return (created.body.optimizations as { optimizationId: string }[])[0]!.optimizationId;
}

const endedOptimizations = new WeakMap<Fixture, Promise<{ projectId: number; optimizationId: string }>>();
/** One optimization of the fixture project per fixture, aborted as soon as it is made. */
function endedOptimization(f: Fixture): Promise<{ projectId: number; optimizationId: string }> {
  let made = endedOptimizations.get(f);
  if (!made) {
    made = (async () => {
      const { compileId } = await compileProject(new LeanCli(f.admin, f.orgId), f.projectId);
      const optimizationId = await newOptimization({ projectId: f.projectId, compileId }, f);
      await must('optimizations/abort', call('optimizations/abort', { json: { optimizationId }, creds: f.admin }));
      return { projectId: f.projectId, optimizationId };
    })();
    endedOptimizations.set(f, made);
  }
  return made;
}

/** The sample of a route; fails loudly for a route added to the table without one. */
export function sampleFor(route: RouteDef | string): Sample {
  const path = typeof route === 'string' ? route : route.path;
  const sample = (routeSamples as Record<string, Sample | undefined>)[path];
  if (!sample) throw new Error(`The route '${path}' has no contract sample: add one to test/support/route-samples.ts`);
  return sample;
}

/** Routes of the table that have no sample, and samples that name no route (both must be empty). */
export function sampleCoverage(): { missing: string[]; stale: string[] } {
  const paths = new Set<string>(routes.map((r) => r.path));
  return {
    missing: [...paths].filter((p) => !(p in routeSamples)),
    stale: Object.keys(routeSamples).filter((p) => !paths.has(p)),
  };
}
