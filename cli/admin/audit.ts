import { type Command, InvalidArgumentError } from 'commander';
import { auditRepository } from '../../core/data/identity/audit-repository';
import { NO_ORGANIZATION } from '../../core/domain/identity/admin-audit';
import { adminAction, withTarget } from './action';
import { table } from './output';
import { isoTime, orgId, positiveInt, text, userId } from './parse';

/** `lcs admin audit`: the audit trail of an organization or of an acting user, newest first. */
export function registerAudit(admin: Command): void {
  withTarget(
    admin
      .command('audit')
      .description('show audit events of an organization (--org) or made by a user (--user; 0 is the admin CLI)')
      .option('--org <id>', `organization id (or "${NO_ORGANIZATION}" for changes outside any organization)`, auditOrg)
      .option('--user <userId>', 'the user who made the changes', userId)
      .option('--action <action>', 'only this action, e.g. projects/create or admin/key/revoke', text(200))
      .option('--from <iso>', 'from this date or time', isoTime)
      .option('--to <iso>', 'up to this date or time (a date includes the whole day)', isoTime)
      .option('--limit <n>', 'at most this many events', positiveInt(10_000), 100),
  ).action(
    adminAction<{ org?: string; user?: number; action?: string; from?: string; to?: string; limit: number }>(async (o) => {
      if (o.org === undefined && o.user === undefined) throw new Error('pass --org <id> or --user <userId>');
      const events = await auditRepository.query({ orgId: o.org, userId: o.user, action: o.action, from: o.from, to: o.to, limit: o.limit });
      return {
        json: events,
        text: table(
          ['TIME', 'ACTION', 'USER', 'TARGET', 'ORGANIZATION', 'VIA', 'SOURCE IP'],
          events.map((e) => [
            e.at,
            e.action,
            e.userId,
            e.target,
            e.orgId,
            e.authMethod === e.credentialId ? e.authMethod : `${e.authMethod}:${e.credentialId}`,
            e.sourceIp,
          ]),
        ),
      };
    }),
  );
}

function auditOrg(value: string): string {
  if (value.trim() === NO_ORGANIZATION) return NO_ORGANIZATION;
  try {
    return orgId(value);
  } catch {
    throw new InvalidArgumentError(`must be a 32-character hex organization id or "${NO_ORGANIZATION}"`);
  }
}
