import { gunzipSync, gzipSync } from 'node:zlib';
import type { PythonSyntaxError, SourceFile, SyntaxChecker } from '../ports/syntax-checker';
import { type AwsCredentials, environmentCredentials, signRequest } from '../shared/aws-signature';

/**
 * The syntax checker in AWS (the port: core/ports/syntax-checker.ts): the syntax-check function
 * (lambdas/workers/syntax-check.handler.ts) invoked synchronously (RequestResponse) with the
 * Python files, through Lambda's Invoke API (`POST /2015-03-31/functions/<name>/invocations`)
 * signed with the caller's role. No SDK client: the project does not ship
 * @aws-sdk/client-lambda, and one signed POST is all this needs (as for Bedrock).
 *
 * The request is the files' JSON gzipped (Python shrinks several times), base64 in `{ gzip }`:
 * Lambda takes at most 6 MB per synchronous request, so a project above that after compression
 * is checked in several calls, in order; one file that alone is too large is refused by name.
 */
export interface SyntaxCheckRequest {
  gzip: string;
}

export interface SyntaxCheckResponse {
  errors: PythonSyntaxError[];
}

/** Below Lambda's 6 MB synchronous request limit, with room for the JSON around the base64. */
export const MAX_REQUEST_BYTES = 5.5 * 1024 * 1024;

export function encodeSyntaxCheckRequest(files: SourceFile[]): SyntaxCheckRequest {
  return { gzip: gzipSync(JSON.stringify(files)).toString('base64') };
}

export function decodeSyntaxCheckRequest(request: SyntaxCheckRequest): unknown {
  return JSON.parse(gunzipSync(Buffer.from(request.gzip, 'base64')).toString('utf8'));
}

export interface LambdaSyntaxCheckerSettings {
  functionName: string;
  region: string;
  /** Defaults to the regional Lambda endpoint; tests point it at a loopback stand-in. */
  endpoint?: string;
  /** Defaults to the function's own credentials, from the environment. */
  credentials?: AwsCredentials;
  /** @default MAX_REQUEST_BYTES */
  maxRequestBytes?: number;
}

/** Kept below compile/create's 29-second limit, so a stuck call still answers the envelope. */
const INVOKE_TIMEOUT_MS = 25_000;

export function lambdaSyntaxChecker(settings: LambdaSyntaxCheckerSettings): SyntaxChecker {
  const limit = settings.maxRequestBytes ?? MAX_REQUEST_BYTES;
  const base = (settings.endpoint ?? `https://lambda.${settings.region}.amazonaws.com`).replace(/\/$/, '');
  const url = new URL(`${base}/2015-03-31/functions/${encodeURIComponent(settings.functionName)}/invocations`);

  const invoke = async (body: string): Promise<PythonSyntaxError[]> => {
    const credentials = settings.credentials ?? environmentCredentials('the syntax-check function');
    const headers = signRequest(
      { service: 'lambda', region: settings.region, credentials },
      { method: 'POST', url, body, headers: { 'x-amz-invocation-type': 'RequestResponse' } },
    );
    const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(INVOKE_TIMEOUT_MS) });
    const text = await response.text();
    const answer = (() => {
      try {
        return JSON.parse(text) as Record<string, unknown>;
      } catch {
        return {};
      }
    })();
    if (!response.ok) {
      throw new Error(
        `Lambda refused to invoke ${settings.functionName} (HTTP ${response.status}): ${String(answer.message ?? answer.Message ?? 'no message')}`,
      );
    }
    // The function ran and threw (or timed out): Lambda answers 200 with this header.
    const functionError = response.headers.get('x-amz-function-error');
    if (functionError) {
      throw new Error(
        `The syntax-check function failed (${functionError}): ${String(answer.errorType ?? '')} ${String(answer.errorMessage ?? text.slice(0, 500))}`.trim(),
      );
    }
    if (!Array.isArray(answer.errors)) throw new Error(`The syntax-check function answered without errors list: ${text.slice(0, 200)}`);
    return answer.errors as PythonSyntaxError[];
  };

  /** Halves the batch until each request fits; answers in the order of `files`. */
  const checkBatch = async (files: SourceFile[]): Promise<PythonSyntaxError[]> => {
    if (files.length === 0) return [];
    const body = JSON.stringify(encodeSyntaxCheckRequest(files));
    if (body.length <= limit) return invoke(body);
    if (files.length === 1) {
      throw new Error(
        `${files[0]?.name} is too large for the syntax check (${Math.round(body.length / 1024)} KB compressed; at most ${Math.round(limit / 1024)} KB)`,
      );
    }
    const half = Math.ceil(files.length / 2);
    return [...(await checkBatch(files.slice(0, half))), ...(await checkBatch(files.slice(half)))];
  };

  return {
    // Only Python files are checked: the others are not sent.
    check: (files) => checkBatch(files.filter((f) => f.name.toLowerCase().endsWith('.py')).map((f) => ({ name: f.name, content: f.content }))),
  };
}
