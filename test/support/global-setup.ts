import type { ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { startServerProcess, storageEnv } from '../../local/server-process';
import { FAKE_ENGINE_ENV } from './fake-engines';

/**
 * Starts, once for the integration and contract projects, the real local server (DynamoDB Local
 * and the S3 emulator included) as a child process on a free port, and a JWKS endpoint on
 * loopback whose RSA key the tests sign JWTs with. Tests reach both through environment variables.
 */
declare global {
  var __lcsServer: ChildProcess | undefined;
  var __lcsJwks: Server | undefined;
}

const root = resolve(__dirname, '..', '..');

function startJwks(dir: string): Promise<{ url: string; server: Server }> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'RS256', use: 'sig' };
  writeFileSync(join(dir, 'jwt-private.pem'), privateKey.export({ format: 'pem', type: 'pkcs8' }));
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/jwks.json' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      done({ url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/jwks.json`, server });
    }),
  );
}

export default async function globalSetup(): Promise<void> {
  if (process.env.LCS_TEST_API_URL) return; // already started for the other project
  const dir = join(root, 'test', '.tmp', `run-${Date.now()}-${randomBytes(3).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  const jwks = await startJwks(dir);
  const issuer = 'https://issuer.test.local/';
  const env = {
    LCS_JWT_ISSUER: issuer,
    LCS_JWT_AUDIENCE: 'lcs-tests',
    LCS_JWT_JWKS_URL: jwks.url,
    LCS_BASIC_AUTH: 'true',
    LCS_LOG_LEVEL: 'ERROR',
    // Revocation tests need every request verified afresh; the cache has its own unit test.
    LCS_AUTH_CACHE_SECONDS: '0',
    // The suites fail authentication on purpose, many times, from one address; the failure budget has its own test.
    LCS_AUTH_FAILURES_BURST: '0',
    // Jobs run the real runner with the fake LEAN and fake dotnet (no Docker or .NET here).
    // (and that LEAN's own data folder: market hours, symbol properties, map/factor CSVs; a small fixture).
    ...FAKE_ENGINE_ENV,
    LCS_PROGRESS_MS: '250',
    LCS_NODE_WAIT_MAX_SECONDS: '1',
    // Live: a crashed algorithm restarts after 200 ms (then 400 ms, …), not 10 s.
    LCS_LIVE_RESTART_BACKOFF_MS: '200',
  };
  // Limits far above what the suites send; rate limiting has its own test with tight limits.
  const config = join(dir, 'lcs.config.json');
  writeFileSync(config, JSON.stringify({ rateLimit: { ratePerSecond: 1_000_000, burst: 1_000_000, dailyQuota: 0 } }));
  const server = await startServerProcess({ dataDir: join(dir, 'data'), env, args: ['--quiet', '--config', config] });
  const { apiUrl, runtime, child } = server;
  Object.assign(process.env, {
    LCS_TEST_API_URL: apiUrl,
    LCS_TEST_DIR: dir,
    LCS_TEST_JWT_KEY_FILE: join(dir, 'jwt-private.pem'),
    LCS_TEST_JWT_ISSUER: issuer,
    LCS_TEST_JWT_AUDIENCE: 'lcs-tests',
    LCS_TEST_DATA_DIR: join(dir, 'data'),
    // The test process talks to the same storage for fixtures (users, keys) and checks.
    ...storageEnv(runtime),
    LCS_JWT_ISSUER: issuer,
    LCS_JWT_AUDIENCE: 'lcs-tests',
    LCS_JWT_JWKS_URL: jwks.url,
    LCS_BASIC_AUTH: 'true',
    LCS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  globalThis.__lcsServer = child;
  globalThis.__lcsJwks = jwks.server;
}
