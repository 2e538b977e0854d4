import type { Command } from 'commander';
import { registerAudit } from './audit';
import { registerKey } from './key';
import { registerMember } from './member';
import { registerOrg } from './org';
import { registerToken } from './token';
import { registerUser } from './user';

/** `lcs admin …`: organizations, users, memberships, credentials and the audit trail. */
export function registerAdmin(program: Command): void {
  const admin = program.command('admin').description('administer organizations, users, tokens and keys, locally (--data-dir) or in a deployed stack (--stack)');
  registerOrg(admin);
  registerUser(admin);
  registerMember(admin);
  registerToken(admin);
  registerKey(admin);
  registerAudit(admin);
}
