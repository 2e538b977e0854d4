import { createHash, createHmac } from 'node:crypto';

/**
 * AWS Signature V4 for one JSON request, from the function's own credentials (docs.aws.amazon.com/
 * IAM/latest/UserGuide/reference_sigv-create-signed-request.html). Used where one signed POST is all
 * that is needed and no SDK client ships for the service (Bedrock Converse, Lambda Invoke).
 */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The function's own credentials (a Lambda role's, or the operator's locally), from the environment. */
export function environmentCredentials(forWhat: string): AwsCredentials {
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN } = process.env;
  if (!AWS_ACCESS_KEY_ID || !AWS_SECRET_ACCESS_KEY) throw new Error(`No AWS credentials in the environment for ${forWhat}`);
  return { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: AWS_SECRET_ACCESS_KEY, ...(AWS_SESSION_TOKEN ? { sessionToken: AWS_SESSION_TOKEN } : {}) };
}

const sha256 = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** SigV4 headers (with `authorization`) for one request to `service` in `region`. */
export function signRequest(
  signer: { service: string; region: string; credentials: AwsCredentials },
  request: { method: string; url: URL; body: string; headers?: Record<string, string> },
  now = new Date(),
): Record<string, string> {
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...request.headers,
    host: request.url.host,
    'x-amz-content-sha256': sha256(request.body),
    'x-amz-date': amzDate,
    ...(signer.credentials.sessionToken ? { 'x-amz-security-token': signer.credentials.sessionToken } : {}),
  };
  const names = Object.keys(headers).sort();
  // Each path segment is URI-encoded twice for services other than S3 (a model id holds ':').
  const path = request.url.pathname
    .split('/')
    .map((s) => encodeURIComponent(encodeURIComponent(decodeURIComponent(s))))
    .join('/');
  const canonical = [request.method, path, '', ...names.map((n) => `${n}:${headers[n]}`), '', names.join(';'), headers['x-amz-content-sha256']].join('\n');
  const scope = `${day}/${signer.region}/${signer.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${signer.credentials.secretAccessKey}`, day), signer.region), signer.service), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${signer.credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
}
