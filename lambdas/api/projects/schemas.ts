import * as z from '../../../core/shared/zod';
import { codeSourceIdField, organizationIdField, preprocess, projectIdField, qc } from '../schema';

/**
 * Request schemas of the project endpoints (contract §3). Unknown fields are dropped: clients send
 * extras (`requestSource`, …).
 */
const nonNegative = qc.optional(z.pipe(qc.int(), z.number().check(z.int(), z.gte(0, 'must be 0 or more'))));
const userIdText = z.pipe(qc.string(), z.string().check(z.regex(/^\d{1,15}$/, 'must be a user id')));

/**
 * Project parameters in every spelling clients use: lean-cli's form `parameters[i][key|value]`
 * (or `parameters=` to clear), LEAN's list of `{name, value}`, or a `{name: value}` object.
 */
const parameterItem = z.pipe(
  z
    .object({
      key: qc.optional(qc.text(200)),
      name: qc.optional(qc.text(200)),
      value: preprocess((v) => (v === undefined || v === null ? '' : v), qc.string()),
    })
    .check(z.refine((p) => p.key ?? p.name, { message: 'needs a key' })),
  z.transform((p) => ({ key: (p.key ?? p.name) as string, value: p.value })),
);
const parameters = preprocess(
  (v) => {
    if (v === '') return [];
    if (v && typeof v === 'object' && !Array.isArray(v) && !Object.keys(v).every((k) => /^\d+$/.test(k))) {
      return Object.entries(v).map(([key, value]) => (value && typeof value === 'object' ? { key, ...value } : { key, value }));
    }
    return v;
  },
  z.optional(qc.list(parameterItem, 500)),
);

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
    description: preprocess((v) => (v === null ? undefined : v), z.optional(z.pipe(qc.string(), z.string().check(z.maxLength(10_000))))),
    parameters,
    versionId: qc.optional(qc.int()),
    leanEnvironment: qc.optional(qc.int()),
    files: z.optional(qc.list(z.object({ name: qc.text(512), content: preprocess((v) => v ?? '', qc.string()) }), 5_000)),
    libraries: z.optional(qc.list(projectIdField, 100)),
    encryptionKey: qc.optional(qc.string()),
    codeSourceId: codeSourceIdField,
  }),
  projectLibrary: z.object({ projectId: projectIdField, libraryId: projectIdField }),
  projectNodesUpdate: z.object({ projectId: projectIdField, nodes: z.optional(qc.list(qc.text(100), 100)) }),
  collaborationCreate: z.object({
    projectId: projectIdField,
    collaboratorUserId: userIdText,
    collaborationLiveControl: z._default(qc.optional(qc.bool()), false),
    collaborationWrite: z._default(qc.optional(qc.bool()), false),
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
