import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aesFileCipher, resetTokenCipher, tokenCipher } from '../../core/data/identity/token-cipher';
import { resetConfig } from '../../core/shared/config';

/** The local token cipher: AES-256-GCM with a key file in the data folder (mode 0600). */
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lcs-cipher-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('round trip, and the ciphertext does not contain the token', async () => {
  const cipher = aesFileCipher(join(dir, 'keys', 'token.key'));
  const token = 'c70fc76028f43a5a19befbba915b5b8d473ab399ef2e4ea47767f147a4118bd4';
  const sealed = await cipher.encrypt(token);
  expect(sealed).not.toContain(token);
  expect(sealed).toMatch(/^v1:[^:]+:[^:]+:[^:]+$/);
  expect(await cipher.decrypt(sealed)).toBe(token);
  expect(await cipher.decrypt(await cipher.encrypt(''))).toBe('');
  expect(await cipher.decrypt(await cipher.encrypt('ünïcode ✓'))).toBe('ünïcode ✓');
});

test('every encryption uses a fresh IV', async () => {
  const cipher = aesFileCipher(join(dir, 'token.key'));
  expect(await cipher.encrypt('same')).not.toBe(await cipher.encrypt('same'));
});

test('the key file is created with 32 random bytes and mode 0600', async () => {
  const file = join(dir, 'nested', 'token.key');
  await aesFileCipher(file).encrypt('x');
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(readFileSync(file, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
});

test('an existing key file readable by others is tightened to 0600, and its key is used', async () => {
  const file = join(dir, 'token.key');
  const first = aesFileCipher(file);
  const sealed = await first.encrypt('kept');
  chmodSync(file, 0o644);
  const second = aesFileCipher(file);
  expect(await second.decrypt(sealed)).toBe('kept');
  expect(statSync(file).mode & 0o777).toBe(0o600);
});

test('tampering with the body, tag or IV throws', async () => {
  const cipher = aesFileCipher(join(dir, 'token.key'));
  const sealed = await cipher.encrypt('secret-token-value');
  const [version, iv, tag, body] = sealed.split(':') as [string, string, string, string];
  const flip = (b64: string) => {
    const bytes = Buffer.from(b64, 'base64');
    bytes[0] = (bytes[0] ?? 0) ^ 0x01;
    return bytes.toString('base64');
  };
  await expect(cipher.decrypt([version, iv, tag, flip(body)].join(':'))).rejects.toThrow();
  await expect(cipher.decrypt([version, iv, flip(tag), body].join(':'))).rejects.toThrow();
  await expect(cipher.decrypt([version, flip(iv), tag, body].join(':'))).rejects.toThrow();
  await expect(cipher.decrypt(['v0', iv, tag, body].join(':'))).rejects.toThrow(/Unrecognised/);
  await expect(cipher.decrypt('garbage')).rejects.toThrow(/Unrecognised/);
});

test('another key cannot decrypt', async () => {
  const sealed = await aesFileCipher(join(dir, 'a.key')).encrypt('secret');
  await expect(aesFileCipher(join(dir, 'b.key')).decrypt(sealed)).rejects.toThrow();
});

test('a key file that does not hold 32 bytes of hex is refused', async () => {
  const file = join(dir, 'short.key');
  writeFileSync(file, 'abcd');
  await expect(aesFileCipher(file).encrypt('x')).rejects.toThrow(/32 bytes/);
});

test('tokenCipher() uses LCS_TOKEN_KEY_FILE and needs a key source', async () => {
  const saved = { ...process.env };
  try {
    delete process.env.LCS_TOKEN_KMS_KEY_ID;
    process.env.LCS_TOKEN_KEY_FILE = join(dir, 'configured.key');
    resetConfig();
    resetTokenCipher();
    const sealed = await tokenCipher().encrypt('t');
    expect(await aesFileCipher(join(dir, 'configured.key')).decrypt(sealed)).toBe('t');

    delete process.env.LCS_TOKEN_KEY_FILE;
    resetConfig();
    resetTokenCipher();
    expect(() => tokenCipher()).toThrow(/LCS_TOKEN_KEY_FILE/);
  } finally {
    process.env = saved;
    resetConfig();
    resetTokenCipher();
  }
});
