import { kmsCipher } from '../../core/data/identity/token-cipher';
import { type Loopback, startLoopback } from '../support/loopback';

/**
 * The KMS token cipher against a loopback stand-in for KMS's JSON protocol: checks the calls the
 * real SDK sends (target, key id, encryption context) and that a ciphertext only decrypts with the
 * context it was made with.
 */
let kms: Loopback;
const calls: { target: string; body: Record<string, unknown> }[] = [];

beforeAll(async () => {
  kms = await startLoopback((req, res) => {
    const target = String(req.headers['x-amz-target']);
    const body = JSON.parse(req.body) as { KeyId: string; Plaintext?: string; CiphertextBlob?: string; EncryptionContext?: Record<string, string> };
    calls.push({ target, body });
    res.setHeader('content-type', 'application/x-amz-json-1.1');
    if (target === 'TrentService.Encrypt') {
      const blob = Buffer.from(JSON.stringify({ k: body.KeyId, p: body.Plaintext, c: body.EncryptionContext })).toString('base64');
      res.end(JSON.stringify({ CiphertextBlob: blob, KeyId: body.KeyId }));
      return;
    }
    const sealed = JSON.parse(Buffer.from(body.CiphertextBlob ?? '', 'base64').toString()) as { k: string; p: string; c: unknown };
    if (JSON.stringify(sealed.c) !== JSON.stringify(body.EncryptionContext)) {
      res.statusCode = 400;
      res.end(JSON.stringify({ __type: 'InvalidCiphertextException', message: 'context mismatch' }));
      return;
    }
    res.end(JSON.stringify({ Plaintext: sealed.p, KeyId: sealed.k }));
  });
});

afterAll(() => kms.close());

const clientConfig = () => ({ endpoint: kms.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

test('encrypts with the key and a purpose context, and decrypts back', async () => {
  const cipher = kmsCipher('alias/lcs', clientConfig());
  const sealed = await cipher.encrypt('0123abcd');
  expect(sealed).toMatch(/^kms1:/);
  expect(sealed).not.toContain('0123abcd');
  expect(await cipher.decrypt(sealed)).toBe('0123abcd');
  const encrypt = calls.find((c) => c.target === 'TrentService.Encrypt');
  expect(encrypt?.body).toMatchObject({ KeyId: 'alias/lcs', EncryptionContext: { purpose: 'lcs-api-token' } });
  expect(calls.find((c) => c.target === 'TrentService.Decrypt')?.body.EncryptionContext).toEqual({ purpose: 'lcs-api-token' });
});

test('refuses ciphertext that is not a KMS token ciphertext', async () => {
  await expect(kmsCipher('alias/lcs', clientConfig()).decrypt('v1:a:b:c')).rejects.toThrow('Unrecognised token ciphertext');
});
