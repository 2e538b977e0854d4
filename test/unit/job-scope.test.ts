import { assertJobScope, isJobCredentialId, JOB_CREDENTIAL_IDS, JOB_ROUTES, jobCredentialUsable } from '../../core/domain/identity/job-credential';
import { ForbiddenError, NotFoundError } from '../../core/shared/errors';
import { type JobScope, type Principal, principalFromContext, principalToContext } from '../../core/shared/principal';
import { credentialLifetime, GRACE_SECONDS, LIVE_LIFETIME_SECONDS } from '../../runner/job-credentials';

/** What a job credential may reach (core/domain/identity/job-credential.ts), without storage. */
const job: JobScope = { kind: 'backtest', id: 'f'.repeat(32), orgId: 'a'.repeat(32), projectId: 42 };

describe('the id LEAN sends as job-user-id', () => {
  test("fits LEAN's Config.GetInt (32-bit) and never meets a user id (users count up from 100,000)", () => {
    expect(JOB_CREDENTIAL_IDS.max).toBe(2 ** 31 - 1);
    expect(isJobCredentialId(JOB_CREDENTIAL_IDS.min)).toBe(true);
    expect(isJobCredentialId(JOB_CREDENTIAL_IDS.max)).toBe(true);
    expect(isJobCredentialId(100_000)).toBe(false);
    expect(isJobCredentialId(JOB_CREDENTIAL_IDS.max + 1)).toBe(false);
    expect(isJobCredentialId(1.5e9 + 0.5)).toBe(false);
  });
});

describe('endpoint, organisation and project', () => {
  test("LEAN's own calls and its algorithm's object store and project reads are allowed", () => {
    for (const path of ['data/read', 'data/prices', 'organizations/read', 'object/set', 'object/get']) {
      expect(() => assertJobScope(job, path, { organizationId: job.orgId })).not.toThrow();
    }
    expect(() => assertJobScope(job, 'projects/read', { projectId: 42 })).not.toThrow();
    expect(() => assertJobScope(job, 'backtests/read', { projectId: 42, backtestId: job.id })).not.toThrow();
    expect(() => assertJobScope(job, 'live/commands/broadcast', { organizationId: job.orgId, excludeProjectId: 42 })).not.toThrow();
  });

  test('user-only endpoints are forbidden, naming the job', () => {
    for (const path of ['projects/create', 'account/read', 'backtests/create', 'compile/create', 'files/update', 'projects/collaboration/create']) {
      expect(JOB_ROUTES[path]).toBeUndefined();
      expect(() => assertJobScope(job, path)).toThrow(ForbiddenError);
      expect(() => assertJobScope(job, path)).toThrow(`A job credential (backtest ${job.id}) cannot call ${path}`);
    }
  });

  test('another organisation, or another project, is not found', () => {
    expect(() => assertJobScope(job, 'data/read', { organizationId: 'b'.repeat(32) })).toThrow(new NotFoundError('Organization'));
    expect(() => assertJobScope(job, 'projects/read', { projectId: 43 })).toThrow(new NotFoundError('Project'));
    // A project-scoped read must name the job's project (projects/read alone lists every project).
    expect(() => assertJobScope(job, 'projects/read', {})).toThrow(new NotFoundError('Project'));
    // An org-scoped call naming a project names the job's.
    expect(() => assertJobScope(job, 'live/commands/broadcast', { organizationId: job.orgId, projectId: 7 })).toThrow(new NotFoundError('Project'));
  });
});

describe('the principal as API Gateway passes it', () => {
  const principal: Principal = {
    userId: 100_002,
    authMethod: 'job',
    credentialId: '1700000000',
    preferredOrgId: job.orgId,
    memberships: [{ orgId: job.orgId, role: 'member' }],
    job,
  };

  test('the job scope survives the flat context', () => {
    const context = principalToContext(principal);
    expect(context.job).toBe(`backtest:${job.id}:${job.orgId}:42`);
    expect(principalFromContext(context)).toEqual(principal);
  });

  test('fails closed: a job principal whose scope is missing or garbled is no principal at all', () => {
    const context = principalToContext(principal);
    expect(principalFromContext({ ...context, job: undefined })).toBeUndefined();
    expect(principalFromContext({ ...context, job: 'backtest::x:y' })).toBeUndefined();
    expect(principalFromContext({ ...context, authMethod: 'qc-hash', job: 'nonsense' })).toBeUndefined();
  });
});

describe('lifetime', () => {
  test("a backtest's lasts its limit plus the margin; a live deployment's is renewed", () => {
    expect(credentialLifetime({ job: { kind: 'backtest', id: 'x' }, maxSeconds: 3600 })).toBe(3600 + GRACE_SECONDS);
    expect(credentialLifetime({ job: { kind: 'compile', id: 'x' }, maxSeconds: 600 })).toBe(600 + GRACE_SECONDS);
    expect(credentialLifetime({ job: { kind: 'live', id: 'L-x' }, maxSeconds: 60 })).toBe(LIVE_LIFETIME_SECONDS);
  });

  test('usable until it expires or is revoked', () => {
    const credential = {
      credentialId: 1_600_000_000,
      userId: 1,
      orgId: job.orgId,
      projectId: 42,
      job: { kind: 'backtest' as const, id: job.id },
      ciphertext: 'v1:x',
      created: '2026-01-01T00:00:00.000Z',
      expiresAt: '2026-01-01T01:00:00.000Z',
    };
    expect(jobCredentialUsable(credential, Date.parse('2026-01-01T00:59:59Z'))).toBe(true);
    expect(jobCredentialUsable(credential, Date.parse('2026-01-01T01:00:00Z'))).toBe(false);
    expect(jobCredentialUsable({ ...credential, revokedAt: '2026-01-01T00:10:00Z' }, Date.parse('2026-01-01T00:20:00Z'))).toBe(false);
  });
});
