import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { config, resetConfig } from '../../core/shared/config';
import { InvalidRunnerSettings, runnerSettings } from '../../runner/settings';

/**
 * The runner's settings: read once at start from the variables the jobs stack's task definition
 * and local mode set, image defaults filled in, and a missing or malformed one refused by name.
 */
const root = resolve(__dirname, '..', '..');
const backtestJob = { kind: 'backtest', orgId: 'org-1', projectId: 7, backtestId: 'a'.repeat(32), attempt: 1 };
const LCS_JOB = JSON.stringify(backtestJob);

afterEach(() => resetConfig());

/** The message of what `runnerSettings(env)` throws. */
function problem(env: NodeJS.ProcessEnv): string {
  try {
    runnerSettings(env);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidRunnerSettings);
    return (err as Error).message;
  }
  throw new Error('the settings were accepted');
}

test('on ECS (no LEAN command): the LEAN image provides launcher, report generator, pip and data folder', () => {
  const settings = runnerSettings({
    LCS_JOB,
    LCS_API_URL: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/api/v2/',
    LCS_TASK_MEMORY_MB: '8192',
    ECS_CONTAINER_METADATA_URI_V4: 'http://169.254.170.2/v4/0123-abcd',
  });
  expect(settings).toEqual({
    job: backtestJob,
    workDir: join(tmpdir(), `lcs-job-${process.pid}`),
    taskRef: undefined,
    taskMetadataUrl: 'http://169.254.170.2/v4/0123-abcd',
    build: { dotnetCommand: 'dotnet' },
    live: {
      publishMs: 5_000,
      maxRestarts: 5,
      restartBackoffMs: 10_000,
      secrets: {},
      notify: { telegramApiUrl: 'https://api.telegram.org', attempts: 4, retryBaseMs: 2_000 },
    },
    backtest: {
      leanCommand: 'dotnet QuantConnect.Lean.Launcher.dll',
      leanCwd: '/Lean/Launcher/bin/Debug',
      dataDir: '/Lean/Data',
      apiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/api/v2/',
      maxSeconds: config().LCS_BACKTEST_MAX_SECONDS,
      pollMs: 10_000,
      memoryMb: 8192,
      reportCommand: 'dotnet QuantConnect.Report.dll',
      reportCwd: '/Lean/Report/bin/Debug',
      pipCommand: 'python -m pip',
    },
  });
  expect(Object.isFrozen(settings)).toBe(true);
});

test('in local mode (a LEAN command): its own folders and task name; no report generator or pip unless named', () => {
  const local = {
    LCS_JOB,
    LCS_TASK_REF: 'local:token-1',
    LCS_WORK_DIR: '/tmp/jobs/token-1',
    LCS_LEAN_DATA_DIR: '/tmp/lean-data',
    LCS_API_URL: 'http://127.0.0.1:5612/api/v2/',
    LCS_PROGRESS_MS: '250',
    LCS_LEAN_COMMAND: 'docker run --rm quantconnect/lean',
    LCS_DOTNET_COMMAND: 'docker run --rm --entrypoint dotnet quantconnect/lean',
  };
  const settings = runnerSettings(local);
  expect(settings).toMatchObject({ taskRef: 'local:token-1', workDir: '/tmp/jobs/token-1', build: { dotnetCommand: local.LCS_DOTNET_COMMAND } });
  expect(settings.backtest).toEqual({
    leanCommand: local.LCS_LEAN_COMMAND,
    leanCwd: undefined,
    dataDir: '/tmp/lean-data',
    apiUrl: 'http://127.0.0.1:5612/api/v2/',
    maxSeconds: config().LCS_BACKTEST_MAX_SECONDS,
    pollMs: 250,
    memoryMb: undefined,
    reportCommand: undefined,
    reportCwd: undefined,
    pipCommand: undefined,
  });
  const named = runnerSettings({ ...local, LCS_REPORT_COMMAND: 'report-tool', LCS_PIP_COMMAND: 'pip3' }).backtest;
  expect(named).toMatchObject({ reportCommand: 'report-tool', reportCwd: undefined, pipCommand: 'pip3' });
});

