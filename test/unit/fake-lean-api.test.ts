import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error plain ESM test double without types
import { callLeanApi } from '../support/fake-lean/lean-api.mjs';

/**
 * The fake LEAN's own API calls sign as LEAN signs (Lean:`Api/ApiConnection.cs`): Basic
 * base64(<job-user-id>:sha256hex(<api-access-token>:<timestamp>)) with the Timestamp header, JSON
 * POSTs, ApiDataProvider's calls first (Lean:`Engine/DataFeeds/ApiDataProvider.cs`).
 */
test("ApiDataProvider's calls, signed with the config's job-user-id and api-access-token", async () => {
  const seen: { url: string; headers: IncomingMessage['headers']; body: unknown }[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => {
      text += chunk;
    });
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body: JSON.parse(text) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ success: !req.url?.endsWith('projects/create'), errors: req.url?.endsWith('projects/create') ? ['refused'] : [] }));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as { port: number }).port;
  const apiFile = join(mkdtempSync(join(tmpdir(), 'fake-lean-api-')), 'api.json');
  const errors: string[] = [];
  try {
    await callLeanApi(
      {
        apiUrl: `http://127.0.0.1:${port}/api/v2`,
        userId: '1600000001',
        apiToken: 'ab'.repeat(32),
        organizationId: 'o'.repeat(32),
        projectId: '42',
        apiFile,
        apiProbes: 'projects/create',
        dataProvider: 'QuantConnect.Lean.Engine.DataFeeds.ApiDataProvider',
      },
      { error: (line: string) => errors.push(line) },
    );
  } finally {
    server.close();
  }
  expect(seen.map((s) => s.url)).toEqual(['/api/v2/data/prices', '/api/v2/organizations/read', '/api/v2/data/read', '/api/v2/projects/create']);
  for (const { headers } of seen) {
    const timestamp = String(headers.timestamp);
    const [userId, hash] = Buffer.from(String(headers.authorization).replace(/^Basic /, ''), 'base64')
      .toString()
      .split(':');
    expect(userId).toBe('1600000001');
    expect(hash).toBe(
      createHash('sha256')
        .update(`${'ab'.repeat(32)}:${timestamp}`)
        .digest('hex'),
    );
  }
  expect(seen[2]?.body).toEqual({ format: 'link', filePath: 'equity/usa/daily/spy.zip', organizationId: 'o'.repeat(32) });
  expect(errors).toEqual(['Api.TryRequest(projects/create): refused']);
  const recorded = JSON.parse(readFileSync(apiFile, 'utf8'));
  expect(recorded.config['job-user-id']).toBe('1600000001');
  expect(recorded.calls.map((c: { success: boolean }) => c.success)).toEqual([true, true, true, false]);
});
