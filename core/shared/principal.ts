/**
 * Who is calling. The authorizer (API Gateway) or the local server resolves it once per request
 * and passes it to the endpoint as flat string values, the only shape API Gateway forwards.
 */
export type Role = 'viewer' | 'member' | 'admin';
export type AuthMethod = 'qc-hash' | 'api-key' | 'jwt' | 'basic' | 'job';

export const ROLE_RANK: Record<Role, number> = { viewer: 1, member: 2, admin: 3 };

export interface Membership {
  orgId: string;
  role: Role;
}

export interface Principal {
  userId: number;
  authMethod: AuthMethod;
  /** Token id, API key id or JWT subject: names the credential in audit events, never the secret. */
  credentialId: string;
  preferredOrgId?: string;
  memberships: Membership[];
  /** Set for a job credential (core/domain/identity/job-credential.ts): what the caller is limited to. */
  job?: JobScope;
}

/** The one job a job credential serves: its organisation, project, and the job itself. */
export interface JobScope {
  kind: 'backtest' | 'compile' | 'live';
  id: string;
  orgId: string;
  projectId: number;
}

const JOB_KINDS = new Set<string>(['backtest', 'compile', 'live']);

function jobToContext(job: JobScope): string {
  return [job.kind, job.id, job.orgId, job.projectId].join(':');
}

function jobFromContext(value: unknown): JobScope | undefined {
  const [kind = '', id = '', orgId = '', projectId = ''] = String(value ?? '').split(':');
  if (!JOB_KINDS.has(kind) || !id || !orgId || !/^\d+$/.test(projectId)) return undefined;
  return { kind: kind as JobScope['kind'], id, orgId, projectId: Number(projectId) };
}

export type AuthorizerContext = Record<string, string>;

export function principalToContext(p: Principal): AuthorizerContext {
  return {
    userId: String(p.userId),
    authMethod: p.authMethod,
    credentialId: p.credentialId,
    preferredOrgId: p.preferredOrgId ?? '',
    memberships: p.memberships.map((m) => `${m.orgId}:${m.role}`).join(','),
    ...(p.job ? { job: jobToContext(p.job) } : {}),
  };
}

export function principalFromContext(ctx: Record<string, unknown> | null | undefined): Principal | undefined {
  if (!ctx || (typeof ctx.userId !== 'string' && typeof ctx.userId !== 'number')) return undefined;
  const userId = Number(ctx.userId);
  if (!Number.isInteger(userId) || userId <= 0) return undefined;
  const memberships = String(ctx.memberships ?? '')
    .split(',')
    .filter(Boolean)
    .map((pair) => {
      const [orgId = '', role = 'viewer'] = pair.split(':');
      return { orgId, role: role as Role };
    })
    .filter((m) => m.orgId && m.role in ROLE_RANK);
  // Fails closed: a job principal whose scope cannot be read must not become a full user.
  const job = ctx.authMethod === 'job' || ctx.job ? jobFromContext(ctx.job) : undefined;
  if ((ctx.authMethod === 'job' || ctx.job) && !job) return undefined;
  return {
    userId,
    authMethod: String(ctx.authMethod) as AuthMethod,
    credentialId: String(ctx.credentialId ?? ''),
    preferredOrgId: ctx.preferredOrgId ? String(ctx.preferredOrgId) : undefined,
    memberships,
    ...(job ? { job } : {}),
  };
}