test('a build job; an empty value counts as not set', () => {
  const build = { kind: 'build', orgId: 'org-1', projectId: 7, compileId: 'c-1', attempt: 2 };
  const settings = runnerSettings({ LCS_JOB: JSON.stringify(build), LCS_LEAN_COMMAND: '', LCS_PROGRESS_MS: '', LCS_API_URL: '', LCS_TASK_REF: '' });
  expect(settings).toMatchObject({ job: build, taskRef: undefined, build: { dotnetCommand: 'dotnet' } });
  expect(settings.backtest).toMatchObject({ leanCommand: 'dotnet QuantConnect.Lean.Launcher.dll', pollMs: 10_000, apiUrl: undefined });
});

test("LEAN's user (runner/Dockerfile sets the image's `lean`): uid, gid defaulting to it, home; unset: none", () => {
  expect(runnerSettings({ LCS_JOB, LCS_LEAN_UID: '10001', LCS_LEAN_GID: '10002', LCS_LEAN_HOME: '/home/lean' }).backtest.leanUser).toEqual({
    uid: 10001,
    gid: 10002,
    home: '/home/lean',
  });
  expect(runnerSettings({ LCS_JOB, LCS_LEAN_UID: '10001' }).backtest.leanUser).toEqual({ uid: 10001, gid: 10001 });
  expect(runnerSettings({ LCS_JOB, LCS_LEAN_UID: '' }).backtest.leanUser).toBeUndefined();
  expect(problem({ LCS_JOB, LCS_LEAN_UID: 'lean' })).toMatch(/LCS_LEAN_UID/);
});

test('a missing LCS_JOB is refused by name', () => {
  expect(problem({})).toMatch(/^Invalid runner settings: LCS_JOB: not set/);
});

test('malformed settings are refused together, each by name', () => {
  const message = problem({
    LCS_JOB: '{"kind":"deploy"}',
    LCS_PROGRESS_MS: 'soon',
    LCS_TASK_MEMORY_MB: '-1',
    LCS_API_URL: 'localhost:5612/api/v2/',
    ECS_CONTAINER_METADATA_URI_V4: 'not a url',
  });
  for (const name of [
    'LCS_JOB: not a job message',
    'LCS_PROGRESS_MS',
    'LCS_TASK_MEMORY_MB',
    'LCS_API_URL: not an http(s) URL',
    'ECS_CONTAINER_METADATA_URI_V4',
  ]) {
    expect(message).toContain(name);
  }
  expect(problem({ LCS_JOB: 'not json' })).toMatch(/LCS_JOB: not a job message/);
  expect(problem({ LCS_JOB, LCS_PROGRESS_MS: '10' })).toMatch(/LCS_PROGRESS_MS: Too small/);
});

test("the core's configuration is checked at start too", () => {
  const saved = process.env.LCS_BACKTEST_MAX_SECONDS;
  process.env.LCS_BACKTEST_MAX_SECONDS = 'forever';
  resetConfig();
  try {
    expect(problem({ LCS_JOB })).toMatch(/Invalid configuration: LCS_BACKTEST_MAX_SECONDS/);
  } finally {
    if (saved === undefined) delete process.env.LCS_BACKTEST_MAX_SECONDS;
    else process.env.LCS_BACKTEST_MAX_SECONDS = saved;
  }
});

/** Runs runner/main.ts as ECS and local mode do, with only the given variables (and PATH, HOME). */
function runRunner(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'runner', 'main.ts')], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.once('exit', (code) => done({ code, output }));
  });
}

