import * as z from '../../../core/shared/zod';
import { organizationIdField, qc } from '../schema';

/** Request schemas of the organization administration endpoints (`admin/…`, docs/api.md). */
const userIdField = z.pipe(qc.int(), z.number().check(z.int(), z.positive('must be a positive user id')));
const roleField = z.enum(['admin', 'member', 'viewer'], { error: 'must be admin, member or viewer' });
const keyIdField = z.pipe(qc.string(), z.string().check(z.regex(/^lcs_[0-9a-zA-Z_-]{1,100}$/, 'must be an API key id (lcs_…)')));
/** An ISO date or time (`2027-01-31`, `2027-01-31T18:00:00Z`); a date alone means the whole day. */
const isoTime = z.pipe(
  qc.string(),
  z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z?)?$/, 'must be an ISO date or time (2027-01-31 or 2027-01-31T18:00:00Z)')),
);

/** Paging of the audit log: at most this many events per read, and no deeper than MAX_AUDIT_START. */
export const MAX_AUDIT_COUNT = 100;
export const MAX_AUDIT_START = 10_000;

export const adminSchemas = {
  memberUpdate: z.object({ organizationId: organizationIdField, userId: userIdField, role: roleField }),
  memberDelete: z.object({ organizationId: organizationIdField, userId: userIdField }),
  keyCreate: z.object({ organizationId: organizationIdField, name: qc.text(100), expires: qc.optional(isoTime) }),
  keyDelete: z.object({ organizationId: organizationIdField, keyId: keyIdField }),
  auditRead: z.object({
    organizationId: organizationIdField,
    /** The acting user. */
    userId: qc.optional(z.pipe(qc.int(), z.number().check(z.int(), z.nonnegative('must be a user id')))),
    /** The exact action, e.g. `object/delete` or `admin/keys/create`. */
    action: qc.optional(qc.text(200)),
    /** The resource: events whose target starts with this (`project/12`, `object/models/`, `key/lcs_…`). */
    resource: qc.optional(qc.text(1024)),
    from: qc.optional(isoTime),
    to: qc.optional(isoTime),
    start: qc.optional(
      z.pipe(qc.int(), z.number().check(z.int(), z.nonnegative('must be 0 or more'), z.lte(MAX_AUDIT_START, `must be at most ${MAX_AUDIT_START}`))),
    ),
    count: qc.optional(
      z.pipe(qc.int(), z.number().check(z.int(), z.positive('must be 1 or more'), z.lte(MAX_AUDIT_COUNT, `must be at most ${MAX_AUDIT_COUNT}`))),
    ),
  }),
};
