import { type Command, Option } from 'commander';
import { NO_ORGANIZATION, recordAdminChange } from '../../core/domain/identity/admin-audit';
import { identityService } from '../../core/domain/identity/identity-service';
import type { Role } from '../../core/shared/principal';
import { adminAction, withTarget } from './action';
import { fields, table } from './output';
import { email, orgId, ROLES, text } from './parse';

/** `lcs admin user create|list`. */
export function registerUser(admin: Command): void {
  const user = admin.command('user').description('users');

  withTarget(
    user
      .command('create')
      .description('create a user, optionally as a member of an organization')
      .requiredOption('--email <email>', 'email address (unique)', email)
      .requiredOption('--name <name>', 'display name', text(200))
      .option('--org <id>', 'organization to add the user to', orgId)
      .addOption(new Option('--role <role>', 'role in --org (default member)').choices(ROLES)),
  ).action(
    adminAction<{ email: string; name: string; org?: string; role?: Role }>(async (o, ctx) => {
      if (o.role && !o.org) throw new Error('--role needs --org');
      if (o.org) await identityService.getOrganization(o.org);
      const created = await identityService.createUser({ email: o.email, name: o.name });
      const role = o.org ? (o.role ?? 'member') : undefined;
      if (o.org && role) await identityService.addMember(o.org, created.id, role);
      await recordAdminChange({
        action: 'admin/user/create',
        orgId: o.org ?? NO_ORGANIZATION,
        target: `user/${created.id}`,
        actorUserId: ctx.actor,
        detail: { email: created.email, ...(role ? { role } : {}) },
      });
      return {
        json: { ...created, ...(o.org ? { organizationId: o.org, role } : {}) },
        text: fields([
          ['user id', created.id],
          ['email', created.email],
          ['name', created.name],
          ['organization', o.org],
          ['role', role],
        ]),
      };
    }),
  );

  withTarget(user.command('list').description('list every user, oldest first, with the organizations they belong to')).action(
    adminAction<Record<string, never>>(async () => {
      const users = await identityService.listUsers();
      return {
        json: users,
        text: table(
          ['USER ID', 'EMAIL', 'NAME', 'CREATED', 'ORGANIZATIONS (ROLE)'],
          users.map((u) => [u.id, u.email, u.name, u.created, u.memberships.map((m) => `${m.orgId} (${m.role})`).join(', ')]),
        ),
      };
    }),
  );
}
