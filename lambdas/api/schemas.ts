import * as z from 'zod';
import { dataSchemas } from './data-schemas';
import { jobSchemas } from './job-schemas';
import { objectSchemas } from './object-schemas';
import { organizationIdField, projectIdField, qc } from './schema';

/**
 * Request schemas of every endpoint (contract §3), shared by the route table, the handlers and the
 * OpenAPI generator. Unknown fields are dropped: clients send extras (`requestSource`, …).
 */
const orgOnly = z.object({ organizationId: organizationIdField });
const projectOnly = z.object({ projectId: projectIdField });
const codeSourceId = qc.optional(qc.string().pipe(z.string().max(200)));
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

export const schemas = {
  empty: z.object({}),
  organization: orgOnly,
  project: projectOnly,

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
    codeSourceId,
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

  fileCreate: z.object({ projectId: projectIdField, name: qc.text(512), content: qc.string(), codeSourceId }),
  fileRead: z.object({ projectId: projectIdField, name: qc.optional(qc.text(512)), codeSourceId }),
  fileUpdate: z.object({
    projectId: projectIdField,
    name: qc.text(512),
    newName: qc.optional(qc.text(512)),
    content: z.preprocess((v) => (v === null ? undefined : v), qc.string().optional()),
    codeSourceId,
  }),
  fileDelete: z.object({ projectId: projectIdField, name: qc.text(512), codeSourceId }),
  filePatch: z.object({ projectId: projectIdField, patch: qc.text(5_000_000), codeSourceId }),

  // Market data and object store (their own files), in the one map the OpenAPI generator names.
  ...dataSchemas,
  ...objectSchemas,
  ...jobSchemas,
};
