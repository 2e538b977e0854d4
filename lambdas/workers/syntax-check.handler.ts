import { decodeSyntaxCheckRequest, type SyntaxCheckRequest, type SyntaxCheckResponse } from '../../core/aws/lambda-syntax-checker';
import { inProcessSyntaxChecker } from '../../core/domain/compile/python-syntax';
import * as z from '../../core/shared/zod';

/**
 * The syntax-check function (design §7): the Python syntax check, with its grammar, in a function
 * of its own, so the API functions that need it (compile/create, ai/tools/syntax-check) stay
 * small. They invoke it synchronously through core/aws/lambda-syntax-checker.ts with the gzipped
 * files and get the first error of each failing file back. It touches no table, bucket or queue.
 */
const requestSchema = z.object({ gzip: z.string().check(z.minLength(1)) });
const filesSchema = z.array(z.object({ name: z.string(), content: z.string() }));

export async function handler(event: SyntaxCheckRequest): Promise<SyntaxCheckResponse> {
  const request = requestSchema.safeParse(event);
  if (!request.success) throw new Error('The syntax check takes { gzip: <base64 of the gzipped JSON files> }');
  const files = filesSchema.safeParse(decodeSyntaxCheckRequest(request.data));
  if (!files.success) throw new Error('The syntax check takes a list of { name, content } files');
  return { errors: await inProcessSyntaxChecker.check(files.data) };
}
