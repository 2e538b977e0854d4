import type { Command } from 'commander';
import { recordAdminChange } from '../../core/domain/identity/admin-audit';
import { identityService } from '../../core/domain/identity/identity-service';
import { NotFoundError } from '../../core/shared/errors';
import { adminAction, withTarget } from './action';
import { fields, table } from './output';
import { auditOrgOf } from './owner-org';
import { expiry, text, userId } from './parse';

/** `lcs admin token issue|list|revoke`: API tokens for the QuantConnect hash (`lean login`). */
export function registerToken(admin: Command): void {
  const token = admin.command('token').description('API tokens (what lean login and LEAN use)');

  withTarget(
    token
      .command('issue')
      .description('issue an API token; it is printed once and cannot be shown again')
      .requiredOption('--user <userId>', 'user id', userId)
      .option('--expires <iso>', 'expiry date or time (default: never)', expiry),
  ).action(
    adminAction<{ user: number; expires?: string }>(async (o, ctx) => {
      if (ctx.target.kind === 'aws' && !ctx.target.kmsKeyId) throw new Error('no KMS key for tokens: pass --kms-key-id or a stack with a KmsKeyId output');
      const orgId = await auditOrgOf(o.user);
      const issued = await identityService.issueToken(o.user, o.expires ? { expiresAt: o.expires } : {});
      await recordAdminChange({
        action: 'admin/token/issue',
        orgId,
        target: `user/${o.user}/token/${issued.tokenId}`,
        actorUserId: ctx.actor,
        detail: { tokenId: issued.tokenId, ...(o.expires ? { expiresAt: o.expires } : {}) },
      });
      return {
        json: { ...issued, ...(o.expires ? { expiresAt: o.expires } : {}) },
        text: [
          fields([
            ['user id', issued.userId],
            ['token id', issued.tokenId],
            ['token', issued.token],
            ['expires', o.expires],
          ]),
          '',
          `lean login --user-id ${issued.userId} --api-token ${issued.token}`,
          'The token is shown only now; store it safely.',
        ].join('\n'),
      };
    }),
  );

  withTarget(token.command('list').description("list a user's tokens (never their values)").requiredOption('--user <userId>', 'user id', userId)).action(
    adminAction<{ user: number }>(async (o) => {
      const tokens = await identityService.listTokens(o.user);
      return {
        json: tokens,
        text: table(
          ['TOKEN ID', 'CREATED', 'EXPIRES', 'REVOKED'],
          tokens.map((t) => [t.tokenId, t.created, t.expiresAt, t.revokedAt]),
        ),
      };
    }),
  );

  withTarget(
    token
      .command('revoke')
      .description('revoke a token')
      .requiredOption('--user <userId>', 'user id', userId)
      .requiredOption('--token-id <id>', 'token id (from token list)', text(100)),
  ).action(
    adminAction<{ user: number; tokenId: string }>(async (o, ctx) => {
      const orgId = await auditOrgOf(o.user);
      await identityService.revokeToken(o.user, o.tokenId).catch((err: unknown) => {
        throw err instanceof NotFoundError ? new NotFoundError(`Token ${o.tokenId} of user ${o.user}`) : err;
      });
      await recordAdminChange({
        action: 'admin/token/revoke',
        orgId,
        target: `user/${o.user}/token/${o.tokenId}`,
        actorUserId: ctx.actor,
        detail: { tokenId: o.tokenId },
      });
      return { json: { userId: o.user, tokenId: o.tokenId, revoked: true }, text: `token ${o.tokenId} of user ${o.user} revoked` };
    }),
  );
}
