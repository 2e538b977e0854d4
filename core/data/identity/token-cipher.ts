import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { config } from '../../shared/config';
import { KMS_CONTEXT } from '../../shared/deployment-names';

/**
 * Encrypts API tokens at rest. The QuantConnect hash is computed from the clear token, so tokens
 * cannot be stored hashed; they are stored encrypted and decrypted only to verify a request.
 * Local mode keeps a random AES-256 key in a file (mode 0600) in the data folder.
 */
export interface TokenCipher {
  encrypt(plain: string): Promise<string>;
  decrypt(ciphertext: string): Promise<string>;
}

const VERSION = 'v1';

export function aesFileCipher(keyFile: string): TokenCipher {
  let key: Buffer | undefined;
  const loadKey = () => {
    if (key) return key;
    if (!existsSync(keyFile)) {
      mkdirSync(dirname(keyFile), { recursive: true });
      writeFileSync(keyFile, randomBytes(32).toString('hex'), { mode: 0o600 });
    }
    chmodSync(keyFile, 0o600);
    key = Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'hex');
    if (key.length !== 32) throw new Error(`Token key file ${keyFile} must hold 32 bytes of hex`);
    return key;
  };
  return {
    async encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', loadKey(), iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
    },
    async decrypt(ciphertext) {
      const [version, iv, tag, body] = ciphertext.split(':');
      // An empty token encrypts to an empty body, so only a missing part is refused.
      if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('Unrecognised token ciphertext');
      const decipher = createDecipheriv('aes-256-gcm', loadKey(), Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
    },
  };
}

/**
 * AWS: KMS encrypts each token directly (tokens are far below KMS's 4 KB limit), bound to an
 * encryption context so a ciphertext cannot be replayed as another kind of secret. The KMS client
 * is imported on first use, so functions that never touch tokens do not load it.
 */
export function kmsCipher(keyId: string, clientConfig: import('@aws-sdk/client-kms').KMSClientConfig = {}): TokenCipher {
  let client: import('@aws-sdk/client-kms').KMSClient | undefined;
  const kms = async () => {
    const sdk = await import('@aws-sdk/client-kms');
    client ??= new sdk.KMSClient(clientConfig);
    return { client, sdk };
  };
  return {
    async encrypt(plain) {
      const { client: c, sdk } = await kms();
      const out = await c.send(new sdk.EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from(plain, 'utf8'), EncryptionContext: KMS_CONTEXT }));
      return `kms1:${Buffer.from(out.CiphertextBlob ?? []).toString('base64')}`;
    },
    async decrypt(ciphertext) {
      if (!ciphertext.startsWith('kms1:')) throw new Error('Unrecognised token ciphertext');
      const { client: c, sdk } = await kms();
      const out = await c.send(
        new sdk.DecryptCommand({ KeyId: keyId, CiphertextBlob: Buffer.from(ciphertext.slice(5), 'base64'), EncryptionContext: KMS_CONTEXT }),
      );
      return Buffer.from(out.Plaintext ?? []).toString('utf8');
    },
  };
}

let cipher: TokenCipher | undefined;

export function tokenCipher(): TokenCipher {
  if (!cipher) {
    const { LCS_TOKEN_KEY_FILE, LCS_TOKEN_KMS_KEY_ID } = config();
    if (LCS_TOKEN_KEY_FILE) cipher = aesFileCipher(LCS_TOKEN_KEY_FILE);
    else if (LCS_TOKEN_KMS_KEY_ID) cipher = kmsCipher(LCS_TOKEN_KMS_KEY_ID, { region: config().AWS_REGION });
    else throw new Error('Set LCS_TOKEN_KEY_FILE (local mode) or LCS_TOKEN_KMS_KEY_ID (AWS) to store API tokens');
  }
  return cipher;
}

export function resetTokenCipher(): void {
  cipher = undefined;
}
