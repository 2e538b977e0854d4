import { listedFolder, objectKeyProblem } from '../../../core/domain/objects/object-key-rules';
import * as z from '../../../core/shared/zod';
import { organizationIdField, preprocess, qc } from '../schema';
import type { UploadedFile } from '../transport';

/** Request schemas of the object store (contract §3.10); key rules in core/domain/objects/object-key-rules.ts. */
const stripRoot = (v: string) => (v.startsWith('/') ? v.slice(1) : v);

/** An object key (or folder key for get/delete): one leading "/" stripped, then path rules. */
const objectKeyField = z.pipe(qc.string(), z.transform(stripRoot)).check((ctx) => {
  const problem = objectKeyProblem(ctx.value);
  if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
});

/**
 * A folder to list, kept as sent: the answer echoes it (contract §8 item 12); the service reads
 * the folder it names (listedFolder).
 */
const folderField = preprocess(
  (v) => (v === undefined || v === null || v === '' ? '/' : v),
  qc.string().check((ctx) => {
    const folder = listedFolder(ctx.value);
    if (folder === '') return;
    const problem = objectKeyProblem(folder);
    if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
  }),
);

const isUpload = (v: unknown): v is UploadedFile =>
  typeof v === 'object' && v !== null && Buffer.isBuffer((v as UploadedFile).data) && typeof (v as UploadedFile).filename === 'string';

/**
 * The value: a multipart file part (both clients send `objectData` that way), or, for JSON
 * callers, a string stored as its UTF-8 bytes.
 */
const objectData = z
  .union(
    [
      z.pipe(
        z.custom<UploadedFile>(isUpload, { message: 'must be a file part' }).register(z.globalRegistry, { type: 'string', format: 'binary' }),
        z.transform((f: UploadedFile) => f.data),
      ),
      z.pipe(
        z.string(),
        z.transform((s) => Buffer.from(s, 'utf8')),
      ),
    ],
    {
      error: 'must be a multipart file part (or a string)',
    },
  )
  .register(z.globalRegistry, { description: 'The value: a multipart file part named objectData (or a string, stored as UTF-8).' });

const jobIdField = z.pipe(qc.string(), z.string().check(z.regex(/^[0-9a-f]{32}$/, 'must be a 32-character hex job id')));

export const objectSchemas = {
  objectSet: z.object({ organizationId: organizationIdField, key: objectKeyField, objectData }),
  objectGet: z
    .object({
      organizationId: organizationIdField,
      keys: z.optional(qc.list(objectKeyField, 1000)),
      jobId: qc.optional(jobIdField),
    })
    .check(
      z.refine((v) => v.jobId !== undefined || (v.keys?.length ?? 0) > 0, {
        message: 'needs keys (to start a download) or jobId (to poll it)',
        path: ['keys'],
      }),
    ),
  objectKey: z.object({ organizationId: organizationIdField, key: objectKeyField }),
  objectList: z.object({
    organizationId: organizationIdField,
    path: folderField,
    page: qc.optional(z.pipe(qc.int(), z.number().check(z.int(), z.gte(1, 'must be 1 or more'), z.lte(100_000, 'must be at most 100000')))),
  }),
};
