import type { DeploymentSecrets } from '../ports/live-services';
import { config } from '../shared/config';
import { liveSecretName } from '../shared/deployment-names';

/**
 * Deployment secrets in Secrets Manager (design §8): one secret per live deployment, encrypted
 * with the app key, tagged with its deployment, force-deleted with it (a stopped deployment's
 * brokerage login has no reason to linger for a recovery window).
 */
export interface SecretsManagerDeploymentSettings {
  /** `lcs-<stage>`: secrets are named `<prefix>/live/<deploy id>`. */
  prefix: string;
  /** The app key's ARN. */
  kmsKeyId: string;
}

export function deploymentSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): SecretsManagerDeploymentSettings {
  const prefix = env.LCS_LIVE_SECRET_PREFIX;
  const kmsKeyId = env.LCS_LIVE_SECRET_KEY_ID;
  if (!prefix || !kmsKeyId) throw new Error('Deployment secrets need LCS_LIVE_SECRET_PREFIX and LCS_LIVE_SECRET_KEY_ID');
  return { prefix, kmsKeyId };
}

export function secretsManagerDeploymentSecrets(
  settings: () => SecretsManagerDeploymentSettings = deploymentSettingsFromEnv,
  clientConfig?: import('@aws-sdk/client-secrets-manager').SecretsManagerClientConfig,
): DeploymentSecrets {
  let loaded:
    | Promise<{ client: import('@aws-sdk/client-secrets-manager').SecretsManagerClient; sdk: typeof import('@aws-sdk/client-secrets-manager') }>
    | undefined;
  const secrets = () => {
    loaded ??= import('@aws-sdk/client-secrets-manager').then((sdk) => ({
      sdk,
      client: new sdk.SecretsManagerClient(clientConfig ?? { region: config().AWS_REGION }),
    }));
    return loaded;
  };
  return {
    async create(deployId, values) {
      const { client, sdk } = await secrets();
      const s = settings();
      const name = liveSecretName(s.prefix, deployId);
      try {
        const out = await client.send(
          new sdk.CreateSecretCommand({
            Name: name,
            KmsKeyId: s.kmsKeyId,
            SecretString: JSON.stringify(values),
            Description: `Lean Cloud Server: brokerage and data-feed credentials of live deployment ${deployId}`,
            Tags: [{ Key: 'lcs:deploy-id', Value: deployId }],
          }),
        );
        if (!out.ARN) throw new Error('CreateSecret answered without an ARN');
        return out.ARN;
      } catch (err) {
        // A retried deploy: the first attempt created it; its values are this deployment's own.
        if ((err as Error).name !== 'ResourceExistsException') throw err;
        await client.send(new sdk.PutSecretValueCommand({ SecretId: name, SecretString: JSON.stringify(values) }));
        const described = await client.send(new sdk.DescribeSecretCommand({ SecretId: name }));
        if (!described.ARN) throw new Error('DescribeSecret answered without an ARN');
        return described.ARN;
      }
    },
    async remove(secretRef) {
      const { client, sdk } = await secrets();
      try {
        await client.send(new sdk.DeleteSecretCommand({ SecretId: secretRef, ForceDeleteWithoutRecovery: true }));
      } catch (err) {
        if ((err as Error).name !== 'ResourceNotFoundException') throw err;
      }
    },
  };
}
