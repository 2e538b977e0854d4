import * as z from '../../../core/shared/zod';
import { qc } from '../schema';

/** Request schemas of the AI tools (contract §3.11; QuantConnect's spec BasicFilesRequest and friends). */
const language = z.enum(['Py', 'C#'], { error: "must be 'Py' or 'C#'" });
const files = z
  .array(z.object({ name: qc.text(512), content: z.string().check(z.maxLength(1_000_000, 'must be at most 1000000 characters')) }))
  .check(z.minLength(1, 'must list at least one file'), z.maxLength(100, 'must list at most 100 files'));

export const aiSchemas = {
  aiFiles: z.object({ language, files }),
  aiPep8: z.object({ files }),
  aiComplete: z.object({
    language,
    sentence: qc.text(10_000),
    responseSizeLimit: qc.optional(z.pipe(qc.int(), z.number().check(z.int(), z.gte(1, 'must be 1 or more'), z.lte(100, 'must be at most 100')))),
  }),
  aiErrorEnhance: z.object({
    language,
    error: z.object({ message: qc.text(100_000), stacktrace: qc.optional(z.string().check(z.maxLength(100_000))) }),
  }),
  aiSearch: z.object({
    language,
    criteria: z
      .array(
        z.object({
          input: qc.text(2000),
          type: z.enum(['Stubs', 'Forum', 'Docs', 'Examples'], { error: "must be 'Stubs', 'Forum', 'Docs' or 'Examples'" }),
          count: z.pipe(qc.int(), z.number().check(z.int(), z.gte(1, 'must be 1 or more'), z.lte(20, 'must be at most 20'))),
        }),
      )
      .check(z.minLength(1, 'must list at least one criterion'), z.maxLength(5, 'must list at most 5 criteria')),
  }),
};
