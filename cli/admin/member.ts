import { type Command, Option } from 'commander';
import { recordAdminChange } from '../../core/domain/identity/admin-audit';
import { identityService } from '../../core/domain/identity/identity-service';
import { ConflictError } from '../../core/shared/errors';
import type { Role } from '../../core/shared/principal';
import { adminAction, withTarget } from './action';
import { table } from './output';
import { orgId, ROLES, userId } from './parse';

/** `lcs admin member add|remove|set-role|list`. */
export function registerMember(admin: Command): void {
  const member = admin.command('member').description('organization memberships and roles');
  const roleOption = (required: boolean) => {
    const option = new Option('--role <role>', `role in the organization${required ? '' : ' (default member)'}`).choices(ROLES);
    return required ? option.makeOptionMandatory() : option.default('member');
  };

  withTarget(
    member
      .command('add')
      .description('add a user to an organization')
      .requiredOption('--org <id>', 'organization id', orgId)
      .requiredOption('--user <userId>', 'user id', userId)
      .addOption(roleOption(false)),
  ).action(
    adminAction<{ org: string; user: number; role: Role }>(async (o, ctx) => {
      const existing = await identityService.findMember(o.org, o.user);
      if (existing) throw new ConflictError(`user ${o.user} is already a ${existing.role} of ${o.org}; use member set-role`);
      await identityService.addMember(o.org, o.user, o.role);
      await recordAdminChange({ action: 'admin/member/add', orgId: o.org, target: `user/${o.user}`, actorUserId: ctx.actor, detail: { role: o.role } });
      return { json: { organizationId: o.org, userId: o.user, role: o.role }, text: `user ${o.user} is now a ${o.role} of ${o.org}` };
    }),
  );

  withTarget(
    member
      .command('remove')
      .description('remove a user from an organization')
      .requiredOption('--org <id>', 'organization id', orgId)
      .requiredOption('--user <userId>', 'user id', userId),
  ).action(
    adminAction<{ org: string; user: number }>(async (o, ctx) => {
      const removed = await identityService.removeMemberChecked(o.org, o.user);
      await recordAdminChange({
        action: 'admin/member/remove',
        orgId: o.org,
        target: `user/${o.user}`,
        actorUserId: ctx.actor,
        detail: { role: removed.role },
      });
      return { json: { organizationId: o.org, userId: o.user, removed: true }, text: `user ${o.user} removed from ${o.org}` };
    }),
  );

  withTarget(
    member
      .command('set-role')
      .description("change a member's role")
      .requiredOption('--org <id>', 'organization id', orgId)
      .requiredOption('--user <userId>', 'user id', userId)
      .addOption(roleOption(true)),
  ).action(
    adminAction<{ org: string; user: number; role: Role }>(async (o, ctx) => {
      const before = await identityService.findMember(o.org, o.user);
      const changed = await identityService.setMemberRole(o.org, o.user, o.role);
      await recordAdminChange({
        action: 'admin/member/set-role',
        orgId: o.org,
        target: `user/${o.user}`,
        actorUserId: ctx.actor,
        detail: { from: before?.role, to: changed.role },
      });
      return { json: changed, text: `user ${o.user} is now a ${changed.role} of ${o.org}` };
    }),
  );

  withTarget(member.command('list').description('list the members of an organization').requiredOption('--org <id>', 'organization id', orgId)).action(
    adminAction<{ org: string }>(async (o) => {
      const members = await identityService.listMembers(o.org);
      const users = await identityService.getUsers(members.map((m) => m.userId));
      const rows = members.map((m) => ({ ...m, name: users.get(m.userId)?.name, email: users.get(m.userId)?.email }));
      return {
        json: rows,
        text: table(
          ['USER', 'ROLE', 'NAME', 'EMAIL', 'JOINED'],
          rows.map((m) => [m.userId, m.role, m.name, m.email, m.joined]),
        ),
      };
    }),
  );
}
