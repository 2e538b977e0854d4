import type { SecretStore } from '../ports/secret-store';

/** The first admin's secret in Secrets Manager; the SDK is loaded on first use. */
export function secretsManagerStore(secretId: string, region?: string): SecretStore {
  let client: import('@aws-sdk/client-secrets-manager').SecretsManagerClient | undefined;
  const secrets = async () => {
    const sdk = await import('@aws-sdk/client-secrets-manager');
    client ??= new sdk.SecretsManagerClient(region ? { region } : {});
    return { client, sdk };
  };
  return {
    async read() {
      const { client: c, sdk } = await secrets();
      try {
        const out = await c.send(new sdk.GetSecretValueCommand({ SecretId: secretId }));
        return out.SecretString;
      } catch (err) {
        // A secret created without a value has no current version yet.
        if ((err as Error).name === 'ResourceNotFoundException') return undefined;
        throw err;
      }
    },
    async write(value) {
      const { client: c, sdk } = await secrets();
      await c.send(new sdk.PutSecretValueCommand({ SecretId: secretId, SecretString: value }));
    },
  };
}
