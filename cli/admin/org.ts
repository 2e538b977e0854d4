import type { Command } from 'commander';
import { usagePlanKeys } from '../../core/aws/usage-plan-keys';
import { recordAdminChange } from '../../core/domain/identity/admin-audit';
import { identityService } from '../../core/domain/identity/identity-service';
import { objectStoreService } from '../../core/domain/objects/object-store-service';
import { adminAction, withTarget } from './action';
import { fields, table } from './output';
import { orgId, positiveInt, text, userId, wholeNumber } from './parse';
import type { OpenTarget } from './target';

/** `lcs admin org create|list|quota|optimization-nodes|attach-key`. */
export function registerOrg(admin: Command): void {
  const org = admin.command('org').description('organizations');

  withTarget(
    org
      .command('create')
      .description('create an organization owned (admin) by an existing user')
      .requiredOption('--name <name>', 'organization name', text(200))
      .requiredOption('--owner <userId>', 'user id of the owner, who becomes its admin', userId),
  ).action(
    adminAction<{ name: string; owner: number }>(async (o, ctx) => {
      const keys = rateLimitKeys(ctx.target);
      await identityService.getUser(o.owner);
      const created = await identityService.createOrganization({ name: o.name, ownerUserId: o.owner });
      await recordAdminChange({
        action: 'admin/org/create',
        orgId: created.id,
        target: `org/${created.id}`,
        actorUserId: ctx.actor,
        detail: { name: created.name, owner: o.owner },
      });
      try {
        await keys.attach(created);
      } catch (err) {
        throw new Error(
          `organization ${created.id} was created, but its usage-plan key was not (${(err as Error).message}); retry with: lcs admin org attach-key --org ${created.id}`,
        );
      }
      return {
        json: created,
        text: fields([
          ['organization id', created.id],
          ['name', created.name],
          ['owner', created.ownerUserId],
        ]),
      };
    }),
  );

  withTarget(
    org
      .command('quota')
      .description("show an organization's object-store use and quota; --bytes sets its own quota, --default goes back to the server-wide one")
      .requiredOption('--org <id>', 'organization id', orgId)
      .option('--bytes <n>', 'quota in bytes', positiveInt(Number.MAX_SAFE_INTEGER))
      .option('--default', "remove the organization's own quota"),
  ).action(
    adminAction<{ org: string; bytes?: number; default?: boolean }>(async (o, ctx) => {
      await identityService.getOrganization(o.org);
      if (o.bytes !== undefined && o.default) throw new Error('give --bytes or --default, not both');
      if (o.bytes !== undefined || o.default) {
        await objectStoreService.setQuota(o.org, o.bytes);
        await recordAdminChange({
          action: 'admin/org/quota',
          orgId: o.org,
          target: `org/${o.org}`,
          actorUserId: ctx.actor,
          detail: { bytes: o.bytes ?? 'default' },
        });
      }
      const q = await objectStoreService.quota(o.org);
      return {
        json: q,
        text: fields([
          ['organization id', o.org],
          ['object store used (bytes)', q.used],
          ['quota (bytes)', q.quota],
          ['quota source', q.override ? 'organization' : 'server default (LCS_OBJECT_QUOTA_BYTES)'],
        ]),
      };
    }),
  );

  withTarget(
    org
      .command('optimization-nodes')
      .description(
        'set how many optimization nodes (points run at once, shared by its optimizations) an organization has; organizations created before optimizations have none',
      )
      .requiredOption('--org <id>', 'organization id', orgId)
      .requiredOption('--count <n>', 'number of optimization nodes (only idle ones are removed)', wholeNumber(0, 1000)),
  ).action(
    adminAction<{ org: string; count: number }>(async (o, ctx) => {
      const changed = await identityService.setOptimizationNodes(o.org, o.count);
      await recordAdminChange({
        action: 'admin/org/optimization-nodes',
        orgId: o.org,
        target: `org/${o.org}`,
        actorUserId: ctx.actor,
        detail: { count: o.count, added: changed.added, removed: changed.removed },
      });
      if (changed.busy) {
        throw new Error(`removed ${changed.removed} idle optimization nodes; ${changed.busy} more are busy with optimizations: run again when they end`);
      }
      return {
        json: { organizationId: o.org, ...changed },
        text: fields([
          ['organization id', o.org],
          ['optimization nodes', changed.total],
          ['added', changed.added],
          ['removed', changed.removed],
        ]),
      };
    }),
  );

  withTarget(org.command('list').description('list every organization')).action(
    adminAction(async () => {
      const orgs = await identityService.listOrganizations();
      return {
        json: orgs,
        text: table(
          ['ID', 'NAME', 'OWNER', 'CREATED'],
          orgs.map((x) => [x.id, x.name, x.ownerUserId, x.created]),
        ),
      };
    }),
  );

  withTarget(
    org
      .command('attach-key')
      .description("AWS: create the organization's API key and attach it to the usage plan (safe to repeat)")
      .requiredOption('--org <id>', 'organization id', orgId),
  ).action(
    adminAction<{ org: string }>(async (o, ctx) => {
      const keys = rateLimitKeys(ctx.target);
      const found = await identityService.getOrganization(o.org);
      await keys.attach(found);
      await recordAdminChange({ action: 'admin/org/attach-key', orgId: found.id, target: `org/${found.id}`, actorUserId: ctx.actor });
      return {
        json: { organizationId: found.id, usagePlanId: ctx.target.usagePlanId ?? null },
        text: `usage-plan key of ${found.id}: ${ctx.target.usagePlanId ? 'attached' : 'not needed (local mode)'}`,
      };
    }),
  );
}

/** In AWS every organization needs its usage-plan key, so a missing usage plan is an error there. */
function rateLimitKeys(target: OpenTarget) {
  if (target.kind === 'aws' && !target.usagePlanId) {
    throw new Error('no usage plan: pass --usage-plan-id or a stack with a UsagePlanId output (every organization needs its rate-limit key)');
  }
  return usagePlanKeys(target.usagePlanId, process.env.AWS_REGION);
}
