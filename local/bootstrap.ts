import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { identityService } from '../core/domain/identity/identity-service';

/**
 * First start of local mode: an organisation, an admin user and an API token, saved (mode 0600)
 * in the data folder so every later start can print the same login instructions.
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

export function loginInstructions(admin: LocalAdmin, apiUrl: string, portIsDefault: boolean): string {
  const lines = [
    '',
    `Lean Cloud Server (local mode) is serving ${apiUrl}`,
    '',
    'lean-cli:',
    `  export QC_API=local${portIsDefault ? '' : '    # lean-cli always uses http://localhost:5612/api/v2/: start with --port 5612 or forward that port'}`,
    `  lean login --user-id ${admin.userId} --api-token ${admin.token}`,
    `  # in lean.json: "job-organization-id": "${admin.organizationId}"`,
    '',
    'LEAN (config.json or lean.json):',
    `  "api-url": "${apiUrl}",`,
    `  "job-user-id": ${admin.userId},`,
    `  "api-access-token": "${admin.token}",`,
    `  "job-organization-id": "${admin.organizationId}"`,
    '  (inside a LEAN container, use the host address, e.g. http://host.docker.internal:5612/api/v2/, and start with --host 0.0.0.0)',
    '',
    'Press Ctrl-C to stop.',
  ];
  return lines.join('\n');
}
