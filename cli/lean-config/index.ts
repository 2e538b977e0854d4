import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { recordAdminChange } from '../../core/domain/identity/admin-audit';
import { identityService } from '../../core/domain/identity/identity-service';
import type { Role } from '../../core/shared/principal';
import { dataPaths } from '../../local/embedded-storage';
import { adminAction, withTarget } from '../admin/action';
import { fields } from '../admin/output';
import { orgId, userId } from '../admin/parse';
import { type OpenTarget, readStackOutputs } from '../admin/target';

/**
 * `lcs lean-config`: the LEAN launcher settings (`api-url`, `job-user-id`, `api-access-token`,
 * `job-organization-id`) that point LEAN at this server for one user and organization, the header
 * form for clients that send X-API-Key/X-API-Secret, and the lean-cli steps. Credentials are shown
 * only when issued by this command (a stored token or secret can never be shown again).
 */
const LOCAL_DEFAULT_URL = 'http://localhost:5612/api/v2/';

export interface LeanConfig {
  'api-url': string;
  'job-user-id': number;
  'api-access-token'?: string;
  'job-organization-id': string;
}

export interface LeanConfigOutput {
  config: LeanConfig;
  headers?: { 'X-API-Key': string; 'X-API-Secret': string };
  leanCli: string[];
}

/** The settings and steps for one user, organization and API address (pure: tested on its own). */
export function leanConfigFor(input: {
  apiUrl: string;
  userId: number;
  organizationId: string;
  token?: string;
  key?: { keyId: string; secret: string };
}): LeanConfigOutput {
  const apiUrl = input.apiUrl.endsWith('/') ? input.apiUrl : `${input.apiUrl}/`;
  const local = /^http:\/\/(localhost|127\.0\.0\.1):5612\//.test(apiUrl);
  const token = input.token ?? `<API token: lcs admin token issue --user ${input.userId}>`;
  return {
    config: {
      'api-url': apiUrl,
      'job-user-id': input.userId,
      ...(input.token ? { 'api-access-token': input.token } : {}),
      'job-organization-id': input.organizationId,
    },
    ...(input.key ? { headers: { 'X-API-Key': input.key.keyId, 'X-API-Secret': input.key.secret } } : {}),
    leanCli: [
      ...(local ? [] : [`lcs proxy --url ${apiUrl}   # lean-cli only talks to http://localhost:5612/api/v2/`]),
      'export QC_API=local',
      `lean login --user-id ${input.userId} --api-token ${token}`,
      `lcs workspace <dir> --org ${input.organizationId}   # a lean.json lean-cli accepts`,
      'lean cloud push --project "<project>" && lean cloud backtest "<project>"',
    ],
  };
}

/** This server's API address: --api-url, the running local server's runtime.json, or the stack's ApiUrl output. */
async function apiUrlOf(options: { apiUrl?: string; dataDir: string; stack?: string[]; region?: string }, target: OpenTarget): Promise<string> {
  if (options.apiUrl) return options.apiUrl;
  if (target.kind === 'local') {
    const runtime = dataPaths(options.dataDir).runtime;
    if (existsSync(runtime)) return (JSON.parse(readFileSync(runtime, 'utf8')) as { apiUrl?: string }).apiUrl ?? LOCAL_DEFAULT_URL;
    return LOCAL_DEFAULT_URL;
  }
  if (options.stack?.length) {
    const { outputs } = await readStackOutputs(options.stack, options.region);
    if (outputs.ApiUrl) return outputs.ApiUrl;
  }
  throw new Error('no API address: pass --api-url (the stack has no ApiUrl output)');
}

/** The organization: --org (the user must be a member), else the user's preferred one. */
async function organizationOf(user: number, requested: string | undefined): Promise<{ orgId: string; role: Role }> {
  const profile = await identityService.getUser(user);
  const id = requested ?? profile.preferredOrgId;
  if (!id) throw new Error(`user ${user} belongs to no organization; pass --org`);
  const member = await identityService.findMember(id, user);
  if (!member) throw new Error(`user ${user} is not a member of organization ${id}`);
  return { orgId: id, role: member.role };
}

