import { createHash, createHmac } from 'node:crypto';

/**
 * Amazon Bedrock Runtime's Converse API (`POST /model/<modelId>/converse`), signed with AWS
 * Signature V4 from the function's own credentials (the Lambda role's, from the environment). No
 * SDK client: the project does not ship @aws-sdk/client-bedrock-runtime, and one signed JSON POST
 * is all the AI tools need. The role may call bedrock:InvokeModel on the configured model only.
 */
export interface ConverseRequest {
  system: string;
  prompt: string;
  maxTokens: number;
}

export interface BedrockSettings {
  modelId: string;
  region: string;
  /** Defaults to the regional Bedrock Runtime endpoint; tests point it at a loopback stand-in. */
  endpoint?: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

const sha256 = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** SigV4 headers for one request (docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html). */
export function signRequest(
  settings: Pick<BedrockSettings, 'region' | 'credentials'>,
  request: { method: string; url: URL; body: string },
  now = new Date(),
): Record<string, string> {
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    host: request.url.host,
    'x-amz-content-sha256': sha256(request.body),
    'x-amz-date': amzDate,
    ...(settings.credentials.sessionToken ? { 'x-amz-security-token': settings.credentials.sessionToken } : {}),
  };
  const names = Object.keys(headers).sort();
  // Each path segment is URI-encoded twice for services other than S3 (the model id holds ':').
  const path = request.url.pathname
    .split('/')
    .map((s) => encodeURIComponent(encodeURIComponent(decodeURIComponent(s))))
    .join('/');
  const canonical = [request.method, path, '', ...names.map((n) => `${n}:${headers[n]}`), '', names.join(';'), headers['x-amz-content-sha256']].join('\n');
  const scope = `${day}/${settings.region}/bedrock/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${settings.credentials.secretAccessKey}`, day), settings.region), 'bedrock'), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${settings.credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
}

/** One Converse call: the model's text answer, or an error naming Bedrock's message. */
export async function converse(settings: BedrockSettings, request: ConverseRequest): Promise<string> {
  const base = settings.endpoint ?? `https://bedrock-runtime.${settings.region}.amazonaws.com`;
  const url = new URL(`${base.replace(/\/$/, '')}/model/${encodeURIComponent(settings.modelId)}/converse`);
  const body = JSON.stringify({
    system: [{ text: request.system }],
    messages: [{ role: 'user', content: [{ text: request.prompt }] }],
    inferenceConfig: { maxTokens: request.maxTokens, temperature: 0 },
  });
  const response = await fetch(url, {
    method: 'POST',
    headers: signRequest(settings, { method: 'POST', url, body }),
    body,
    signal: AbortSignal.timeout(60_000),
  });
  const answer = (await response.json().catch(() => ({}))) as {
    message?: string;
    Message?: string;
    output?: { message?: { content?: { text?: string }[] } };
  };
  if (!response.ok) throw new Error(`Amazon Bedrock refused the request (HTTP ${response.status}): ${answer.message ?? answer.Message ?? 'no message'}`);
  return (answer.output?.message?.content ?? []).map((c) => c.text ?? '').join('');
}
