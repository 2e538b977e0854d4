import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';

/**
 * A stand-in for an AWS service on loopback (KMS, API Gateway, CloudFormation…): the SDK is pointed
 * at `endpoint` and each request reaches `handle` with its body read. Tests assert on what the SDK
 * really sends, without an AWS account.
 */
export interface LoopbackRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Loopback {
  endpoint: string;
  close(): Promise<void>;
}

export async function startLoopback(handle: (req: LoopbackRequest, res: ServerResponse) => void): Promise<Loopback> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => handle({ method: req.method ?? 'GET', url: new URL(req.url ?? '/', 'http://loopback'), headers: req.headers, body }, res));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const address = server.address();
  return {
    endpoint: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
