import { createHash } from 'node:crypto';
import { fileRepository } from '../../core/data/files/file-repository';
import { auditRepository } from '../../core/data/identity/audit-repository';
import { identityRepository } from '../../core/data/identity/identity-repository';
import { projectRepository } from '../../core/data/projects/project-repository';
import * as z from '../../core/shared/zod';
import { routes } from '../../lambdas/api/routes';
import type { RouteDef } from '../../lambdas/api/routes/route-types';
import { type Answer, type CallOptions, type Creds, call, qcHeaders, signJwt } from '../support/api';
import type { Fixture, Params } from '../support/route-samples';
import type { TestUser } from '../support/tenants';

/** Shared helpers of the contract tests (not a test file itself). */
export const publicRoutes = routes.filter((r) => r.role === 'public');
export const protectedRoutes = routes.filter((r) => r.role !== 'public');
export const mutatingRoutes = routes.filter((r) => r.mutating);

/** `[path, route]` rows for `describe.each` / `test.each`. */
export const rows = (list: readonly RouteDef[]): [string, RouteDef][] => list.map((r) => [r.path, r]);

/** The top-level field names of a route's request schema. */
export function schemaFields(route: RouteDef): string[] {
  return route.schema instanceof z.ZodMiniObject ? Object.keys(route.schema.shape) : [];
}

/** The ways a valid caller may authenticate (README "Authentication"). */
export const AUTH_KINDS = ['qc-hash', 'qc-query', 'api-key', 'jwt', 'basic'] as const;
export type AuthKind = (typeof AUTH_KINDS)[number];

export function basicValue(userId: number, secret: string): string {
  return Buffer.from(`${userId}:${secret}`).toString('base64');
}

export function qcHash(token: string, timestamp: number): string {
  return createHash('sha256').update(`${token}:${timestamp}`).digest('hex');
}

/** Headers and query parameters carrying `user`'s credentials in the given form. */
export function credentials(kind: AuthKind, user: TestUser): Pick<CallOptions, 'headers' | 'query'> {
  const now = Math.floor(Date.now() / 1000);
  switch (kind) {
    case 'qc-hash':
      return { headers: qcHeaders(user, now) };
    case 'qc-query':
      return { query: { authorization: basicValue(user.userId, qcHash(user.token, now)), timestamp: now } };
    case 'api-key':
      return { headers: { 'X-API-Key': user.keyId, 'X-API-Secret': user.secret } };
    case 'jwt':
      return { headers: { Authorization: `Bearer ${signJwt({ email: user.email, sub: `sub-${user.userId}` })}` } };
    case 'basic':
      return { headers: { Authorization: `Basic ${basicValue(user.userId, user.token)}` } };
  }
}

/** POSTs `params` as JSON to a route with the given headers/query (query auth is merged into the URL). */
export function post(route: RouteDef | string, params: Params | undefined, auth: Pick<CallOptions, 'headers' | 'query'>): Promise<Answer> {
  const path = typeof route === 'string' ? route : route.path;
  return call(path, { method: 'POST', json: params, headers: auth.headers, query: auth.query });
}

export function postAs(route: RouteDef | string, params: Params | undefined, user: Creds): Promise<Answer> {
  return call(typeof route === 'string' ? route : route.path, { method: 'POST', json: params, creds: user });
}

/** The QuantConnect envelope (contract §2) every answer must be. Returns a description of what is wrong, or undefined. */
export function envelopeProblem(answer: Answer): string | undefined {
  const body = answer.body as unknown;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return `not a JSON object: ${answer.text.slice(0, 300)}`;
  const { success, errors } = body as { success?: unknown; errors?: unknown };
  if (typeof success !== 'boolean') return `success is ${typeof success}: ${answer.text.slice(0, 300)}`;
  if (success) return undefined;
  if (!Array.isArray(errors) || errors.length === 0) return `failure without an errors list: ${answer.text.slice(0, 300)}`;
  if (!errors.every((e) => typeof e === 'string' && e.length > 0)) return `errors are not all non-empty strings: ${answer.text.slice(0, 300)}`;
  if (errors.some((e: string) => /internal error/i.test(e))) return `internal error: ${answer.text.slice(0, 300)}`;
  return undefined;
}

export function expectEnvelope(answer: Answer, context: unknown = ''): void {
  expect({ context, problem: envelopeProblem(answer) }).toEqual({ context, problem: undefined });
}

/** The first error of a failed answer ('' when it succeeded). */
export function firstError(answer: Answer): string {
  return answer.body.success === false ? String(answer.body.errors?.[0] ?? '') : '';
}

export function summary(answer: Answer) {
  return { status: answer.status, success: answer.body.success, errors: answer.body.errors };
}

/**
 * Everything a call could change in an organisation: its projects with their stored versions
 * (every project or file write bumps the version), the files of the given projects, the members,
 * and the newest audit event. Equal snapshots mean nothing was written.
 */
export async function snapshot(orgId: string, projectIds: number[] = []) {
  const [projects, members, audit, ...files] = await Promise.all([
    projectRepository.listByOrg(orgId),
    identityRepository.listMembers(orgId),
    auditRepository.query({ orgId, limit: 1 }),
    ...projectIds.map(async (id) => {
      const stored = await projectRepository.get(id);
      return stored ? fileRepository.list(stored.project) : [];
    }),
  ]);
  return {
    projects: projects.map((p) => ({ ...p.project, version: p.version })).sort((a, b) => a.id - b.id),
    files: files.map((list) => list.map((f) => ({ ...f })).sort((a, b) => a.name.localeCompare(b.name))),
    members: members.sort((a, b) => a.userId - b.userId),
    lastAudit: audit[0]?.requestId ?? null,
  };
}

export const snapshotOf = (f: Fixture) => snapshot(f.orgId, [f.projectId, f.libraryId]);

/** The type structure of a JSON value (keys and value types, not the values), to compare answers with fresh ids. */
export function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, shapeOf((value as Record<string, unknown>)[k])]),
    );
  }
  return value === null ? 'null' : typeof value;
}
