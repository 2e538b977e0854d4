import * as z from 'zod';
import { codeSourceIdField, projectIdField, qc } from '../schema';

/** Request schemas of the project file endpoints (contract §3). */
export const fileSchemas = {
  fileCreate: z.object({ projectId: projectIdField, name: qc.text(512), content: qc.string(), codeSourceId: codeSourceIdField }),
  fileRead: z.object({ projectId: projectIdField, name: qc.optional(qc.text(512)), codeSourceId: codeSourceIdField }),
  fileUpdate: z.object({
    projectId: projectIdField,
    name: qc.text(512),
    newName: qc.optional(qc.text(512)),
    content: z.preprocess((v) => (v === null ? undefined : v), qc.string().optional()),
    codeSourceId: codeSourceIdField,
  }),
  fileDelete: z.object({ projectId: projectIdField, name: qc.text(512), codeSourceId: codeSourceIdField }),
  filePatch: z.object({ projectId: projectIdField, patch: qc.text(5_000_000), codeSourceId: codeSourceIdField }),
};
