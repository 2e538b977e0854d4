import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/**
 * `npm run deploy`'s pre-check (scripts/check-deploy.mjs), run as a child process in an empty
 * folder with a home of its own and a PATH holding only node: it names each missing prerequisite
 * in one line instead of CDK's "Unable to resolve AWS account".
 */
const script = resolve(__dirname, '..', '..', 'scripts', 'check-deploy.mjs');
let home: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'lcs-check-deploy-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

function check(args: string[] = [], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [script, ...args], {
    cwd: home,
    encoding: 'utf8',
    env: { PATH: dirname(process.execPath), HOME: home, ...env },
  });
  return { status: run.status, lines: run.stderr.trim().split('\n') };
}

test('nothing set up: credentials, region, Docker and lcs.config.json are each named, and it exits 1', () => {
  const { status, lines } = check();
  expect(status).toBe(1);
  expect(lines).toEqual([
    expect.stringMatching(/^lcs: No AWS credentials \(profile 'default'\): run 'aws configure'.*Unable to resolve AWS account/),
    expect.stringMatching(/^lcs: No AWS region: set AWS_REGION/),
    expect.stringMatching(/^lcs: Docker is not installed: cdk deploy builds the runner image \(runner\/Dockerfile, linux\/amd64\)/),
    "lcs: No lcs.config.json: 'cp lcs.config.example.json lcs.config.json' and edit it (stage, first admin's e-mail).",
    'lcs: not deploying; fix the above first (README: Deploying to AWS).',
  ]);
});

test('a profile in ~/.aws with a region and a config file: only Docker is missing; bootstrap needs no Docker', () => {
  mkdirSync(join(home, '.aws'));
  writeFileSync(join(home, '.aws', 'credentials'), '[trial]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\n');
  writeFileSync(join(home, '.aws', 'config'), '[profile trial]\nregion = eu-west-1\n');
  writeFileSync(join(home, 'lcs.config.json'), '{}\n');
  const deploy = check([], { AWS_PROFILE: 'trial' });
  expect(deploy.status).toBe(1);
  expect(deploy.lines).toEqual([expect.stringMatching(/^lcs: Docker is not installed/), expect.stringMatching(/^lcs: not deploying/)]);
  expect(check(['--bootstrap'], { AWS_PROFILE: 'trial' })).toEqual({ status: 0, lines: [''] });
  // Another profile has nothing.
  expect(check(['--bootstrap'], { AWS_PROFILE: 'other' }).lines[0]).toMatch(/^lcs: No AWS credentials \(profile 'other'\)/);
});
