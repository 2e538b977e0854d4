import * as z from '../../../core/shared/zod';
import { codeSourceIdField, preprocess, projectIdField, qc } from '../schema';

/** Request schemas of the project file endpoints (contract §3). */
export const fileSchemas = {
  fileCreate: z.object({
    projectId: projectIdField,
    name: qc.text(512),
    // Left out (or null) creates an empty file, as QuantConnect does; an explicit "" is refused.
    content: preprocess((v) => (v === null ? undefined : v), z.optional(qc.string())),
    codeSourceId: codeSourceIdField,
  }),
  fileRead: z.object({ projectId: projectIdField, name: qc.optional(qc.text(512)), codeSourceId: codeSourceIdField }),
  fileUpdate: z.object({
    projectId: projectIdField,
    name: qc.text(512),
    newName: qc.optional(qc.text(512)),
    content: preprocess((v) => (v === null ? undefined : v), z.optional(qc.string())),
    codeSourceId: codeSourceIdField,
  }),
  fileDelete: z.object({ projectId: projectIdField, name: qc.text(512), codeSourceId: codeSourceIdField }),
  filePatch: z.object({ projectId: projectIdField, patch: qc.text(5_000_000), codeSourceId: codeSourceIdField }),
};
