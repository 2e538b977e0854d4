import { type AwsCredentials, signRequest } from '../../shared/aws-signature';

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
  credentials: AwsCredentials;
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
    headers: signRequest({ service: 'bedrock', region: settings.region, credentials: settings.credentials }, { method: 'POST', url, body }),
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