test('the runner stops at start, exit 1, naming the setting; the table is never reached', async () => {
  const missing = await runRunner({});
  expect(missing.code).toBe(1);
  expect(missing.output).toMatch(/runner: failed: Invalid runner settings: LCS_JOB: not set/);
  expect(missing.output).not.toMatch(/\n\s+at /); // no stack trace for a settings problem

  // Reaching the table would fail differently (no credentials here, and a closed port).
  const malformed = await runRunner({ LCS_JOB, LCS_PROGRESS_MS: 'soon', DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' });
  expect(malformed.code).toBe(1);
  expect(malformed.output).toMatch(/runner: failed: Invalid runner settings: LCS_PROGRESS_MS: /);
}, 30_000);

test("in the image, a runner holding the task role's credentials will not run LEAN as itself (issue 20 item 3)", () => {
  const onEcs = { LCS_JOB, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/0123' };
  expect(problem(onEcs)).toMatch(/LCS_LEAN_UID: the runner holds the task role's credentials/);
  expect(runnerSettings({ ...onEcs, LCS_LEAN_UID: '10001' }).backtest.leanUser).toEqual({ uid: 10001, gid: 10001, home: undefined });
  // Local mode (a LEAN command) runs LEAN as the server's user, and has no task role to protect.
  expect(() => runnerSettings({ ...onEcs, LCS_LEAN_COMMAND: 'lean', LCS_LEAN_DATA_DIR: '/tmp' })).not.toThrow();
});

test('a live runner’s email and SMS sender (the outbox locally, SES and SNS for what the task definition enables, none otherwise) and LEAN’s container with Docker', () => {
  const LIVE = JSON.stringify({ kind: 'live', orgId: 'org-1', projectId: 7, deployId: `L-${'b'.repeat(32)}` });
  const messages = (env: NodeJS.ProcessEnv) => {
    const sender = runnerSettings({ LCS_JOB: LIVE, LCS_LEAN_COMMAND: 'lean', ...env }).live.notify.messages;
    return sender && Object.keys(sender).sort();
  };
  expect(messages({})).toBeUndefined();
  expect(messages({ LCS_SMS: 'false' })).toBeUndefined();
  expect(messages({ LCS_NOTIFY_OUTBOX: '/tmp/outbox.jsonl' })).toEqual(['email', 'sms']);
  expect(messages({ LCS_EMAIL_FROM: 'alerts@example.com' })).toEqual(['email']);
  expect(messages({ LCS_SMS: 'true' })).toEqual(['sms']);
  expect(messages({ LCS_EMAIL_FROM: 'alerts@example.com', LCS_SMS: 'true' })).toEqual(['email', 'sms']);
  // A backtest sends nothing.
  expect(runnerSettings({ LCS_JOB, LCS_EMAIL_FROM: 'alerts@example.com' }).live.notify.messages).toBeUndefined();
  expect(problem({ LCS_JOB: LIVE, LCS_EMAIL_FROM: 'not-an-address' })).toMatch(/LCS_EMAIL_FROM: not an email address/);
  expect(problem({ LCS_JOB: LIVE, LCS_SMS: 'yes' })).toMatch(/LCS_SMS/);
  // Local mode with Docker: LEAN's container, for commands through docker exec.
  expect(
    runnerSettings({ LCS_JOB: LIVE, LCS_LEAN_COMMAND: 'docker run', LCS_LEAN_CONTAINER: 'lcs-lean-live-x', LCS_DOCKER: '/usr/bin/docker' }).live.leanContainer,
  ).toEqual({
    docker: '/usr/bin/docker',
    name: 'lcs-lean-live-x',
  });
  expect(runnerSettings({ LCS_JOB: LIVE, LCS_LEAN_COMMAND: 'lean' }).live.leanContainer).toBeUndefined();
  expect(problem({ LCS_JOB: LIVE, LCS_LEAN_CONTAINER: 'x; rm -rf /' })).toMatch(/LCS_LEAN_CONTAINER/);
});
