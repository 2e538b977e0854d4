import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  authorizeUrl,
  base64url,
  challengeOf,
  claimsOf,
  completeSignIn,
  loadConfig,
  newVerifier,
  type OidcConfig,
  signOutUrl,
  takeVerifier,
} from '../../console/src/oidc';

/** The console's OIDC sign-in pieces (console/src/oidc.ts): PKCE per RFC 7636, the state check, the code exchange. */
class MemoryStorage implements Storage {
  private readonly items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  clear() {
    this.items.clear();
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
}

const ORIGIN = 'https://d111111abcdef8.cloudfront.net';
const config: OidcConfig = {
  auth: 'oidc',
  clientId: 'client123',
  authorizeUrl: 'https://lcs-test.auth.eu-west-1.amazoncognito.com/oauth2/authorize',
  tokenUrl: 'https://lcs-test.auth.eu-west-1.amazoncognito.com/oauth2/token',
  logoutUrl: 'https://lcs-test.auth.eu-west-1.amazoncognito.com/logout',
  scope: 'openid email',
};

test('RFC 7636 appendix B: the verifier of those 32 octets and its S256 challenge', async () => {
  const octets = Uint8Array.from([
    116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
  ]);
  const verifier = newVerifier(octets);
  expect(verifier).toBe('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
  expect(await challengeOf(verifier)).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
});

test('verifiers are 43 unreserved characters and differ each time; base64url has no padding', () => {
  const a = newVerifier();
  expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(newVerifier()).not.toBe(a);
  expect(base64url(Uint8Array.from([0xfb, 0xff]))).toBe('-_8');
});

test('the authorize URL asks for a code with an S256 challenge of the verifier kept for this tab', async () => {
  const storage = new MemoryStorage();
  const url = new URL(await authorizeUrl(config, storage, ORIGIN));
  expect(`${url.origin}${url.pathname}`).toBe(config.authorizeUrl);
  const query = Object.fromEntries(url.searchParams);
  expect(query).toMatchObject({
    response_type: 'code',
    client_id: 'client123',
    redirect_uri: `${ORIGIN}/`,
    scope: 'openid email',
    code_challenge_method: 'S256',
  });
  const pending = JSON.parse(storage.getItem('lcs.oidc.pending')!) as { state: string; verifier: string };
  expect(query.state).toBe(pending.state);
  expect(query.code_challenge).toBe(await challengeOf(pending.verifier));
});

test('state check: only the state this tab sent gives back its verifier, once; a wrong one cancels the sign-in', async () => {
  const storage = new MemoryStorage();
  const state = new URL(await authorizeUrl(config, storage, ORIGIN)).searchParams.get('state');
  const { verifier } = JSON.parse(storage.getItem('lcs.oidc.pending')!) as { verifier: string };
  expect(takeVerifier(state, storage)).toBe(verifier);
  expect(() => takeVerifier(state, storage)).toThrow(/No sign-in was started/);

  await authorizeUrl(config, storage, ORIGIN);
  expect(() => takeVerifier('forged', storage)).toThrow(/does not belong/);
  expect(storage.getItem('lcs.oidc.pending')).toBeNull();
  expect(() => takeVerifier(null, new MemoryStorage())).toThrow(/No sign-in was started/);
});

describe('the code exchange', () => {
  let server: Server;
  let received: URLSearchParams | undefined;
  const idToken = (claims: Record<string, unknown>) => `h.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.s`;
  let answer: { status: number; body: Record<string, unknown> };
  let tokenUrl: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        received = new URLSearchParams(body);
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2/token`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('sends the code with the verifier and keeps the ID token as a Bearer credential with its expiry and sign-out', async () => {
    const storage = new MemoryStorage();
    const state = new URL(await authorizeUrl(config, storage, ORIGIN)).searchParams.get('state')!;
    const { verifier } = JSON.parse(storage.getItem('lcs.oidc.pending')!) as { verifier: string };
    const token = idToken({ email: 'quant@example.com', sub: 'abc', exp: 2_000_000_000 });
    answer = { status: 200, body: { id_token: token, access_token: 'a', token_type: 'Bearer' } };
    const credentials = await completeSignIn({ ...config, tokenUrl }, new URLSearchParams({ code: 'the-code', state }), storage, ORIGIN);
    expect(Object.fromEntries(received!)).toEqual({
      grant_type: 'authorization_code',
      client_id: 'client123',
      code: 'the-code',
      redirect_uri: `${ORIGIN}/`,
      code_verifier: verifier,
    });
    expect(credentials).toEqual({
      userId: 'quant@example.com',
      token,
      bearer: { expiresAt: 2_000_000_000_000, logoutUrl: signOutUrl(config, ORIGIN) },
    });
    expect(new URL(credentials.bearer!.logoutUrl!).searchParams.get('logout_uri')).toBe(`${ORIGIN}/`);
    expect(claimsOf(token).sub).toBe('abc');
    // An external issuer's end-session endpoint takes OIDC's parameter name instead of Cognito's.
    const oidcLogout = new URL(signOutUrl({ ...config, logoutRedirectParam: 'post_logout_redirect_uri' }, ORIGIN));
    expect(Object.fromEntries(oidcLogout.searchParams)).toEqual({ client_id: 'client123', post_logout_redirect_uri: `${ORIGIN}/` });
  });

  test("a forged state never reaches the token endpoint; the issuer's refusal is an error", async () => {
    const storage = new MemoryStorage();
    await authorizeUrl(config, storage, ORIGIN);
    received = undefined;
    await expect(completeSignIn({ ...config, tokenUrl }, new URLSearchParams({ code: 'c', state: 'forged' }), storage, ORIGIN)).rejects.toThrow(
      /does not belong/,
    );
    expect(received).toBeUndefined();

    const state = new URL(await authorizeUrl(config, storage, ORIGIN)).searchParams.get('state')!;
    answer = { status: 400, body: { error: 'invalid_grant' } };
    await expect(completeSignIn({ ...config, tokenUrl }, new URLSearchParams({ code: 'c', state }), storage, ORIGIN)).rejects.toThrow(/invalid_grant/);
  });
});

test('config.json: the socket URL is taken only as wss://, in either sign-in mode; no config.json is token sign-in', async () => {
  const served: { status: number; body: unknown }[] = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = (async () => {
    const next = served.shift()!;
    return new Response(JSON.stringify(next.body), { status: next.status });
  }) as typeof fetch;
  try {
    const socketUrl = 'wss://abc123.execute-api.eu-west-1.amazonaws.com/prod';
    served.push({ status: 200, body: { ...config, socketUrl } });
    expect(await loadConfig()).toEqual({ ...config, socketUrl });
    served.push({ status: 200, body: { auth: 'token', socketUrl } });
    expect(await loadConfig()).toEqual({ auth: 'token', socketUrl });
    // Anything but a wss: URL is left out: the console then uses /ws on its own origin.
    served.push({ status: 200, body: { auth: 'token', socketUrl: 'ws://evil.example.com/' } });
    expect(await loadConfig()).toEqual({ auth: 'token' });
    served.push({ status: 404, body: {} });
    expect(await loadConfig()).toEqual({ auth: 'token' });
  } finally {
    globalThis.fetch = realFetch;
  }
});
