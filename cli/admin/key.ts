import type { Command } from 'commander';
import { recordAdminChange } from '../../core/domain/identity/admin-audit';
import { identityService } from '../../core/domain/identity/identity-service';
import { adminAction, withTarget } from './action';
import { fields, table } from './output';
import { auditOrgOf } from './owner-org';
import { expiry, text, userId } from './parse';

/** `lcs admin key issue|list|revoke`: key/secret pairs for X-API-Key + X-API-Secret. */
export function registerKey(admin: Command): void {
  const key = admin.command('key').description('API keys (X-API-Key and X-API-Secret)');

  withTarget(
    key
      .command('issue')
      .description('issue a named API key; its secret is printed once and cannot be shown again')
      .requiredOption('--user <userId>', 'user id', userId)
      .requiredOption('--name <name>', 'what the key is for', text(100))
      .option('--expires <iso>', 'expiry date or time (default: never)', expiry),
  ).action(
    adminAction<{ user: number; name: string; expires?: string }>(async (o, ctx) => {
      const orgId = await auditOrgOf(o.user);
      const issued = await identityService.issueKey(o.user, o.name, o.expires ? { expiresAt: o.expires } : {});
      await recordAdminChange({
        action: 'admin/key/issue',
        orgId,
        target: `key/${issued.keyId}`,
        actorUserId: ctx.actor,
        detail: { userId: o.user, name: o.name, ...(o.expires ? { expiresAt: o.expires } : {}) },
      });
      return {
        json: { userId: o.user, name: o.name, ...issued, ...(o.expires ? { expiresAt: o.expires } : {}) },
        text: [
          fields([
            ['user id', o.user],
            ['key id', issued.keyId],
            ['secret', issued.secret],
            ['expires', o.expires],
          ]),
          '',
          `Send: X-API-Key: ${issued.keyId}  X-API-Secret: <the secret>`,
          'The secret is shown only now; store it safely.',
        ].join('\n'),
      };
    }),
  );

  withTarget(
    key.command('list').description("list a user's keys with their last use (never the secrets)").requiredOption('--user <userId>', 'user id', userId),
  ).action(
    adminAction<{ user: number }>(async (o) => {
      const keys = await identityService.listKeyDetails(o.user);
      return {
        json: keys,
        text: table(
          ['KEY ID', 'NAME', 'CREATED', 'EXPIRES', 'REVOKED', 'LAST USED'],
          keys.map((k) => [k.keyId, k.name, k.created, k.expiresAt, k.revokedAt, k.lastUsedAt]),
        ),
      };
    }),
  );

  withTarget(key.command('revoke').description('revoke a key').requiredOption('--key-id <id>', 'key id', text(100))).action(
    adminAction<{ keyId: string }>(async (o, ctx) => {
      const found = await identityService.getKey(o.keyId);
      const orgId = await auditOrgOf(found.userId);
      await identityService.revokeKey(o.keyId);
      await recordAdminChange({
        action: 'admin/key/revoke',
        orgId,
        target: `key/${o.keyId}`,
        actorUserId: ctx.actor,
        detail: { userId: found.userId, name: found.name },
      });
      return { json: { keyId: o.keyId, userId: found.userId, revoked: true }, text: `key ${o.keyId} of user ${found.userId} revoked` };
    }),
  );
}
