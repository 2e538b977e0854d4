import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { identityService } from '../core/domain/identity/identity-service';

/**
 * First start of local mode: an organisation, an admin user and an API token, saved (mode 0600)
 * in the data folder. The token is printed once, when it is created; later starts point at the
 * file instead (and say how to issue a new token when this one was revoked or has expired).
 */
export interface LocalAdmin {
  userId: number;
  organizationId: string;
  token: string;
  tokenId: string;
  email: string;
}

export async function ensureLocalAdmin(file: string): Promise<{ admin: LocalAdmin; created: boolean }> {
  if (existsSync(file)) return { admin: JSON.parse(readFileSync(file, 'utf8')) as LocalAdmin, created: false };
  const user = await identityService.createUser({ name: 'Local Admin', email: 'admin@localhost' });
  const org = await identityService.createOrganization({ name: 'Local Organization', ownerUserId: user.id });
  const issued = await identityService.issueToken(user.id);
  const admin: LocalAdmin = { userId: user.id, organizationId: org.id, token: issued.token, tokenId: issued.tokenId, email: user.email };
  writeFileSync(file, `${JSON.stringify(admin, null, 2)}\n`, { mode: 0o600 });
  return { admin, created: true };
}

/** Why the saved token no longer works, or undefined while it does. */
export async function tokenProblem(admin: LocalAdmin, now = new Date()): Promise<string | undefined> {
  const tokens = await identityService.listTokens(admin.userId).catch(() => []);
  const token = tokens.find((t) => t.tokenId === admin.tokenId);
  if (!token) return 'no longer exists';
  if (token.revokedAt) return `was revoked (${token.revokedAt})`;
  if (token.expiresAt && Date.parse(token.expiresAt) <= now.getTime()) return `expired (${token.expiresAt})`;
  return undefined;
}

export interface LoginContext {
  apiUrl: string;
  portIsDefault: boolean;
  /** The credentials file (data folder's admin.json). */
  file: string;
  /** This start created the admin: the only time the token itself is printed. */
  created: boolean;
  /** Set when the saved token no longer works (see `tokenProblem`). */
  problem?: string;
}

export function loginInstructions(admin: LocalAdmin, context: LoginContext): string {
  const { apiUrl, portIsDefault, file, created, problem } = context;
  const qcApi = `  export QC_API=local${portIsDefault ? '' : '    # lean-cli always uses http://localhost:5612/api/v2/: start with --port 5612 or forward that port'}`;
  const container = '  (inside a LEAN container, use the host address, e.g. http://host.docker.internal:5612/api/v2/, and start with --host 0.0.0.0)';
  if (problem) {
    return [
      '',
      `Lean Cloud Server (local mode) is serving ${apiUrl}`,
      '',
      `The first admin's token in ${file} ${problem}, so it is not shown. Issue a new one (printed once):`,
      `  npx lcs admin token issue --user ${admin.userId}`,
      'then log in with it:',
      qcApi,
      `  lean login --user-id ${admin.userId} --api-token <the new token>`,
      `  # in lean.json: "job-organization-id": "${admin.organizationId}"`,
      '',
      'Press Ctrl-C to stop.',
    ].join('\n');
  }
  // The token itself only on the start that created it; later starts read it from the file.
  const token = created ? admin.token : `$(node -p 'require(${JSON.stringify(resolve(file))}).token')`;
  const lines = [
    '',
    `Lean Cloud Server (local mode) is serving ${apiUrl}`,
    '',
    'lean-cli:',
    qcApi,
    `  lean login --user-id ${admin.userId} --api-token ${token}`,
    `  # in lean.json: "job-organization-id": "${admin.organizationId}"`,
    '',
    'LEAN (config.json or lean.json):',
    `  "api-url": "${apiUrl}",`,
    `  "job-user-id": ${admin.userId},`,
    `  "api-access-token": "${created ? admin.token : `<"token" in ${file}>`}",`,
    `  "job-organization-id": "${admin.organizationId}"`,
    container,
    '',
    created
      ? `The token is printed only now. It is kept, readable only by you, in ${file}.`
      : `The first admin's credentials (user id, organization, token) are in ${file}, readable only by you.`,
    '',
    'Press Ctrl-C to stop.',
  ];
  return lines.join('\n');
}
