import { KMS_CONTEXT } from '../../core/shared/deployment-names';

/**
 * Direct use of the KMS key is limited to API tokens: the cipher always passes this encryption
 * context (core/data/identity/token-cipher.ts), and the grant requires it, so a role allowed to decrypt
 * tokens cannot decrypt anything else encrypted under the key (table or bucket data keys, which
 * are used only through DynamoDB and S3 anyway).
 */
export const TOKEN_KEY_CONDITION = {
  StringEquals: Object.fromEntries(Object.entries(KMS_CONTEXT).map(([name, value]) => [`kms:EncryptionContext:${name}`, value])),
};