/** A JSON config file's current keys (none when it does not exist yet); read before any credential is issued. */
function readConfigFile(path: string): Record<string, unknown> {
  if (!existsSync(path)) return {};
  let current: unknown;
  try {
    current = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new Error(`${path} is not JSON; not changed`);
  }
  if (!current || typeof current !== 'object' || Array.isArray(current)) throw new Error(`${path} is not a JSON object; not changed`);
  return current as Record<string, unknown>;
}

export function registerLeanConfig(program: Command): void {
  withTarget(
    program
      .command('lean-config')
      .description('print (or write into a config file) the LEAN settings that point LEAN and lean-cli at this server for a user and organization')
      .requiredOption('--user <userId>', 'the user LEAN acts as', userId)
      .option('--org <id>', "the organization (default: the user's preferred one)", orgId)
      .option('--api-url <url>', "this server's API address (default: the local server's, or the stack's ApiUrl output)")
      .option('--issue-token', 'issue a new API token for the user and put it in the settings (shown only now)')
      .option('--issue-key', 'issue a new X-API-Key/X-API-Secret pair for the user (shown only now)')
      .option('--write <file>', "merge the settings into this JSON file (LEAN's config.json or lean-cli's lean.json)"),
  ).action(
    adminAction<{ user: number; org?: string; apiUrl?: string; issueToken?: boolean; issueKey?: boolean; write?: string }>(async (o, ctx) => {
      if (o.apiUrl && !/^https?:\/\/[^\s/]+\/\S*$/.test(o.apiUrl)) throw new Error('--api-url: must be an http(s) URL such as http://localhost:5612/api/v2/');
      const { orgId: organizationId } = await organizationOf(o.user, o.org);
      const writeTo = o.write ? resolve(o.write) : undefined;
      const existing = writeTo ? readConfigFile(writeTo) : {};
      const apiUrl = await apiUrlOf(o, ctx.target);
      let token: string | undefined;
      let key: { keyId: string; secret: string } | undefined;
      if (o.issueToken) {
        if (ctx.target.kind === 'aws' && !ctx.target.kmsKeyId) throw new Error('no KMS key for tokens: pass --kms-key-id or a stack with a KmsKeyId output');
        const issued = await identityService.issueToken(o.user);
        token = issued.token;
        await recordAdminChange({
          action: 'admin/token/issue',
          orgId: organizationId,
          target: `user/${o.user}/token/${issued.tokenId}`,
          actorUserId: ctx.actor,
          detail: { tokenId: issued.tokenId, via: 'lean-config' },
        });
      }
      if (o.issueKey) {
        key = await identityService.issueKey(o.user, 'lean-config');
        await recordAdminChange({
          action: 'admin/key/issue',
          orgId: organizationId,
          target: `key/${key.keyId}`,
          actorUserId: ctx.actor,
          detail: { userId: o.user, name: 'lean-config' },
        });
      }
      const out = leanConfigFor({ apiUrl, userId: o.user, organizationId, ...(token ? { token } : {}), ...(key ? { key } : {}) });
      // The settings go into LEAN's config.json or lean-cli's lean.json; the file's other keys stay.
      if (writeTo) writeFileSync(writeTo, `${JSON.stringify({ ...existing, ...out.config }, null, 2)}\n`);
      const text = [
        `LEAN settings (config.json, or lean.json when lean-cli runs LEAN):`,
        JSON.stringify(out.config, null, 2),
        ...(token ? [] : ['(api-access-token: add your API token, or pass --issue-token; lean-cli fills it from lean login)']),
        ...(out.headers
          ? ['', 'Header form (clients that send X-API-Key/X-API-Secret):', fields(Object.entries(out.headers))]
          : ['', 'Header form: X-API-Key: <key id>  X-API-Secret: <secret>  (lcs admin key issue, or pass --issue-key)']),
        '',
        'lean-cli:',
        ...out.leanCli.map((s) => `  ${s}`),
        ...(writeTo ? ['', `Wrote the settings into ${writeTo}`] : []),
        ...(token || key ? ['', 'Credentials are shown only now; store them safely.'] : []),
      ].join('\n');
      return { json: { ...out, ...(writeTo ? { written: writeTo } : {}) }, text };
    }),
  );
}
