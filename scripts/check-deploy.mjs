// Checks what `cdk bootstrap` and `cdk deploy` need before CDK runs, and names what is missing
// (CDK itself ends in a generic "Unable to resolve AWS account"): Node 22+, AWS credentials and a
// region, Docker answering and able to build linux/amd64 (the runner image), and lcs.config.json.
// Plain JavaScript like check-prereqs.mjs. Used by `npm run bootstrap` and `npm run deploy`.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const run = (command, args) => spawnSync(command, args, { encoding: 'utf8', timeout: 30_000 });

/** The section of an AWS ini file (~/.aws/config's `[profile x]` or `[default]`), as key → value. */
function iniSection(file, names) {
  if (!existsSync(file)) return undefined;
  let current;
  const found = {};
  for (const raw of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const line = raw.trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = header[1].trim();
      continue;
    }
    const pair = /^([^=#;]+?)\s*=\s*(.*)$/.exec(line);
    if (pair && names.includes(current)) found[pair[1]] = pair[2];
  }
  return Object.keys(found).length ? found : undefined;
}

/** AWS credentials and region as the SDK and CDK look for them; problems found, if any. */
export function awsProblems(env = process.env, home = homedir()) {
  const problems = [];
  const profile = env.AWS_PROFILE || 'default';
  const configFile = env.AWS_CONFIG_FILE || join(home, '.aws', 'config');
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials');
  const profileConfig = iniSection(configFile, [profile === 'default' ? 'default' : `profile ${profile}`, profile]);
  const profileCredentials = iniSection(credentialsFile, [profile]);
  const hasCredentials =
    (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) ||
    env.AWS_WEB_IDENTITY_TOKEN_FILE ||
    env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI ||
    env.AWS_CONTAINER_CREDENTIALS_FULL_URI ||
    profileCredentials ||
    (profileConfig &&
      (profileConfig.sso_session ||
        profileConfig.sso_start_url ||
        profileConfig.role_arn ||
        profileConfig.credential_process ||
        profileConfig.aws_access_key_id));
  if (!hasCredentials) {
    problems.push(
      `No AWS credentials (profile '${profile}'): run 'aws configure' (or 'aws configure sso'), or set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. CDK otherwise stops with "Unable to resolve AWS account".`,
    );
  }
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || env.CDK_DEFAULT_REGION || profileConfig?.region;
  if (!region)
    problems.push(`No AWS region: set AWS_REGION (e.g. export AWS_REGION=us-east-1) or 'aws configure set region us-east-1' for profile '${profile}'.`);
  // With the AWS CLI at hand, ask who we are: expired or wrong credentials show here, not mid-deploy.
  if (hasCredentials && region) {
    const identity = run('aws', ['sts', 'get-caller-identity', '--output', 'text', '--query', 'Account']);
    if (!identity.error && identity.status !== 0)
      problems.push(`AWS credentials do not work: ${(identity.stderr || identity.stdout).trim().split('\n').pop()}`);
  }
  return problems;
}

/** Docker answering and able to build the runner image for linux/amd64. */
export function dockerProblems() {
  const version = run('docker', ['version', '--format', '{{.Server.Os}}/{{.Server.Arch}}']);
  if (version.error)
    return ['Docker is not installed: cdk deploy builds the runner image (runner/Dockerfile, linux/amd64) with it. Install Docker Engine or Docker Desktop.'];
  if (version.status !== 0)
    return [
      `Docker does not answer: ${(version.stderr || version.stdout).trim().split('\n').pop()} (start the Docker daemon; cdk deploy builds the runner image with it).`,
    ];
  const server = version.stdout.trim();
  if (server === 'linux/amd64') return [];
  const builders = run('docker', ['buildx', 'ls']);
  if (!builders.error && builders.status === 0 && /linux\/amd64/.test(builders.stdout)) return [];
  return [
    `Docker runs on ${server} and cannot build linux/amd64 images (the runner image's platform): install QEMU emulation, e.g. 'docker run --privileged --rm tonistiigi/binfmt --install amd64', or deploy from an amd64 machine.`,
  ];
}

export function checkDeployPrerequisites(options = {}) {
  const problems = [];
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  if (nodeMajor < 22) problems.push(`Node ${process.versions.node} is too old: install Node 22 or newer.`);
  problems.push(...awsProblems());
  if (!options.bootstrapOnly) {
    problems.push(...dockerProblems());
    if (!existsSync('lcs.config.json'))
      problems.push("No lcs.config.json: 'cp lcs.config.example.json lcs.config.json' and edit it (stage, first admin's e-mail).");
  }
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const problems = checkDeployPrerequisites({ bootstrapOnly: process.argv.includes('--bootstrap') });
  for (const p of problems) process.stderr.write(`lcs: ${p}\n`);
  if (problems.length) process.stderr.write('lcs: not deploying; fix the above first (README: Deploying to AWS).\n');
  process.exit(problems.length ? 1 : 0);
}
