import * as z from 'zod';
import { codeSourceIdField, organizationIdField, projectIdField, qc } from '../schema';

/**
 * Request schemas of the project endpoints (contract §3). Unknown fields are dropped: clients send
 * extras (`requestSource`, …).
 */
const nonNegative = qc.optional(qc.int().pipe(z.number().int().min(0, 'must be 0 or more')));
const userIdText = qc.string().pipe(z.string().regex(/^\d{1,15}$/, 'must be a user id'));

/**
 * Project parameters in every spelling clients use: lean-cli's form `parameters[i][key|value]`
 * (or `parameters=` to clear), LEAN's list of `{name, value}`, or a `{name: value}` object.
 */
const parameterItem = z
  .object({
    key: qc.optional(qc.text(200)),
    name: qc.optional(qc.text(200)),
    value: z.preprocess((v) => (v === undefined || v === null ? '' : v), qc.string()),
  })
  .refine((p) => p.key ?? p.name, { message: 'needs a key' })
  .transform((p) => ({ key: (p.key ?? p.name) as string, value: p.value }));
const parameters = z.preprocess((v) => {
  if (v === '') return [];
  if (v && typeof v === 'object' && !Array.isArray(v) && !Object.keys(v).every((k) => /^\d+$/.test(k))) {
    return Object.entries(v).map(([key, value]) => (value && typeof value === 'object' ? { key, ...value } : { key, value }));
  }
  return v;
}, qc.list(parameterItem, 500).optional());

export const projectSchemas = {
  projectCreate: z.object({
    name: qc.text(200),
    language: z.enum(['Py', 'C#'], { error: "must be 'Py' or 'C#'" }),
    organizationId: organizationIdField,
  }),
  projectRead: z.object({
    projectId: qc.optional(projectIdField),
    organizationId: organizationIdField,
    start: nonNegative,
    end: nonNegative,
  }),
  projectUpdate: z.object({
    projectId: projectIdField,
    name: qc.optional(qc.text(200)),
    // Not qc.optional: lean-cli sends `description=""` to clear a description.
    description: z.preprocess((v) => (v === null ? undefined : v), qc.string().pipe(z.string().max(10_000)).optional()),
    parameters,
    versionId: qc.optional(qc.int()),
    leanEnvironment: qc.optional(qc.int()),
    files: qc.list(z.object({ name: qc.text(512), content: z.preprocess((v) => v ?? '', qc.string()) }), 5_000).optional(),
    libraries: qc.list(projectIdField, 100).optional(),
    encryptionKey: qc.optional(qc.string()),
    codeSourceId: codeSourceIdField,
  }),
  projectLibrary: z.object({ projectId: projectIdField, libraryId: projectIdField }),
  projectNodesUpdate: z.object({ projectId: projectIdField, nodes: qc.list(qc.text(100), 100).optional() }),
  collaborationCreate: z.object({
    projectId: projectIdField,
    collaboratorUserId: userIdText,
    collaborationLiveControl: qc.optional(qc.bool()).default(false),
    collaborationWrite: qc.optional(qc.bool()).default(false),
  }),
  collaborationUpdate: z.object({
    projectId: projectIdField,
    collaboratorUserId: userIdText,
    liveControl: qc.optional(qc.bool()),
    write: qc.optional(qc.bool()),
  }),
  collaborationDelete: z.object({ projectId: projectIdField, collaboratorId: userIdText }),
  lockAcquire: z.object({ projectId: projectIdField, codeSourceId: qc.text(200) }),
};
